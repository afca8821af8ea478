"""Alexa responses: every one the scripts can produce keeps Alexa's rules, and the
validator catches what breaks them."""

import pytest

from content.phrases import phrase
from content.planner import FOCUSES, PlanInputs, build_plan, with_note
from speech.script import build_script, script_for
from speech.ssml import breaks, prepend, render_script, render_step, speak, text, validate_ssml
from speech.timing import estimate_seconds

MINUTES = (5, 10, 15, 20, 30, 45, 60)


@pytest.mark.parametrize("roller", [True, False], ids=["roller", "noroller"])
@pytest.mark.parametrize("focus", FOCUSES)
@pytest.mark.parametrize("minutes", MINUTES)
def test_every_response_passes_the_validator(minutes, focus, roller):
    script = script_for(PlanInputs(minutes, focus, roller))
    responses = render_script(script)
    assert {r.step for r in responses} == set(range(len(script.steps)))
    for r in responses:
        assert validate_ssml(r.ssml) == [], (r.step, r.part)
        assert r.estimated_seconds <= 240 and len(r.ssml) < 8000


def test_responses_keep_the_schedule():
    """A step's responses, less their prompts, last as long as the step."""
    script = script_for(PlanInputs(20))
    for step in script.steps:
        responses = render_step(script, step.index)
        prompts = sum(estimate_seconds(phrase("ssml.prompt_continue")) for _ in responses[:-1])
        prompts += estimate_seconds(
            phrase("ssml.prompt_finish" if step.index == len(script.steps) - 1 else "ssml.prompt_next")
        )
        spoken = sum(r.estimated_seconds for r in responses) - prompts
        assert abs(spoken - step.seconds) <= 2, step.name


def test_a_long_walk_is_split_at_cues_and_asks_to_continue():
    responses = render_step(script_for(PlanInputs(30, "cardio")), 0)
    assert len(responses) >= 8
    assert all("Say continue" in r.ssml for r in responses[:-1])
    assert "give me a tip, or stop to finish" in responses[-1].ssml


def test_each_step_ends_by_saying_what_to_say_next():
    responses = render_script(script_for(PlanInputs(10)))
    assert "Say next when you're ready." in responses[0].ssml


def test_plan_notes_are_spoken_first():
    inputs, note = PlanInputs.asked(90, "yoga")
    first = render_script(build_script(with_note(build_plan(inputs), note)))[0].ssml
    assert first.startswith("<speak>The longest routine I can plan is 60 minutes")


def test_long_silences_are_chained_breaks_of_ten_seconds_at_most():
    assert breaks(25) == '<break time="10s"/><break time="10s"/><break time="5s"/>'
    assert breaks(2.35) == '<break time="2400ms"/>'
    assert breaks(0.04) == ""


def test_text_is_escaped():
    ssml = speak(text("Rock & roll <loud> > quiet"))
    assert validate_ssml(ssml) == []
    assert "&amp;" in ssml and "&lt;loud&gt;" in ssml


@pytest.mark.parametrize(
    "ssml, complaint",
    [
        ('<speak>Hi<break time="11s"/></speak>', "longer than 10s"),
        ('<speak>Hi<break time="soon"/></speak>', "not like 500ms"),
        ('<speak>Hi<break strength="huge"/></speak>', "strength"),
        ("<speak>Salt & pepper</speak>", "not well-formed"),
        ("<speak><blink>Hi</blink></speak>", "<blink> is not supported"),
        ("<voice>Hi</voice>", "root element"),
        ("<speak>" + "word " * 1700 + "</speak>", "characters"),
        ("<speak>" + '<break time="10s"/>' * 25 + "</speak>", "the limit is 240s"),
    ],
)
def test_validator_catches_broken_ssml(ssml, complaint):
    problems = validate_ssml(ssml)
    assert any(complaint in p for p in problems), problems


def test_amazon_tags_are_allowed():
    ssml = (
        '<speak><amazon:effect name="whispered">Relax.</amazon:effect> '
        '<say-as interpret-as="cardinal">10</say-as></speak>'
    )
    assert validate_ssml(ssml) == []


def test_words_said_before_a_step_do_not_move_where_it_splits():
    script = script_for(PlanInputs(30, "cardio"))
    parts = render_step(script, 0)
    lead = prepend(parts[3].ssml, "Welcome back & well done.")
    assert lead.startswith("<speak>Welcome back &amp; well done. ")
    assert validate_ssml(lead) == []
    assert render_step(script, 0) == parts
