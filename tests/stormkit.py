"""Storms against the real server's /audio route: many distinct tracks asked for at once,
while /health is probed and the workers' memory is read, as the storm test and
bench/audio_storm.py both do. Requests go to 127.0.0.1 only, a bounded number of them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from gunicornkit import Gunicorn, HealthWatch

from content.planner import PlanInputs
from speech.local.trackkey import TrackRef

STORM = 24  # requests fired at once, each naming a different track


@dataclass
class Storm:
    """What came back from one storm: each request's status and body, /health's answers,
    and the largest resident memory any worker had while it lasted."""

    answers: dict[TrackRef, tuple[int, bytes]] = field(default_factory=dict)
    health: list[float] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    worst_rss_mb: float = 0.0

    def codes(self) -> list[int]:
        return sorted(code for code, _ in self.answers.values())

    def served(self) -> dict[TrackRef, bytes]:
        return {ref: body for ref, (code, body) in self.answers.items() if code == 200}


def keys_storm(voice: str, rate: int) -> list[TrackRef]:
    """STORM tracks of the skill's own voice and rate: different plans and steps."""
    plans = [PlanInputs(minutes, rotation=r) for minutes in (5, 10, 15) for r in range(4)]
    return [TrackRef(plans[i % len(plans)], i // len(plans), voice, rate) for i in range(STORM)]


def rates_storm(voice: str, rates: list[int]) -> list[TrackRef]:
    """One track in each of STORM rates (each rate is an engine of its own)."""
    return [TrackRef(PlanInputs(5), 1, voice, rate) for rate in rates[:STORM]]


def voices_storm(voices: list[str], rate: int) -> list[TrackRef]:
    """One track in each of STORM voices."""
    return [TrackRef(PlanInputs(5), 1, voice, rate) for voice in voices[:STORM]]


def storm(server: Gunicorn, refs: list[TrackRef]) -> Storm:
    """Every ref fetched with GET at once, released together by a barrier, with /health
    probed and the workers' memory read throughout."""
    out = Storm()
    start = threading.Barrier(len(refs))
    done = threading.Event()

    def fetch(ref: TrackRef) -> None:
        start.wait(timeout=30)
        code, _, body = server.get(ref.path)
        out.answers[ref] = (code, body)

    def watch_memory() -> None:
        while not done.is_set():
            out.worst_rss_mb = max([out.worst_rss_mb, *server.worker_rss_mb()])
            done.wait(0.05)

    memory = threading.Thread(target=watch_memory, daemon=True)
    memory.start()
    with HealthWatch(server) as watch:
        threads = [threading.Thread(target=fetch, args=(ref,)) for ref in refs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    done.set()
    memory.join(timeout=10)
    out.health, out.health_failures = watch.times, watch.failures
    return out
