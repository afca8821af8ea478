"""Conversations as transcripts (conversations/*.txt) and every intent in every state
(intent_states.yaml), through the real Flask app and a real SQLite file. Every SSML the
skill returns must pass the SSML validator.

Transcripts are read by tests/transcriptkit.py; `@ +N days` stamps the requests from there on
N days after today (Alexa's timestamp is the skill's clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import DEV_SKILL_ID
from transcriptkit import Front, replay

from content.planner import PlanInputs
from skill.coach.turn import SAVED_VERSION
from skill.sim.chat import Conversation, ssml_to_text
from skill.store.sqlite import SQLiteAdapter
from speech import sequencer as seq
from speech.ssml import validate_ssml

HERE = Path(__file__).parent
TRANSCRIPTS = sorted((HERE / "conversations").glob("*.txt"))
TABLE = yaml.safe_load((HERE / "intent_states.yaml").read_text())
USER = "amzn1.ask.account.table"


def assert_valid_ssml(conv: Conversation) -> None:
    response = conv.last.get("response", {})
    for ssml in (conv.speech, ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")):
        if ssml:
            assert validate_ssml(ssml) == [], ssml


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript(path, talk):
    days, send = [0], talk.send

    def stamped(doc):
        when = datetime.now(UTC) + timedelta(days=days[0])
        doc["request"]["timestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        return send(doc)

    def say(words: str) -> str:
        if not words:
            return ssml_to_text(talk.silence())
        talk.say(words)
        assert talk.last.get("response") is not None, f"{path.name}: refused '{words}': {talk.last}"
        assert_valid_ssml(talk)
        return ssml_to_text(talk.speech)

    talk.send = stamped
    replay(
        path,
        Front(
            say=say,
            ended=lambda: talk.ended,
            state=lambda: (talk.attributes.get("pos") or {}).get("state", "ready"),
            days_on=lambda n: days.__setitem__(0, n),
        ),
    )


def position_for(state: str) -> seq.Position | None:
    if state == "ready":
        return None
    pos = seq.start(PlanInputs(10))
    if state == "finished":
        return seq.Position(PlanInputs(10), pos.step_count - 1, 0, "finished")
    return seq.Position(PlanInputs(10), 1, 0, state)


CASES = [
    (intent, state, expected)
    for intent, row in TABLE.items()
    for state, expected in row.items()
    if not state.startswith("_")
]


@pytest.mark.parametrize("intent, state, expected", CASES, ids=[f"{i}-{s}" for i, s, _ in CASES])
def test_every_intent_in_every_state(intent, state, expected, talk, db):
    words, _, ends = expected.partition("|")
    pos = position_for(state)
    attrs = seq.to_attributes(pos) if pos else None
    SQLiteAdapter(db).put(USER, {"v": SAVED_VERSION, "visits": 3, "tips": 0, "pos": attrs})
    conv = Conversation(talk.send, user_id=USER, skill_id=DEV_SKILL_ID)
    if intent == "LaunchRequest":
        conv.request({"type": "LaunchRequest"}, new_session=True)
    else:
        conv.session_id, conv.attributes = "amzn1.echo-api.session.table", {"pos": attrs} if attrs else {}
        if intent == "SessionEndedRequest":
            conv.request({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
        else:
            slots = {k: {"name": k, "value": v} for k, v in TABLE[intent].get("_slots", {}).items()}
            conv.request({"type": "IntentRequest", "intent": {"name": intent, "slots": slots}})
    response = conv.last["response"]
    assert_valid_ssml(conv)
    assert words.strip().lower() in ssml_to_text(conv.speech).lower()
    assert bool(response.get("shouldEndSession")) == bool(ends.strip()) or intent == "SessionEndedRequest"
    if not ends.strip():
        assert response["reprompt"]["outputSpeech"]["ssml"]
    if intent == "SessionEndedRequest":
        assert "outputSpeech" not in response
        saved = SQLiteAdapter(db).get(USER)
        resumable = (saved["pos"] or {}).get("state") in ("active", "paused")
        assert resumable == (state in ("active", "paused")), "a routine in progress is kept to resume"
