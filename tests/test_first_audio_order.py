"""What decides how soon a routine's first audio plays, as the order things happen in (never
their timing): with the real neural voice a first track's first MP3 frames are made once
its first sentence is said, before the rest of its first cue is (the server sends them as
they are made: tests/test_track_first_audio.py); the routine's render ahead
starts only once the track the player fetches first is made; and the sentences routines
open with are the first of every plan without sore areas (a plan aimed at sore areas opens
with a sentence naming them, said when it is first asked for)."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from content.planner import CARDIO_CHOICES, FOCUSES, PlanInputs
from skill.server.tracks import tracks_blueprint
from speech.local import mp3, sentences, tracks
from speech.local.cache import DiskCache
from speech.local.engine import Engine
from speech.local.openings import openings
from speech.local.trackkey import TrackRef
from speech.local.trackstore import TrackStore
from speech.local.voices import CachedSpeaker
from speech.script import script_for

ESPEAK = "gmw/en-us"


class Told:
    """A real voice that notes every text it is asked for, and holds before the `hold`th
    (setting `holding`) until the test lets it go on."""

    def __init__(self, speaker, said: list[str], hold: int = 0, gate=None, holding=None) -> None:
        self.speaker, self.said, self.hold, self.gate, self.holding = speaker, said, hold, gate, holding
        self.kind, self.voice, self.rate = speaker.kind, speaker.voice, speaker.rate

    @property
    def identity(self) -> str:
        return self.speaker.identity

    def clip(self, text):
        parts = sentences.parts(self.kind, text)
        if len(parts) > 1:  # a whole cue: its sentences, as the cached voice asks for them
            return sentences.join([self.clip(part) for part in parts])
        self.said.append(text)
        if len(self.said) == self.hold:
            self.holding.set()
            assert self.gate.wait(timeout=60)
        return self.speaker.clip(text)

    def close(self) -> None:
        pass


class ToldStore(TrackStore):
    """The real track store in espeak-ng, its voice a Told."""

    def __init__(self, cache: DiskCache, said: list[str], hold: int = 0) -> None:
        super().__init__(cache, voices=frozenset({ESPEAK}), rates=frozenset({150}))
        self.said, self.hold, self.gate, self.holding = said, hold, threading.Event(), threading.Event()

    def _speaker(self, voice, rate):
        return Told(super()._speaker(voice, rate), self.said, self.hold, self.gate, self.holding)


def test_the_first_audio_is_made_once_the_first_sentence_is_said(neural):
    script = script_for(PlanInputs(5))
    welcome = sentences.split(script.steps[0].cues[0].text)
    said: list[str] = []
    first = next(mp3.encode(tracks.progressive(script, 0, Told(neural, said), free_at=mp3.ENCODER_DELAY)))
    assert first.startswith(b"\xff"), "no MP3 frame"
    assert said == welcome[:1] and len(welcome) == 3, "the first audio waited for more than the first sentence"


def test_a_routine_is_rendered_ahead_once_its_first_track_is_made(tmp_path):
    said: list[str] = []
    store = ToldStore(DiskCache(tmp_path / "cache"), said)
    first, second = TrackRef(PlanInputs(5), 0, ESPEAK, 150), TrackRef(PlanInputs(5), 1, ESPEAK, 150)
    store.ahead([second], after=first)  # the skill has just sent the first track to a player
    threading.Event().wait(0.3)  # the player's request comes a moment later
    store.file(first)
    assert store.settled(60)
    firsts = [cue.text for cue in first.script.steps[0].cues]
    assert said[: len(firsts)] == firsts, "the track rendered ahead began before the one fetched"
    assert store.cached(second) is not None


def test_a_first_track_whose_opening_is_cached_starts_while_a_render_ahead_speaks(tmp_path):
    said: list[str] = []
    store = ToldStore(DiskCache(tmp_path / "cache"), said, hold=1)
    first, other = TrackRef(PlanInputs(20), 0, ESPEAK, 150), TrackRef(PlanInputs(5), 1, ESPEAK, 150)
    opening = first.script.steps[0].cues[0].text
    CachedSpeaker(Engine(ESPEAK, 150), store.cache).clip(opening)  # said at the server's start
    app = Flask("t")
    app.register_blueprint(tracks_blueprint(store))
    store.ahead([other])
    try:
        assert store.holding.wait(30), "the render ahead never began"
        r = app.test_client().get(first.path, buffered=False)
        pieces = iter(r.response)
        assert r.status_code == 200 and next(pieces).startswith(b"\xff")
        assert said == [other.script.steps[1].cues[0].text], "the first audio waited for a synthesis"
    finally:
        store.gate.set()
    assert b"".join(pieces) and store.settled(60)


@pytest.mark.parametrize("minutes", [5, 14, 15, 33, 60])
def test_every_routine_opens_with_a_sentence_said_ahead(minutes):
    for n, focus in enumerate(FOCUSES):
        plan = PlanInputs(
            minutes,
            focus=focus,
            cardio=CARDIO_CHOICES[n % len(CARDIO_CHOICES)],
            has_foam_roller=n % 2 == 0,
        )
        first = script_for(plan).steps[0].cues[0].text
        assert sentences.split(first)[0] in openings(), plan
