"""The `classify` worker service."""
