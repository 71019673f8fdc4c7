"""Forms over the Document model: fields found in a PDF form, and how values go into them.

Pure: the loaders (`documents/loaders/pdf_forms.py`, `pdf_fill.py`, `pdf_annotate.py`) read and
write the PDF; this package finds fields from plain data (words, drawn lines and boxes, AcroForm
widgets), checks values against fields and lays text out inside boxes.
"""
