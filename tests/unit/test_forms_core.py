"""The pure form logic: instructions read, values checked against fields, text fitted in boxes,
flat places found over plain geometry, and the local engine's matching of values to fields."""

from __future__ import annotations

import datetime as dt

import pytest

from jobstream.documents.forms.flat import find_flat_places
from jobstream.documents.forms.instructions import find_date, format_date, split_instructions
from jobstream.documents.forms.labels import Piece, Rect
from jobstream.documents.forms.model import DetectedField, PageGeometry, WidgetKind
from jobstream.documents.forms.text_fit import fit_text
from jobstream.documents.forms.values import accept_values
from jobstream.documents.model import Box, Document
from jobstream.engines.local.forms import fill_form_locally
from jobstream.engines.port import FieldType, FillRequest, FormFieldSpec

BOX = Box(0.1, 0.1, 0.3, 0.02)
W, H = 595.0, 842.0


def spec(key: str, label: str, type_: FieldType = "text", **extra: object) -> FormFieldSpec:
    return FormFieldSpec(key, type_, label, BOX, 1, **extra)  # type: ignore[arg-type]


def detected(key: str, label: str, kind: WidgetKind = "text", **extra: object) -> DetectedField:
    type_: FieldType = "checkbox" if kind == "checkbox" else "text"
    return DetectedField(spec=spec(key, label, type_, **extra), source="flat", kind=kind)


def fill(fields: list[FormFieldSpec], instructions: str) -> dict[str, object]:
    document = Document(pages=(), mime_type="application/pdf")
    return fill_form_locally(document, FillRequest(tuple(fields), instructions)).values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("born 12 April 1990", dt.date(1990, 4, 12)),
        ("on April 12, 1990", dt.date(1990, 4, 12)),
        ("13.10.2026", dt.date(2026, 10, 13)),
        ("10/13/2026", dt.date(2026, 10, 13)),
        ("2026-10-13", dt.date(2026, 10, 13)),
        ("am 3. März 1985", dt.date(1985, 3, 3)),
        ("le 14 juillet 1992", dt.date(1992, 7, 14)),
        ("el 5 de mayo de 2001", dt.date(2001, 5, 5)),
    ],
)
def test_dates_are_read_in_the_common_ways_of_writing_them(text: str, expected: dt.date) -> None:
    found = find_date(text)
    assert found is not None and found.date == expected


def test_a_date_is_written_as_its_fields_label_asks() -> None:
    date = dt.date(1985, 3, 3)
    assert format_date(date, label="Geburtsdatum (TT.MM.JJJJ)", max_length=None) == "03.03.1985"
    assert format_date(date, label="Date (MM/DD/YYYY)", max_length=None) == "03/03/1985"
    assert format_date(date, label="Date of birth", max_length=None) == "1985-03-03"
    assert format_date(date, label="Date of birth", max_length=8) is None


def test_instructions_split_into_pairs_json_and_free_text() -> None:
    parsed = split_instructions("Name: Ana\nShe was born in 1990.\nCity = Porto")
    assert parsed.pairs == (("Name", "Ana"), ("City", "Porto"))
    assert parsed.free_text == "She was born in 1990." and not parsed.structured
    nested = split_instructions('{"applicant": {"name": "Ana"}, "ok": true}')
    assert nested.structured and nested.pairs == (("applicant.name", "Ana"), ("ok", True))
    assert split_instructions("see https://example.com: soon").pairs == ()


def test_values_a_field_cannot_take_become_none_with_a_warning() -> None:
    fields = [
        detected("married", "Married", "checkbox"),
        detected("zip", "Postal code", max_length=5),
        detected("gender", "Gender", "radio", options=("Male", "Female")),
        detected("name", "Name"),
    ]
    values = {"married": "12 April 1990", "zip": "500012", "gender": "other", "name": "Ana"}
    accepted, warnings = accept_values(fields, values)
    assert [a.text for a in accepted] == [None, None, None, "Ana"]
    assert [w.reason for w in warnings] == ["not_a_checkbox_value", "too_long", "not_an_option"]
    accepted, warnings = accept_values(fields[:3], {"married": "ja", "gender": "fem"})
    assert [a.text for a in accepted] == ["true", None, "Female"] and warnings == []


def _measure(text: str, size: float) -> float:
    return 0.5 * size * len(text)


def test_text_is_fitted_inside_its_box_or_refused() -> None:
    one_line = fit_text("Maria Lopez", width=200, height=18, multiline=False, measure=_measure)
    assert one_line is not None and one_line.lines == ("Maria Lopez",) and one_line.size <= 11
    long = "word " * 60
    wrapped = fit_text(long, width=200, height=60, multiline=True, measure=_measure)
    assert wrapped is not None and len(wrapped.lines) > 1
    assert all(_measure(line, wrapped.size) <= 196 for line in wrapped.lines)
    assert len(wrapped.lines) * wrapped.size * 1.15 <= 56.01
    assert fit_text(long, width=200, height=18, multiline=False, measure=_measure) is None


def _piece(text: str, x0: float, y0: float, size: float = 10) -> Piece:
    return Piece(text, Rect(x0, y0, x0 + _measure(text, size) * 1.1, y0 + size))


def _box(x0: float, y0: float, x1: float, y1: float) -> Box:
    return Box(x0 / W, y0 / H, (x1 - x0) / W, (y1 - y0) / H)


def test_flat_places_come_from_rules_blanks_squares_and_table_cells() -> None:
    pieces = [
        _piece("Full", 50, 50), _piece("name:", 75, 50), _piece("Email:", 50, 80),
        _piece("__________", 90, 80), _piece("Newsletter", 65, 110), _piece("Employer", 55, 145),
        _piece("Contents", 50, 300, 14), _piece("Chapter", 50, 330), _piece("........", 100, 330),
        _piece("7", 150, 330),
    ]  # fmt: skip
    geometry = PageGeometry(
        number=1, width=W, height=H,
        rules=(_box(120, 60, 400, 60), _box(50, 316, 545, 316)),
        rects=(_box(50, 110, 60, 120),),
        tables=(((_box(50, 140, 150, 160), _box(150, 140, 350, 160)),),),
    )  # fmt: skip
    places = find_flat_places(geometry, pieces)
    assert [(p.label, p.kind) for p in places] == [
        ("Full name", "text"),
        ("Email", "text"),
        ("Newsletter", "checkbox"),
        ("Employer", "text"),
    ]  # a heading's rule and a table of contents' leader are not fields


def test_the_local_engine_reads_sentences_pairs_and_json() -> None:
    fields = [
        spec("n", "Full name"), spec("dob", "Date of birth (DD/MM/YYYY)"), spec("mail", "E-mail"),
        spec("married", "Married", "checkbox"), spec("terms", "I accept the conditions", "checkbox"),
        spec("country", "Country", options=("Spain", "Portugal")), spec("notes", "Notes"),
    ]  # fmt: skip
    said = fill(fields, "The applicant is Ana Silva, born on 2 February 1988; she is not "
                "married, accepts the conditions and lives in Portugal. ana@example.pt")  # fmt: skip
    assert said == {"n": "Ana Silva", "dob": "02/02/1988", "mail": "ana@example.pt",
                    "married": False, "terms": True, "country": "Portugal", "notes": None}  # fmt: skip
    lines = fill(fields, "DOB: 1988-02-02\nFull name: Ana Silva\nMarried: yes")
    assert (lines["dob"], lines["n"], lines["married"]) == ("02/02/1988", "Ana Silva", "yes")
    by_json = fill(fields, '{"mail": "a@b.pt", "Notes": "call me"}')
    assert (by_json["mail"], by_json["notes"], by_json["n"]) == ("a@b.pt", "call me", None)
    assert set(fill(fields, "Nothing to say here.").values()) == {None}


def test_first_and_last_names_are_split_from_a_full_name() -> None:
    fields = [spec("first", "First name"), spec("last", "Surname")]
    assert fill(fields, "The applicant is Jan van Dijk.") == {"first": "Jan van", "last": "Dijk"}
