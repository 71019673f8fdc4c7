"""The `split` worker service."""
