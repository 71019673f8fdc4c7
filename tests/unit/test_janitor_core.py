"""The janitor pass: the outbox relay every pass, expiry and purge only on sweep passes."""

from __future__ import annotations

from typing import Any

from jobstream.janitor.core import Janitor
from jobstream.settings import JanitorSettings


class Recorder:
    """Stands in for the job store, outbox and publisher; records which queries ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def due(self, **_: Any) -> list[Any]:
        self.calls.append("outbox")
        return []

    async def depth(self) -> int:
        return 0

    async def due_for_expiry(self, **_: Any) -> list[Any]:
        self.calls.append("expiry")
        return []

    async def due_for_purge(self, **_: Any) -> list[Any]:
        self.calls.append("purge")
        return []

    async def send_unordered(self, messages: list[Any]) -> None:
        pass


def janitor(recorder: Recorder) -> Janitor:
    return Janitor(JanitorSettings(), recorder, recorder, recorder, None)  # type: ignore[arg-type]


async def test_a_relay_pass_does_not_query_the_read_model() -> None:
    recorder = Recorder()
    await janitor(recorder).run_pass(sweep=False)
    assert recorder.calls == ["outbox"]


async def test_a_sweep_pass_expires_and_purges_too() -> None:
    recorder = Recorder()
    await janitor(recorder).run_pass()
    assert recorder.calls == ["outbox", "expiry", "purge"]
