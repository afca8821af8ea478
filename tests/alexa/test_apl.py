"""The step screen on an Echo Show (skill/alexa/apl.py, apl_step.yaml): the document is
valid and binds only data the skill sends, a step-by-step turn on a device with APL sends it
with the spoken part, its countdown is APL's own, its buttons answer as the spoken commands,
and a device without APL gets exactly the answers it got before."""

from __future__ import annotations

import re

import pytest

from content.planner import PlanInputs
from skill.alexa import apl
from skill.coach.replies import default_position
from skill.coach.screen import screen_for
from skill.sim.chat import Conversation, intent_request, match
from skill.sim.screen import APL, rendered, touch
from speech.parts import parts_for
from speech.ssml import render_part

BOUND = re.compile(r"\$\{([^}]*)\}")


def walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def strings(node):
    for d in walk(node):
        yield from (v for v in d.values() if isinstance(v, str))


def test_the_document_is_apl_with_one_parameter_and_a_version_devices_know():
    doc = apl.document()
    assert doc["type"] == "APL" and re.fullmatch(r"20\d\d\.\d", doc["version"])
    assert doc["mainTemplate"]["parameters"] == ["payload"]
    assert all("type" in item for item in doc["mainTemplate"]["items"])


def test_every_field_the_document_binds_is_in_the_data_the_skill_sends():
    data = apl.datasources(screen_for(default_position(), 80))
    fields = set()
    for text in strings(apl.document()):
        for expr in BOUND.findall(text):
            fields |= set(re.findall(r"payload\.step\.(\w+)", expr))
            for name in re.findall(r"\bdata\.(\w+)", expr):
                assert all(name in button for button in data["step"]["buttons"]), name
    assert fields and fields <= set(data["step"]), fields - set(data["step"])


def test_the_countdown_is_drawn_from_elapsed_time_not_from_ticks_sent_by_the_skill():
    ticks = [d for d in walk(apl.document()) if "handleTick" in d]
    assert ticks, "the countdown updates itself"
    for d in ticks:
        (handler,) = d["handleTick"]
        assert handler["minimumDelay"] >= 1000
        assert all("elapsedTime" in c["value"] for c in handler["commands"] if c["type"] == "SetValue")


def test_every_button_sends_an_event_the_skill_answers():
    sent = [d["arguments"] for d in walk(apl.document()) if d.get("type") == "SendEvent"]
    assert sent == [["${data.ask}"]]
    buttons = apl.datasources(screen_for(default_position(), 80))["step"]["buttons"]
    assert [b["ask"] for b in buttons] == list(apl.BUTTONS) == ["pause", "back", "next"]


def say(conv: Conversation, words: str) -> dict:
    m = match(words)
    return conv.request(intent_request(m), new_session=m.new_session)[1]


def test_a_step_by_step_turn_on_a_screen_sends_the_step_screen(talk):
    talk.interfaces = APL
    body = say(talk, "start a ten minute recovery")
    d = rendered(body)
    assert d is not None and d["token"] == apl.TOKEN and d["document"] == apl.document()
    step = d["datasources"]["step"]
    assert (step["title"], step["next"], step["progress"]) == ("Brisk walking", "Next: leg swings", "Step 1 of 7")
    part = render_part(parts_for(PlanInputs(10), 0)[0])  # the first part of the first step, as spoken
    assert step["cue"].startswith("Walk briskly") and step["seconds"] == round(part.estimated_seconds)


def test_a_device_without_apl_gets_the_same_answer_without_a_directive(dev_client):
    def conversation(user: str, interfaces: dict) -> Conversation:
        def send(doc):
            r = dev_client.post("/alexa", json=doc)
            return r.status_code, r.get_json()

        return Conversation(send, user_id=user, interfaces=interfaces)

    plain, screen = conversation("amzn1.ask.account.plain", {}), conversation("amzn1.ask.account.show", APL)
    for words in ("start a ten minute recovery", "next", "how much is left", "go back"):
        a, b = say(plain, words)["response"], say(screen, words)["response"]
        assert "directives" not in a
        assert {k: v for k, v in b.items() if k != "directives"} == a


@pytest.mark.parametrize("button, words", [("next", "next"), ("back", "go back"), ("pause", "pause")])
def test_a_button_answers_as_the_spoken_command(dev_client, button, words):
    def conversation(user: str) -> Conversation:
        def send(doc):
            r = dev_client.post("/alexa", json=doc)
            return r.status_code, r.get_json()

        return Conversation(send, user_id=user, interfaces=APL)

    spoken, touched = conversation(f"amzn1.ask.account.say-{button}"), conversation(f"amzn1.ask.account.tap-{button}")
    for conv in (spoken, touched):
        say(conv, "start a ten minute recovery")
        say(conv, "next")
    by_voice = say(spoken, words)["response"]
    by_touch = touch(touched, button, apl.TOKEN)["response"]
    assert by_touch["outputSpeech"] == by_voice["outputSpeech"]
    assert (rendered({"response": by_touch}) is None) == (rendered({"response": by_voice}) is None)


def test_a_streaming_routine_shows_the_player_not_the_step_screen(talk, monkeypatch):
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", "https://coach.example")
    talk.interfaces = {**APL, "AudioPlayer": {}}
    body = say(talk, "start a ten minute recovery")
    types = [d["type"] for d in body["response"]["directives"]]
    assert types == ["AudioPlayer.Play"]
