"""The parse worker: turns a document into per-page text."""
