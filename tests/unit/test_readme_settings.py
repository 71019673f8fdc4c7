"""Every setting a service reads is documented in the README's settings table."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobstream.settings import (
    CommonSettings,
    EngineSettings,
    GatewaySettings,
    JanitorSettings,
    NotifierSettings,
    ProjectorSettings,
    WorkerSettings,
)

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize(
    ("cls", "prefix"),
    [
        (CommonSettings, "JOBSTREAM_"),
        (GatewaySettings, "JOBSTREAM_GATEWAY_"),
        (WorkerSettings, "JOBSTREAM_WORKER_"),
        (ProjectorSettings, "JOBSTREAM_PROJECTOR_"),
        (JanitorSettings, "JOBSTREAM_JANITOR_"),
        (NotifierSettings, "JOBSTREAM_NOTIFIER_"),
        (EngineSettings, "JOBSTREAM_"),
    ],
)
def test_every_setting_is_in_the_readme(cls: type[CommonSettings], prefix: str) -> None:
    inherited = set(CommonSettings.model_fields) if issubclass(cls, CommonSettings) else set()
    own = set(cls.model_fields) - (inherited if cls is not CommonSettings else set())
    missing = [
        f"{prefix}{name.upper()}" for name in own if f"`{prefix}{name.upper()}`" not in README
    ]
    assert not missing, f"document these in README.md: {missing}"
