"""What /audio refuses to do for anyone who asks: render a track the skill would not ask for,
render for HEAD, queue more renders than it can make, or keep more voices loaded than two.
Through the real Flask app and the real engines; what is checked is what the client is
answered and what lands in the audio cache."""

from __future__ import annotations

import base64
import hashlib
import json
import threading

import pytest

from content.planner import PlanInputs
from skill.server.app import create_app
from skill.server.tracks import tracks_blueprint
from skill.store.base import ConfigError
from speech.local import trackkey
from speech.local.cache import DiskCache
from speech.local.trackkey import TrackRef
from speech.local.trackstore import RENDERING, WAITING, TrackStore
from speech.script import script_for

BASE = "https://coach.example"
ESPEAK = "gmw/en-us"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache of this test's own, so what a request rendered can be seen in it; streaming on,
    the tracks named after an espeak-ng voice (quick to render)."""
    monkeypatch.setenv("RECOVERY_COACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", BASE)
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_VOICE", ESPEAK)
    return DiskCache(tmp_path / "cache")


def rendered(cache: DiskCache) -> int:
    return sum(1 for e in cache.entries() if "/tracks/" in e.path)


def forged(doc: dict) -> str:
    """The path of a key anyone could make for `doc`: the digest is right for what it says
    (the key carries no secret), it is only not canonical or not served."""
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    inputs = PlanInputs(**doc["plan"])
    step = script_for(inputs).steps[min(doc["step"], len(script_for(inputs).steps) - 1)]
    text = json.dumps([step.seconds, [[c.at, c.kind, c.text] for c in step.cues]], ensure_ascii=False)
    parts = [trackkey.RENDER_VERSION, raw, trackkey.voice_model(doc["voice"]), text]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"/audio/{base64.urlsafe_b64encode(raw.encode()).decode().rstrip('=')}.{digest}.mp3"


def served_doc(**change) -> dict:
    return {"plan": {"minutes": 5}, "rate": 150, "step": 1, "voice": ESPEAK, **change}


def test_without_streaming_there_is_no_audio_route(cache, monkeypatch):
    monkeypatch.delenv("RECOVERY_COACH_AUDIO_BASE_URL")
    client = create_app(dev=True).test_client()
    path = TrackRef(PlanInputs(5), 1, ESPEAK, 150).path
    for method in ("GET", "HEAD"):
        assert client.open(path, method=method).status_code == 404
    assert rendered(cache) == 0


NOT_ASKED_FOR = {
    "a rate the skill does not use": served_doc(rate=151),
    "the slowest rate espeak-ng has": served_doc(rate=80),
    "an installed voice the skill does not use": served_doc(voice="gmw/en-gb-x-rp"),
    "four minutes": served_doc(plan={"minutes": 4}),
    "sixty-one minutes": served_doc(plan={"minutes": 61}),
    "six hundred minutes": served_doc(plan={"minutes": 600}),
    "a step past the plan's end": served_doc(step=99),
}


@pytest.mark.parametrize("doc", NOT_ASKED_FOR.values(), ids=NOT_ASKED_FOR.keys())
def test_a_track_the_skill_would_not_ask_for_is_404_and_never_rendered(cache, doc):
    client = create_app(dev=True).test_client()
    for method in ("GET", "HEAD"):
        r = client.open(forged(doc), method=method)
        assert r.status_code == 404, method
    assert client.get(forged(served_doc())).status_code == 200  # the same key, as the skill names it
    assert rendered(cache) == 1


def test_an_operator_lists_more_voices_and_rates(cache, monkeypatch):
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_VOICES", " gmw/en-gb-x-rp ,")
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_RATES", "180, 200")
    client = create_app(dev=True).test_client()
    for voice, rate, code in [
        ("gmw/en-gb-x-rp", 180, 200),
        (ESPEAK, 200, 200),
        (ESPEAK, 190, 404),
        ("gmw/en", 180, 404),
    ]:
        assert client.get(TrackRef(PlanInputs(5), 0, voice, rate).path).status_code == code, (voice, rate)


@pytest.mark.parametrize("rates", ["fast", "79", "451", "150.5", "-150"])
def test_a_rates_setting_that_is_not_rates_stops_the_server_with_a_sentence(cache, monkeypatch, rates):
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_RATES", f"150,{rates}")
    with pytest.raises(ConfigError, match=f"RECOVERY_COACH_AUDIO_RATES lists '{rates}'.* from 80 to 450"):
        create_app(dev=True)


def test_head_never_renders_and_answers_a_rendered_track_with_its_headers(cache):
    client = create_app(dev=True).test_client()
    path = forged(served_doc())
    head = client.head(path)
    assert head.status_code == 503 and head.headers["Retry-After"].isdigit()
    assert head.headers["Cache-Control"] == "no-store"  # a CDN must not keep it for the GET to come
    assert rendered(cache) == 0
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "audio/mpeg"
    assert int(head.headers["Content-Length"]) == len(got.data) and head.headers["ETag"] == got.headers["ETag"]


class HeldStore(TrackStore):
    """A real store whose renders wait at a gate once they are under way, so a test can see
    the queue full (the waiting is in the store; the render is the real one)."""

    def __init__(self, cache: DiskCache, arrived: threading.Barrier, gate: threading.Event) -> None:
        super().__init__(cache, voices=frozenset({ESPEAK}), rates=frozenset({150}))
        self.arrived, self.gate = arrived, gate

    def _file_lock(self, key, deadline):
        if not self.gate.is_set():
            self.arrived.wait(timeout=30)  # every queued request has come this far
            self.gate.wait(timeout=30)
        return super()._file_lock(key, deadline)


def test_renders_beyond_the_queue_are_503_with_retry_after_and_then_served(tmp_path):
    from flask import Flask

    queued = RENDERING + WAITING
    arrived, gate = threading.Barrier(queued + 1), threading.Event()
    store = HeldStore(DiskCache(tmp_path), arrived, gate)
    app = Flask("t")
    app.register_blueprint(tracks_blueprint(store))
    paths = [TrackRef(PlanInputs(5, rotation=r), s, ESPEAK, 150).path for r in range(3) for s in range(2)]
    codes: dict[str, int] = {}

    def fetch(path):
        codes[path] = app.test_client().get(path).status_code

    threads = [threading.Thread(target=fetch, args=(p,)) for p in paths[:queued]]
    for t in threads:
        t.start()
    arrived.wait(timeout=30)  # the queue is full
    r = app.test_client().get(paths[queued])
    assert r.status_code == 503 and r.headers["Retry-After"].isdigit() and rendered(store.cache) == 0
    gate.set()
    for t in threads:
        t.join()
    assert list(codes.values()) == [200] * queued
    assert app.test_client().get(paths[queued]).status_code == 200  # its turn, asked again


def test_at_most_two_voices_are_held_and_the_least_recently_used_goes_first(tmp_path):
    store = TrackStore(DiskCache(tmp_path), voices=frozenset({ESPEAK}), rates=frozenset({150, 160, 170}))
    for step, rate in [(0, 150), (0, 160), (1, 150), (0, 170)]:
        store.file(TrackRef(PlanInputs(5), step, ESPEAK, rate))
    assert store.speakers == ((ESPEAK, 150), (ESPEAK, 170))
    store.close()
    assert store.speakers == ()


CLOSED_ENGINE = """
from speech.local.piper_engine import PiperEngine

def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024

before = rss_mb()
engine = PiperEngine(150)
engine.clip("Roll your calves slowly.")
loaded = rss_mb()
engine.close()
print(before, loaded, rss_mb())
"""


def test_a_closed_neural_voice_gives_its_memory_back():
    """In a process of its own, so what other tests loaded does not blur its memory."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", CLOSED_ENGINE], capture_output=True, text=True, check=True)
    before, loaded, closed = (float(x) for x in run.stdout.split())
    assert loaded - before > 60, "the model was not loaded at all"
    assert closed < loaded - 60, f"{before:.0f} MB, {loaded:.0f} MB loaded, {closed:.0f} MB closed"
