"""Drawing labeled forms with reportlab: every widget or blank drawn is recorded with its
label and box (points from the page's top left), the truth `evaluation/corpus/forms.py` keeps."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from jobstream.documents.model import Box

WIDTH, HEIGHT = A4
Rect = tuple[float, float, float, float]  # x0, y0 (top), x1, y1 (bottom), points


@dataclass(frozen=True)
class ExpectedField:
    key: str  # AcroForm: the field's name; flat: the key made from its label
    label: str
    type: Literal["text", "checkbox"]
    rect: Rect
    page: int = 1
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class FillCase:
    name: str
    instructions: str
    expected: dict[str, str]  # key → value read back; every other field stays empty


@dataclass(frozen=True)
class FormCase:
    name: str
    kind: Literal["acroform", "flat"]
    pdf: bytes
    fields: tuple[ExpectedField, ...]
    fills: tuple[FillCase, ...]

    @staticmethod
    def expected_box(f: ExpectedField) -> Box:
        x0, y0, x1, y1 = f.rect
        return Box(x0 / WIDTH, y0 / HEIGHT, (x1 - x0) / WIDTH, (y1 - y0) / HEIGHT)


@dataclass
class FormDrawing:
    """Draws a form page and records the fields it draws."""

    c: canvas.Canvas
    fields: list[ExpectedField] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float = 10) -> None:
        self.c.setFont("Helvetica", size)
        self.c.drawString(x, HEIGHT - top - size * 0.8, text)

    def _label(self, label: str, x: float, top: float, h: float, where: str) -> None:
        if where == "left":
            self.text(x - 130, top + (h - 10) / 2, label)
        else:
            self.text(x, top - 13, label)

    def acro_text(
        self, key: str, label: str, x: float, top: float, w: float, h: float = 18,
        where: str = "left", maxlen: int = 100, multiline: bool = False,
    ) -> None:  # fmt: skip
        self._label(label, x, top, h, where)
        self.c.acroForm.textfield(
            name=key, x=x, y=HEIGHT - top - h, width=w, height=h, maxlen=maxlen, borderWidth=1,
            fieldFlags="multiline" if multiline else "", fontSize=0 if multiline else 10,
        )  # fmt: skip
        self.fields.append(ExpectedField(key, label, "text", (x, top, x + w, top + h)))

    def acro_checkbox(self, key: str, label: str, x: float, top: float, size: float = 12) -> None:
        self.c.acroForm.checkbox(name=key, x=x, y=HEIGHT - top - size, size=size)
        self.text(x + size + 5, top + (size - 10) / 2, label)
        self.fields.append(ExpectedField(key, label, "checkbox", (x, top, x + size, top + size)))

    def acro_radio(self, key: str, label: str, options: list[tuple[str, str]], x: float,
                   top: float, size: float = 12) -> None:  # fmt: skip
        self._label(label, x, top, size, "left")
        for i, (value, text) in enumerate(options):
            bx = x + i * 90
            self.c.acroForm.radio(name=key, value=value, x=bx, y=HEIGHT - top - size, size=size)
            self.text(bx + size + 5, top + (size - 10) / 2, text)
        rect = (x, top, x + (len(options) - 1) * 90 + size, top + size)
        names = tuple(t for _, t in options)
        description = f"{label} (one of: {', '.join(names)})"
        self.fields.append(ExpectedField(key, description, "text", rect, options=names))

    def acro_choice(self, key: str, label: str, options: list[str], x: float, top: float,
                    w: float = 140, h: float = 18) -> None:  # fmt: skip
        self._label(label, x, top, h, "left")
        self.c.acroForm.choice(
            name=key, value=options[0], options=options, x=x, y=HEIGHT - top - h, width=w,
            height=h, fontSize=10,
        )  # fmt: skip
        description = f"{label} (one of: {', '.join(options)})"
        self.fields.append(
            ExpectedField(
                key, description, "text", (x, top, x + w, top + h), options=tuple(options)
            )
        )

    def flat_rule(self, key: str, label: str, x: float, top: float, length: float) -> None:
        """`Label:` then a line to write on; `top` is the top of the label's text."""
        self.text(x, top, f"{label}:")
        x0 = x + stringWidth(f"{label}:", "Helvetica", 10) + 8
        line_y = top + 10
        self.c.line(x0, HEIGHT - line_y, x0 + length, HEIGHT - line_y)
        self.fields.append(
            ExpectedField(key, label, "text", (x0, line_y - 16, x0 + length, line_y))
        )

    def flat_blank(self, key: str, label: str, x: float, top: float, char: str, n: int) -> None:
        """`Label: ______` or `Label ........` written as text."""
        prefix = f"{label}: " if char == "_" else f"{label} "
        self.text(x, top, prefix + char * n)
        x0 = x + stringWidth(prefix, "Helvetica", 10)
        x1 = x0 + stringWidth(char * n, "Helvetica", 10)
        self.fields.append(ExpectedField(key, label, "text", (x0, top - 3, x1, top + 11)))

    def flat_box(self, key: str, label: str, x: float, top: float, w: float, h: float,
                 where: str = "left") -> None:  # fmt: skip
        self._label(label, x, top, h, where)
        self.c.rect(x, HEIGHT - top - h, w, h)
        self.fields.append(ExpectedField(key, label, "text", (x, top, x + w, top + h)))

    def flat_checkbox(self, key: str, label: str, x: float, top: float, size: float = 10) -> None:
        self.c.rect(x, HEIGHT - top - size, size, size)
        self.text(x + size + 5, top + (size - 10) / 2, label)
        self.fields.append(ExpectedField(key, label, "checkbox", (x, top, x + size, top + size)))

    def flat_table(self, keys: list[str], labels: list[str], x: float, top: float,
                   widths: tuple[float, float] = (130, 220), h: float = 20) -> None:  # fmt: skip
        for i, (key, label) in enumerate(zip(keys, labels, strict=True)):
            row = top + i * h
            self.text(x + 5, row + 5, label)
            self.fields.append(
                ExpectedField(key, label, "text", (x + widths[0], row, x + sum(widths), row + h))
            )
        bottom = top + len(labels) * h
        for i in range(len(labels) + 1):
            self.c.line(x, HEIGHT - top - i * h, x + sum(widths), HEIGHT - top - i * h)
        for col in (x, x + widths[0], x + sum(widths)):
            self.c.line(col, HEIGHT - top, col, HEIGHT - bottom)

    def flat_caption_rule(self, key: str, caption: str, x: float, top: float, w: float) -> None:
        """A line with its caption under it (a signature line)."""
        self.c.line(x, HEIGHT - top, x + w, HEIGHT - top)
        self.text(x, top + 3, caption, size=8)
        self.fields.append(ExpectedField(key, caption, "text", (x, top - 16, x + w, top)))


def new_form() -> tuple[io.BytesIO, FormDrawing]:
    buffer = io.BytesIO()
    return buffer, FormDrawing(canvas.Canvas(buffer, pagesize=A4, invariant=1))


def finish(buffer: io.BytesIO, form: FormDrawing) -> bytes:
    form.c.showPage()
    form.c.save()
    return buffer.getvalue()
