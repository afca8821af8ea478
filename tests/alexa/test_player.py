"""The simulated Echo player that `chat --stream` runs on: it must do what Alexa's does with
the skill's directives, or the chat would show a stream a real device would not play."""

from __future__ import annotations

import pytest

from content.planner import PlanInputs
from skill.sim.player import NEARLY, Activity, Player
from speech.local.trackkey import track_path
from speech.script import script_for

BASE = "https://coach.example"
PLAN = PlanInputs(10, "full")
VOICE = "gmw/en-us"


def url(step: int) -> str:
    return BASE + track_path(PLAN, step, voice=VOICE)


def play(step: int, behavior: str = "REPLACE_ALL", after: str | None = None, offset: int = 0) -> dict:
    stream = {"url": url(step), "token": f"r1:{step}", "offsetInMilliseconds": offset}
    if after:
        stream["expectedPreviousToken"] = after
    return {"directives": [{"type": "AudioPlayer.Play", "playBehavior": behavior, "audioItem": {"stream": stream}}]}


def kinds(events: list[dict]) -> list[str]:
    return [e["type"].removeprefix("AudioPlayer.") for e in events]


@pytest.fixture
def steps():
    return script_for(PLAN, stream=True).steps  # the words of the tracks


def test_a_play_starts_the_track_and_names_its_movement(steps):
    player = Player(BASE)
    assert kinds(player.apply(play(0))) == ["PlaybackStarted"]
    assert player.current.name == steps[0].name and player.current.seconds == steps[0].seconds
    assert player.context() == {"playerActivity": "PLAYING", "token": "r1:0", "offsetInMilliseconds": 0}


def test_the_player_asks_for_the_next_track_before_the_end_then_plays_it(steps):
    player = Player(BASE)
    player.apply(play(0))
    heard, events = player.advance(10_000)
    assert kinds(events) == ["PlaybackNearlyFinished"] and player.at == steps[0].seconds - NEARLY
    assert [c.text for c in heard] == [c.text for c in steps[0].cues if c.at < player.at]
    assert player.apply(play(1, "ENQUEUE", after="r1:0")) == []
    heard, events = player.advance(10_000)
    assert kinds(events) == ["PlaybackFinished", "PlaybackStarted"]
    assert events[0]["token"] == "r1:0" and events[1]["token"] == "r1:1" and player.at == 0


def test_an_enqueue_against_the_wrong_token_is_refused():
    player = Player(BASE)
    player.apply(play(0))
    assert player.apply(play(2, "ENQUEUE", after="r1:7")) == [] and player.queue == []
    assert "refused" in player.notes[0]


def test_the_last_track_finishes_the_stream(steps):
    player = Player(BASE)
    player.apply(play(len(steps) - 1))
    player.advance(10_000)
    _, events = player.advance(10_000)
    assert kinds(events) == ["PlaybackFinished"] and player.activity is Activity.FINISHED


def test_stop_reports_the_offset_and_a_replace_all_stops_what_plays():
    player = Player(BASE)
    player.apply(play(0, offset=5000))
    player.advance(20)
    [stopped] = player.apply({"directives": [{"type": "AudioPlayer.Stop"}]})
    assert stopped["type"] == "AudioPlayer.PlaybackStopped" and stopped["offsetInMilliseconds"] == 25_000
    assert player.advance(60) == ([], [])  # a stopped player does not move
    player.apply(play(0, offset=25_000))
    assert kinds(player.apply(play(3))) == ["PlaybackStopped", "PlaybackStarted"]


@pytest.mark.parametrize(
    "bad",
    [
        "http://coach.example/audio/x.mp3",  # not the base URL
        BASE + "/audio/not-a-track.0123456789abcdef01234567.mp3",  # not a key of a track
        BASE + track_path(PLAN, 0, voice=VOICE).replace(".mp3", ".wav"),
    ],
)
def test_a_url_the_server_cannot_serve_fails_playback(bad):
    player = Player(BASE)
    doc = play(0)
    doc["directives"][0]["audioItem"]["stream"]["url"] = bad
    [failed] = player.apply(doc)
    assert failed["type"] == "AudioPlayer.PlaybackFailed" and failed["token"] == "r1:0"
    assert player.activity is Activity.IDLE
