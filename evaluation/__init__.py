"""Evaluation: labeled corpora the tests and `make eval` generate, and the quality report."""
