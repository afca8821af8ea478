"""No input breaks the endpoint. The envelopes of the recorded conversations
(conversations/*.txt, replayed through the real Flask app) are mutated: fields dropped,
values of the wrong type, huge and odd-Unicode strings, deep nesting, unknown intents,
odd slots, garbled session attributes; hypothesis adds envelopes of its own. Each goes
through the real app and SQLite file. A user would notice any of: a 5xx, a traceback in
the log, or speech Alexa cannot say (SSML that is not XML, has characters XML forbids,
is 8,000 characters or more, or fails validate_ssml)."""

from __future__ import annotations

import copy
import json
import logging
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import DEV_SKILL_ID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.envelope import PLAYER_TYPES
from skill.server.app import create_app
from skill.sim.chat import Conversation
from skill.sim.chat_stream import StreamChat
from skill.sim.player import Player
from speech.ssml import FORBIDDEN, MAX_SSML_CHARS, validate_ssml

HERE = Path(__file__).parent
MUTANTS_PER_ENVELOPE = 40
STREAM_BASE = "https://coach.example"
ODD_STRINGS = [
    "",
    " ",
    "\x00\x01\x1b[31m\x7f",
    "\ud800",
    "a\udfffb",
    "\ufffe\uffff",
    "line\nforged log line\r\n",
    "<speak>&amp;</speak>",
    "]]><!--",
    "e\u0301\u200b\u202e\U0001f9b5",
    "PT" + "9" * 400 + "M",
    "P" + "9" * 30 + "W",
    "-PT5M",
    "PT1.5M",
    "9" * 400 + " minutes",
    "x" * 100_000,
    "word " * 5000,
]
ODD_VALUES = [None, 0, -1, 10**40, 1.5e308, True, [], {}, [None], {"": None}, *ODD_STRINGS]
ODD_SLOTS = [
    {"name": "movement", "value": None, "resolutions": None},
    {"name": "movement", "value": "hip circles", "resolutions": {"resolutionsPerAuthority": None}},
    {"name": "movement", "value": "x", "resolutions": {"resolutionsPerAuthority": [None]}},
    {"name": "focus", "value": "y", "resolutions": {"resolutionsPerAuthority": [{"status": None, "values": None}]}},
    {
        "name": "focus",
        "value": "z",
        "resolutions": {
            "resolutionsPerAuthority": [{"status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": {"id": 5}}]}]
        },
    },
    {"name": "duration", "value": "PT" + "9" * 400 + "M"},
    {"name": "duration", "value": "\ud800"},
    {"value": "x" * 100_000},
]
INTENTS = ["DanceIntent", "", "AMAZON.NextIntent", "HowToIntent", "StartRoutineIntent", "x" * 5000, "\ud800"]


def nested(depth: int) -> object:
    node: object = "bottom"
    for i in range(depth):
        node = [node] if i % 2 else {"k": node}
    return node


RECORDED: list[dict] = []  # recorded once per test run: the fuzz and serializer tests share them


def recorded_envelopes(app) -> list[dict]:
    """Every request envelope the transcripts send, as the chat simulator builds them
    (each caller gets its own copies)."""
    if not RECORDED:
        RECORDED.extend(_record(app))
    return copy.deepcopy(RECORDED)


def _record(app) -> list[dict]:
    client, sent = app.test_client(), []

    def send(doc):
        sent.append(copy.deepcopy(doc))
        r = client.post("/alexa", json=doc)
        return r.status_code, r.get_json(silent=True) or {}

    for path in sorted((HERE / "conversations").glob("*.txt")):
        conv = Conversation(send, user_id=f"amzn1.ask.account.fuzz-{path.stem}")
        for line in path.read_text().splitlines():
            if line.startswith(">"):
                typed = line[1:].strip()
                conv.say(typed) if typed else conv.silence()
    spoken = len(sent)
    for path in sorted((HERE / "chat_streams").glob("*.txt")):  # a device with a player: its events too
        conv = Conversation(send, user_id=f"amzn1.ask.account.fuzz-stream-{path.stem}")
        chat = StreamChat(conv, Player(STREAM_BASE), show=lambda line: None)
        for line in path.read_text().splitlines():
            if line.startswith(">"):
                chat.type(line[1:].strip())
    return sent[:spoken] + sent[spoken::3]  # a whole routine's events are much alike: every third


def paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def put(doc: dict, path: tuple, value: object, delete: bool = False) -> None:
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value


def mutate(doc: dict, rng: random.Random) -> dict:
    doc = copy.deepcopy(doc)
    where = [p for p in paths(doc) if p]
    kind = rng.randrange(7)
    if kind == 0:
        put(doc, rng.choice(where), None, delete=True)
    elif kind == 1:
        put(doc, rng.choice(where), rng.choice(ODD_VALUES))
    elif kind == 2:
        put(doc, rng.choice(where), nested(rng.choice([63, 65, 300, 900])))
    elif kind == 3:
        doc["request"] = {**doc["request"], "type": "IntentRequest", "intent": {"name": rng.choice(INTENTS)}}
    elif kind == 4:
        slot = copy.deepcopy(rng.choice(ODD_SLOTS))
        intent = {"name": rng.choice(["HowToIntent", "StartRoutineIntent"]), "slots": {"s": slot}}
        doc["request"] = {**doc["request"], "type": "IntentRequest", "intent": intent}
        if "name" in slot:
            intent["slots"] = {slot["name"]: slot}
    elif kind == 5:
        attrs = rng.choice(
            [ODD_VALUES, [{"pos": v} for v in ODD_VALUES], [{"pos": {"v": 1, "plan": v}} for v in ODD_VALUES]]
        )
        doc.setdefault("session", {})["attributes"] = rng.choice(attrs)
    else:
        for who in (doc.get("session", {}).get("user"), doc.get("context", {}).get("System", {}).get("user")):
            if isinstance(who, dict):
                who["userId"] = rng.choice(ODD_STRINGS)
    return doc


class Tracebacks(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if record.exc_info or "Traceback" in record.getMessage():
            self.records.append(record)


@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", STREAM_BASE)
    return create_app(dev=True, skill_id=DEV_SKILL_ID, db_path=db, tracks_ahead=False)


@pytest.fixture
def tracebacks():
    handler = Tracebacks()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


def check(client, body: bytes) -> int:
    r = client.post("/alexa", data=body, content_type="application/json")
    assert r.status_code < 500, body[:300]
    out = r.get_json(silent=True)
    assert isinstance(out, dict), body[:300]
    if r.status_code == 400:
        assert "\n" not in out["error"] and len(out["error"]) < 300
    response = out.get("response") or {}
    for speech in (response.get("outputSpeech"), (response.get("reprompt") or {}).get("outputSpeech")):
        ssml = (speech or {}).get("ssml")
        if ssml:
            assert not FORBIDDEN.search(ssml), ssml[:300]
            assert len(ssml) < MAX_SSML_CHARS
            ET.fromstring(re.sub("^<speak", '<speak xmlns:amazon="urn:amazon"', ssml))
            assert validate_ssml(ssml) == [], ssml[:300]
    return r.status_code


def test_mutated_conversation_envelopes_never_break_the_endpoint(app, tracebacks):
    client, rng = app.test_client(), random.Random(10)
    recorded = recorded_envelopes(app)
    statuses = []
    for doc in recorded:
        for _ in range(MUTANTS_PER_ENVELOPE):
            statuses.append(check(client, json.dumps(mutate(doc, rng)).encode()))
    raw = [b"[" * 1000 + b"]" * 1000, b'{"a":' * 100_000, b"\xff\xfe{}", b'{"request": "\\ud800"}', b"1e999999"]
    statuses += [check(client, body) for body in raw]
    assert len(statuses) >= 3000
    assert tracebacks == []
    assert statuses.count(200) > len(statuses) // 4  # most mutants still get an answer, not just a refusal


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
slot_shapes = st.fixed_dictionaries(
    {"name": st.text(max_size=10), "value": st.none() | st.text(max_size=200)},
    optional={"resolutions": json_values, "confirmationStatus": json_values},
)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    intent=st.sampled_from(["StartRoutineIntent", "HowToIntent", "AMAZON.YesIntent", "Nope"]) | st.text(max_size=20),
    slots=st.dictionaries(st.sampled_from(["duration", "focus", "roller", "movement"]), slot_shapes, max_size=3),
    attributes=json_values,
    user=st.text(max_size=40),
    extra=json_values,
)
def test_generated_envelopes_never_break_the_endpoint(app, tracebacks, intent, slots, attributes, user, extra):
    doc = {
        "version": "1.0",
        "session": {"new": False, "sessionId": "s", "application": {"applicationId": DEV_SKILL_ID}},
        "context": {"System": {"application": {"applicationId": DEV_SKILL_ID}, "user": {"userId": user}}},
        "request": {
            "type": "IntentRequest",
            "requestId": "r",
            "timestamp": "2026-01-01T00:00:00Z",
            "intent": {"name": intent, "slots": slots},
            "extra": extra,
        },
    }
    doc["session"]["attributes"] = attributes
    check(app.test_client(), json.dumps(doc).encode())
    assert tracebacks == []


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from(PLAYER_TYPES),
    token=st.none() | st.text(max_size=30) | st.sampled_from(["0.0", "zz.999999", "a.-1", "."]),
    offset=json_values,
    player=json_values,
    interfaces=json_values,
)
def test_generated_player_events_never_break_the_endpoint(app, tracebacks, kind, token, offset, player, interfaces):
    """Events come with no session: every field of them and of context.AudioPlayer may be odd."""
    doc = {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": DEV_SKILL_ID},
                "user": {"userId": "amzn1.ask.account.fuzz-player"},
                "device": {"supportedInterfaces": interfaces},
            },
            "AudioPlayer": player,
        },
        "request": {
            "type": kind,
            "requestId": "r",
            "timestamp": "2026-01-01T00:00:00Z",
            "token": token,
            "offsetInMilliseconds": offset,
        },
    }
    assert check(app.test_client(), json.dumps(doc).encode()) < 500
    assert tracebacks == []
