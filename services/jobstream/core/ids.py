"""Identifiers: `job_` + 21 URL-safe characters (126 random bits), like the Retab API's."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits + "-_"
JOB_ID_LENGTH = 21


def new_job_id() -> str:
    return "job_" + "".join(secrets.choice(_ALPHABET) for _ in range(JOB_ID_LENGTH))


def looks_like_job_id(value: str) -> bool:
    body = value.removeprefix("job_")
    return value.startswith("job_") and len(body) == JOB_ID_LENGTH and set(body) <= set(_ALPHABET)
