"""Attributes saved by an earlier release must still resume: the blobs below are literal
copies of what the skill wrote (session attributes in the response envelope, per-user
attributes in the store) before states and questions became enums. If one of these
tests fails, a user who walked away mid-routine loses their place after a deploy."""

from __future__ import annotations

import json

from conftest import written

from skill.coach.kept import KEPT_VERSION
from skill.sim.chat import ssml_to_text
from skill.store.sqlite import SQLiteAdapter
from speech import sequencer as seq

# After "start a ten minute recovery", then "next".
SESSION_AFTER_NEXT = '{"pos": {"at": [1, 0], "plan": [10, "full", 1], "state": "active", "v": 1}, "tips": 0}'
# After "start a thirty minute cardio routine", "continue", "give me a tip": part 1 of a long step.
SESSION_MID_STEP_TIP = (
    '{"ask": "tip", "pos": {"at": [0, 1], "plan": [30, "cardio", 1], "state": "active", "v": 1}, "tips": 1}'
)
# The store after that first conversation went on with "pause" and "stop".
SAVED_AFTER_STOP = (
    '{"pos": {"at": [1, 0], "plan": [10, "full", 1], "state": "paused", "v": 1}, "tips": 0, "v": 1, "visits": 2}'
)


def routine(attributes: dict) -> dict:
    """Session attributes without `kept` (the user's kept data)."""
    return {k: v for k, v in attributes.items() if k != "kept"}


def in_session(talk, blob: str) -> None:
    talk.session_id, talk.attributes = "amzn1.echo-api.session.saved", json.loads(blob)


def test_old_session_attributes_go_on_to_the_next_step(talk):
    in_session(talk, SESSION_AFTER_NEXT)
    talk.say("next")
    assert ssml_to_text(talk.speech).startswith("Now, hip circles.")
    assert routine(talk.attributes) == {
        "pos": {"v": 1, "plan": [10, "full", 1], "at": [2, 0], "state": "active"},
        "tips": 0,
    }


def test_old_session_attributes_mid_step_keep_the_question_and_part(talk):
    in_session(talk, SESSION_MID_STEP_TIP)
    talk.say("yes")
    assert "Here's a tip" in ssml_to_text(talk.speech)
    assert routine(talk.attributes) == {
        "ask": "tip",
        "pos": {"v": 1, "plan": [30, "cardio", 1], "at": [0, 1], "state": "active"},
        "tips": 2,
    }
    talk.say("how much time is left")
    assert "About 27 minutes left in brisk walking" in ssml_to_text(talk.speech)


def test_old_saved_attributes_resume_where_the_user_stopped(talk, db, dev_client):
    SQLiteAdapter(db).put(talk.user_id, json.loads(SAVED_AFTER_STOP))
    talk.say("open recovery coach")
    assert "You were partway through your routine. Shall we carry on with leg swings?" in ssml_to_text(talk.speech)
    assert routine(talk.attributes) == {
        "ask": "resume",
        "tips": 0,
        "pos": {"v": 1, "plan": [10, "full", 1], "at": [1, 0], "state": "paused"},
    }
    talk.say("yes")
    said = ssml_to_text(talk.speech)
    assert said.startswith("Find a wall or a chair to hold onto, if you need support. [pause")
    assert "Next, leg swings." in said
    assert routine(talk.attributes) == json.loads(SESSION_AFTER_NEXT)
    written(dev_client)  # the app's queued save, written now rather than in 20 ms
    saved = SQLiteAdapter(db).get(talk.user_id)
    assert saved["v"] == KEPT_VERSION and saved["visits"] == 3 and saved["tips"] == 0  # read old, written as now
    assert saved["pos"] == {"v": 1, "plan": [10, "full", 1], "at": [1, 0], "state": "paused"}  # kept as offered


def test_attributes_round_trip_as_plain_json():
    for blob in (SESSION_AFTER_NEXT, SESSION_MID_STEP_TIP, SAVED_AFTER_STOP):
        attrs = json.loads(blob)["pos"]
        again = seq.to_attributes(seq.from_attributes(attrs))
        assert again == attrs
        assert json.dumps(again, sort_keys=True) == json.dumps(attrs, sort_keys=True)
        assert type(again["state"]) is str and type(again["plan"][1]) is str
