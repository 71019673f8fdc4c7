"""Labeled corpora, generated deterministically (the same seed gives the same bytes)."""
