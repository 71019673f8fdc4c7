"""The `extract` worker service."""
