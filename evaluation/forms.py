"""Scores for forms: field detection (precision, recall, labels, keys) and fill accuracy on the
generated forms of `evaluation/corpus/forms.py`, and the report section.

A detected field matches a true one when their boxes overlap by IoU >= 0.5 (one to one, best
first); its label counts as right when equal to the true label. A fill case is scored field by
field after the whole pipeline (local engine, value checks, PDF written, values read back from
the PDF): a true value is right when the answer and the PDF both hold it; a value where none was
asked is a false fill. Scanned copies (each flat form rendered at 150 dpi, OCR'd) are measured
too: with no text layer and no drawn geometry, only what the OCR reads (underscores, dots) is
left to find fields by.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from evaluation.corpus.forms import FillCase, FormCase, form_cases
from evaluation.corpus.scans import render_pages
from evaluation.report import Section, markdown_table
from jobstream.documents.forms.fields import detect_fields
from jobstream.documents.forms.model import DetectedField
from jobstream.documents.forms.values import AcceptedValue, accept_values
from jobstream.documents.loaders import load_document
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.pdf_fill import fill_pdf
from jobstream.documents.loaders.pdf_forms import read_form_layout
from jobstream.documents.loaders.pdf_readback import acroform_values, colored_text_in
from jobstream.documents.model import Box, Document
from jobstream.engines.local.forms import fill_form_locally
from jobstream.engines.port import FillRequest

NAVY = (0.0, 0.0, 128 / 255)


@dataclass(frozen=True, slots=True)
class DetectionScore:
    expected: int = 0
    detected: int = 0
    matched: int = 0
    labels_right: int = 0
    keys_right: int = 0

    def __add__(self, o: DetectionScore) -> DetectionScore:
        return DetectionScore(self.expected + o.expected, self.detected + o.detected,
                              self.matched + o.matched, self.labels_right + o.labels_right,
                              self.keys_right + o.keys_right)  # fmt: skip

    @property
    def precision(self) -> float:
        return self.matched / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def label_accuracy(self) -> float:
        return self.labels_right / self.matched if self.matched else 0.0


@dataclass(frozen=True, slots=True)
class FillScore:
    expected: int = 0
    right: int = 0
    false_fills: int = 0

    def __add__(self, o: FillScore) -> FillScore:
        return FillScore(self.expected + o.expected, self.right + o.right,
                         self.false_fills + o.false_fills)  # fmt: skip

    @property
    def accuracy(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def iou(a: Box, b: Box) -> float:
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    inter = max(0.0, w) * max(0.0, h)
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union else 0.0


def load(pdf: bytes) -> Document:
    return load_document(pdf, filename="form.pdf", mime_type="application/pdf",
                         options=LoadOptions())  # fmt: skip


def detect(pdf: bytes) -> tuple[Document, list[DetectedField]]:
    document = load(pdf)
    return document, detect_fields(read_form_layout(pdf), document)


def detection_score(case: FormCase, found: list[DetectedField]) -> DetectionScore:
    pairs = sorted(
        ((iou(f.spec.box, case.expected_box(e)), i, j)
         for i, e in enumerate(case.fields) for j, f in enumerate(found)),
        reverse=True,
    )  # fmt: skip
    used_true: set[int] = set()
    used_found: set[int] = set()
    labels = keys = 0
    for overlap, i, j in pairs:
        if overlap < 0.5 or i in used_true or j in used_found:
            continue
        used_true.add(i)
        used_found.add(j)
        labels += found[j].spec.description == case.fields[i].label
        keys += found[j].spec.key == case.fields[i].key
    return DetectionScore(len(case.fields), len(found), len(used_true), labels, keys)


def read_back(case: FormCase, pdf: bytes, value: AcceptedValue) -> str | None:
    """What the filled PDF shows for a field, in the API's terms."""
    field = value.field
    if case.kind == "flat":
        text = colored_text_in(pdf, page=field.spec.page, box=field.spec.box, color=NAVY)
        if field.spec.type == "checkbox":
            return "true" if text == "X" else value.text if value.text == "false" else None
        return text.replace("\n", " ") or None
    raw = acroform_values(pdf).get(field.spec.key)
    states = [s.lstrip("/") for s in field.states]
    if field.kind == "checkbox":
        return "true" if raw in states else "false" if raw == "Off" else None
    if field.kind == "radio":
        return field.spec.options[states.index(raw)] if raw in states else None
    return raw or None


def fill_score(case: FormCase, fill: FillCase) -> FillScore:
    document, fields = detect(case.pdf)
    request = FillRequest(fields=tuple(f.spec for f in fields), instructions=fill.instructions)
    accepted, _ = accept_values(fields, fill_form_locally(document, request).values)
    pdf, unshown = fill_pdf(case.pdf, values=accepted, color=NAVY)
    dropped = {w.key for w in unshown}
    right = false_fills = 0
    for value in accepted:
        key = value.field.spec.key
        text = None if key in dropped else value.text
        want = fill.expected.get(key)
        if want is not None:
            right += text == want and read_back(case, pdf, value) == want
        elif text is not None:
            false_fills += 1
    return FillScore(len(fill.expected), right, false_fills)


def scanned(pdf: bytes) -> bytes:
    images = render_pages(pdf, dpi=150)
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=150.0, save_all=True, append_images=images[1:])
    return out.getvalue()


def forms_section() -> Section:
    rows: list[list[object]] = []
    total, fills, scans = DetectionScore(), FillScore(), DetectionScore()
    for case in form_cases():
        score = detection_score(case, detect(case.pdf)[1])
        filled = sum((fill_score(case, f) for f in case.fills), FillScore())
        total, fills = total + score, fills + filled
        rows.append([case.name, case.kind, score.expected, score.precision, score.recall,
                     score.label_accuracy, filled.accuracy, filled.false_fills])  # fmt: skip
        if case.kind == "flat":
            scans = scans + detection_score(case, detect(scanned(case.pdf))[1])
    rows.append(["**all**", "", total.expected, total.precision, total.recall,
                 total.label_accuracy, fills.accuracy, fills.false_fills])  # fmt: skip
    table = markdown_table(
        ["form", "kind", "fields", "precision", "recall", "labels right", "fill accuracy",
         "false fills"], rows,
    )  # fmt: skip
    scan_line = (
        f"Scanned copies of the flat forms (150 dpi, OCR): precision {scans.precision:.1%}, "
        f"recall {scans.recall:.1%} over {scans.expected} fields."
    )
    intro = (
        "Field detection on generated AcroForms and flat forms, and filling from `Label: value` "
        "lines, JSON objects and free sentences with the local engine (values read back from "
        "the filled PDF)."
    )
    return Section(
        title="Forms",
        markdown=f"{intro}\n\n{table}\n\n{scan_line}",
        figures={"detection_precision": total.precision, "detection_recall": total.recall,
                 "label_accuracy": total.label_accuracy, "fill_accuracy": fills.accuracy,
                 "false_fills": float(fills.false_fills), "scan_recall": scans.recall},
    )  # fmt: skip
