"""Which service processes `make up` runs, and with which settings."""

from __future__ import annotations

import sys
from pathlib import Path

from jobstream.devstack.stack import ServiceSpec, StackLayout


def _cli() -> str:
    return str(Path(sys.executable).parent / "jobstream")


def service_specs(layout: StackLayout) -> list[ServiceSpec]:
    """The services of the stack; empty until the services exist."""
    del layout
    return []
