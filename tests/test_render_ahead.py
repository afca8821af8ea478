"""A routine's tracks are rendered ahead, so the player never asks for one that is not made.

The whole routine streams through the simulated player (skill/sim/player.py, which asks for
the next track NEARLY seconds before one ends) against the real Flask app, its real track
store and a cold cache. The player's clock is the test's; the renders are real and are
timed. A real device plays at 1x, so track k+1 is enqueued NEARLY seconds before the tracks
up to k have played: each track must have been rendered by then, counted from the moment
the routine started."""

from __future__ import annotations

import time

import pytest

from skill.server.app import create_app
from skill.sim.chat import Conversation
from skill.sim.chat_stream import StreamChat
from skill.sim.player import NEARLY, Player
from speech.local import trackstore
from speech.local.trackkey import TrackRef

BASE = "https://coach.example"
ESPEAK = "gmw/en-us"
SETTLE_S = 120  # the longest a test waits for the renders ahead to finish


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOVERY_COACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", BASE)
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_VOICE", ESPEAK)
    return create_app(dev=True, db_path=tmp_path / "coach.sqlite3", write_behind=False)


def timed_renders(app, monkeypatch) -> list[tuple[int, float]]:
    """(step, when it was rendered) for every render the app's track store makes, in order."""
    tracks, done = app.extensions["recovery_coach.tracks"], []
    render = tracks.render

    def timed(ref: TrackRef):
        path = render(ref)
        done.append((ref.step, time.monotonic()))
        return path

    monkeypatch.setattr(tracks, "render", timed)
    return done


def stream(app, typed: list[str]) -> tuple[StreamChat, list[str]]:
    client = app.test_client()

    def send(doc):
        r = client.post("/alexa", json=doc)
        return r.status_code, r.get_json(silent=True) or {}

    shown: list[str] = []
    player = Player(BASE, tracks=app.extensions["recovery_coach.tracks"])
    chat = StreamChat(Conversation(send), player, show=shown.append)
    for line in typed:
        chat.type(line)
    return chat, shown


@pytest.mark.parametrize("minutes", [5, 15])
def test_every_track_is_made_before_the_player_asks_for_it(app, monkeypatch, minutes):
    renders = timed_renders(app, monkeypatch)
    started = time.monotonic()
    chat, shown = stream(app, [f"start a {minutes} minute recovery"])
    first = chat.player.current
    assert first is not None and first.step == 0
    assert app.test_client().get(first.url[len(BASE) :]).status_code == 200  # the player fetches it now
    chat.type("wait 90:00")
    assert "[the stream has ended]" in shown
    tracks = app.extensions["recovery_coach.tracks"]
    assert tracks.settled(SETTLE_S)
    steps = first.steps
    assert [step for step, _ in renders] == list(range(steps)), "each track once, in the routine's order"
    lengths = [track.seconds for track in sorted(chat.player.known.values(), key=lambda t: t.step)]
    assert len(lengths) == steps
    late = []
    for step, rendered in renders[1:]:
        enqueued = sum(lengths[:step]) - NEARLY  # stream seconds from the start, at 1x
        if rendered - started > enqueued:
            late.append((step, round(rendered - started, 1), enqueued))
    assert late == [], "tracks not ready when the player enqueued them"


def test_a_track_made_ahead_is_served_from_the_cache(app, monkeypatch):
    monkeypatch.setattr(trackstore, "FETCH_WAIT_S", 0.5)  # this player never fetches the track it was sent
    renders = timed_renders(app, monkeypatch)
    chat, _ = stream(app, ["start a 5 minute recovery"])
    tracks = app.extensions["recovery_coach.tracks"]
    assert tracks.settled(SETTLE_S)
    made = len(renders)
    first = chat.player.current
    assert first is not None
    started = tracks.parse(first.url.rsplit("/", 1)[1].removesuffix(".mp3"))
    for step in range(first.steps):
        r = app.test_client().get(TrackRef(started.inputs, step, started.voice, started.rate).path)
        assert r.status_code == 200 and r.mimetype == "audio/mpeg"
    assert len(renders) == made + 1  # only the first track, which the player had not fetched yet


def test_without_a_player_nothing_is_rendered_ahead(app, monkeypatch):
    renders = timed_renders(app, monkeypatch)
    client = app.test_client()

    def send(doc):
        r = client.post("/alexa", json=doc)
        return r.status_code, r.get_json(silent=True) or {}

    conv = Conversation(send)
    conv.say("start a 5 minute recovery")
    assert "brisk walking" in str(conv.speech).lower()
    assert app.extensions["recovery_coach.tracks"].settled(SETTLE_S)
    assert renders == []
