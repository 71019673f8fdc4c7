"""The jobstream contract: HTTP bodies and Kafka messages as pydantic models.

These models are the single source of truth; `make schemas` exports them to JSON Schema, OpenAPI
and AsyncAPI under `schemas/generated/`. A released event type is never edited: a breaking change
is a new `.v2` type.
"""
