"""The `schema_generate` worker service."""
