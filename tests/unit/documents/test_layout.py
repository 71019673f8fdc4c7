"""Reading order and grouping from positioned words (pure geometry, no PDF): columns, form rows,
paragraphs, headings, tables placed where they stand, and stop-word language detection."""

from __future__ import annotations

from jobstream.documents.languages import detect_language
from jobstream.documents.layout import PlacedTable, RawWord, group_lines, page_blocks
from jobstream.documents.model import Cell, Table, TextBlock

CHAR = 5.0  # points per character at size 10


def line_words(text: str, *, left: float, top: float, size: float = 10.0) -> list[RawWord]:
    words, x = [], left
    for word in text.split():
        words.append(RawWord(word, x, top, x + CHAR * len(word), top + size * 1.15, size=size))
        x += CHAR * (len(word) + 1)
    return words


def column(texts: list[str], *, left: float, top: float) -> list[RawWord]:
    return [w for i, t in enumerate(texts) for w in line_words(t, left=left, top=top + i * 12.5)]


def texts(blocks: tuple[object, ...]) -> list[str]:
    return [line.text for b in blocks if isinstance(b, TextBlock) for line in b.lines]


LEFT = [f"left column line {i} with several words" for i in range(6)]
RIGHT = [f"right column line {i} with several words" for i in range(6)]


def test_two_columns_read_column_by_column_under_a_full_width_title() -> None:
    title = line_words("A title that spans both of the columns below it", left=50, top=40, size=18)
    words = title + column(LEFT, left=50, top=100) + column(RIGHT, left=320, top=100)
    blocks = page_blocks(words, width=595, height=842)
    assert texts(blocks) == ["A title that spans both of the columns below it", *LEFT, *RIGHT]
    first = blocks[0]
    assert isinstance(first, TextBlock) and first.kind == "heading" and first.level == 1


def test_form_rows_with_a_wide_gap_stay_one_line_each() -> None:
    rows = [
        ("Invoice number:", "INV-2026-0042"),
        ("Date:", "13 October 2026"),
        ("Customer:", "Contoso"),
    ]
    words: list[RawWord] = []
    for i, (label, value) in enumerate(rows):
        words += line_words(label, left=50, top=100 + i * 18)
        words += line_words(value, left=300, top=100 + i * 18)
    assert texts(page_blocks(words, width=595, height=842)) == [f"{a} {b}" for a, b in rows]


def test_paragraphs_split_at_gaps_and_boxes_are_normalized() -> None:
    words = column(LEFT[:3], left=50, top=100) + column(RIGHT[:3], left=50, top=160)
    blocks = page_blocks(words, width=500, height=1000)
    assert [len(b.lines) for b in blocks if isinstance(b, TextBlock)] == [3, 3]
    box = blocks[0].box
    assert box is not None and box.left == 0.1 and abs(box.top - 0.1) < 1e-9


def test_tables_replace_their_words_and_sit_between_the_text_around_them() -> None:
    above = line_words("Text above the table", left=50, top=100)
    inside = line_words("cell words", left=60, top=150)
    below = line_words("Text below the table", left=50, top=260)
    table = Table(rows=((Cell("a"), Cell("b")), (Cell("c"), Cell("d"))))
    placed = PlacedTable(table, 50, 140, 400, 240)
    blocks = page_blocks(above + inside + below, width=595, height=842, tables=[placed])
    assert blocks[1] is table
    assert texts(blocks) == ["Text above the table", "Text below the table"]


def test_words_on_one_baseline_form_one_line_in_x_order() -> None:
    words = line_words("one two three", left=50, top=100)
    shuffled = [words[2], words[0], words[1]]
    assert [[w.text for w in line] for line in group_lines(shuffled)] == [["one", "two", "three"]]


def test_language_detection_by_stop_words() -> None:
    assert (
        detect_language(
            "Der Bericht zeigt, dass die Kunden mit der Lieferung und den Rechnungen zufrieden sind."
        )
        == "deu"
    )
    assert (
        detect_language(
            "Le rapport montre que les clients sont satisfaits de la livraison et des factures."
        )
        == "fra"
    )
    assert (
        detect_language(
            "El informe muestra que los clientes están contentos con la entrega y las facturas."
        )
        == "spa"
    )
    assert (
        detect_language(
            "The report shows that the customers are happy with the delivery and the invoices."
        )
        == "eng"
    )
    assert (
        detect_language(
            "Het rapport laat zien dat de klanten tevreden zijn met de levering van de facturen."
        )
        == "nld"
    )
    assert detect_language("12 34 56") == "eng"  # too little text: the default


def test_a_sidebar_of_short_lines_is_read_before_the_text_beside_it() -> None:
    """A résumé: skills down the left at their own spacing, running text on the right."""
    skills = ["Python", "SQL", "Kafka", "Team lead", "German"]
    side = [w for i, s in enumerate(skills) for w in line_words(s, left=40, top=100 + i * 19)]
    body = [f"led the platform team through three releases and a migration {i}" for i in range(8)]
    words = side + column(body, left=200, top=100)
    assert texts(page_blocks(words, width=595, height=842)) == [*skills, *body]


def test_form_labels_beside_long_values_stay_on_their_rows() -> None:
    """Labels level with the first line of multi-line values: read across, not down."""
    rows = [
        ("Description:", ["three days of consulting on the new billing system and its reports"]),
        (
            "Notes:",
            [
                "delivered on site in Utrecht with two follow up calls by video",
                "and a written summary of every decision taken",
            ],
        ),
        ("Terms:", ["payable within thirty days of the invoice date without deduction"]),
    ]
    words: list[RawWord] = []
    top = 100.0
    for label, value_lines in rows:
        words += line_words(label, left=50, top=top)
        for k, text in enumerate(value_lines):
            words += line_words(text, left=160, top=top + k * 12.5)
        top += 12.5 * len(value_lines) + 8
    got = texts(page_blocks(words, width=595, height=842))
    assert (
        got[0] == "Description: three days of consulting on the new billing system and its reports"
    )
    assert got[1].startswith("Notes: delivered on site")
