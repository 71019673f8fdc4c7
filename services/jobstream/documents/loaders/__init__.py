"""Loaders: the only code that imports format libraries. `load_document` sniffs the bytes and
hands them to the loader of their format; each returns a `Document` (documents/model.py)."""
