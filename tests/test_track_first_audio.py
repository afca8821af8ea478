"""A track not made yet goes out as it is rendered: the listener's first audio leaves once
the first cue is spoken, not once the whole step is. Through the real Flask app and a real
track store with the real espeak-ng voice; the voice is held at its second cue, as a slow
machine would be, so the test sees what has gone out by then."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from content.planner import PlanInputs
from skill.server.tracks import tracks_blueprint
from speech.local.cache import DiskCache
from speech.local.trackkey import TrackRef
from speech.local.trackstore import TrackStore

ESPEAK = "gmw/en-us"
REF = TrackRef(PlanInputs(20), 0, ESPEAK, 150)


class HeldVoice:
    """The real voice, held before its second clip until the test lets it go on."""

    def __init__(self, speaker, gate: threading.Event) -> None:
        self.speaker, self.gate, self.clips = speaker, gate, 0
        self.kind, self.voice, self.rate = speaker.kind, speaker.voice, speaker.rate

    @property
    def identity(self) -> str:
        return self.speaker.identity

    def clip(self, text):
        self.clips += 1
        if self.clips == 2:
            assert self.gate.wait(timeout=30)
        return self.speaker.clip(text)

    def close(self) -> None:
        self.speaker.close()


class HeldStore(TrackStore):
    def __init__(self, cache: DiskCache, gate: threading.Event) -> None:
        super().__init__(cache, voices=frozenset({ESPEAK}), rates=frozenset({150}))
        self.gate = gate

    def _speaker(self, voice, rate):
        return HeldVoice(super()._speaker(voice, rate), self.gate)


@pytest.fixture
def held(tmp_path):
    gate = threading.Event()
    store = HeldStore(DiskCache(tmp_path / "cache"), gate)
    app = Flask("t")
    app.register_blueprint(tracks_blueprint(store))
    yield app, store, gate
    gate.set()


def test_the_first_audio_goes_out_before_the_track_is_made(held, tmp_path):
    app, store, gate = held
    r = app.test_client().get(REF.path, buffered=False)
    assert r.status_code == 200 and r.mimetype == "audio/mpeg"
    assert r.headers["ETag"] == f'"{REF.key.rsplit(".", 1)[1]}"' and "immutable" in r.headers["Cache-Control"]
    pieces = iter(r.response)
    first = next(pieces)
    assert first.startswith(b"\xff") and store.cached(REF) is None, "audio went out only once the track was made"
    gate.set()
    sent = first + b"".join(pieces)
    clean = TrackStore(DiskCache(tmp_path / "clean")).file(REF).read_bytes()
    assert sent == clean and store.cached(REF).read_bytes() == clean


def test_a_second_listener_follows_the_render_under_way(held, tmp_path):
    app, store, gate = held
    one = app.test_client().get(REF.path, buffered=False)
    first = next(iter(one.response))
    two = app.test_client().get(REF.path, buffered=False)  # while the first is still being made
    assert two.status_code == 200 and store.cached(REF) is None
    gate.set()
    whole = first + b"".join(one.response)
    assert b"".join(two.response) == whole
    finished = app.test_client().get(REF.path)  # now from the cache, with its length and ranges
    assert finished.data == whole and int(finished.headers["Content-Length"]) == len(whole)
