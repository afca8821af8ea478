"""Timed scripts: what a person hears, and when."""

from collections import Counter

import pytest

from content.phrases import variants
from content.planner import FOCUSES, PlanInputs
from speech.script import script_for
from speech.ssml import render_script, validate_ssml
from speech.timing import estimate_seconds

MINUTES = (5, 10, 15, 20, 30, 45, 60)


@pytest.mark.parametrize("focus", FOCUSES)
@pytest.mark.parametrize("minutes", MINUTES)
def test_cues_never_talk_over_each_other_and_fill_the_plan(minutes, focus):
    script = script_for(PlanInputs(minutes, focus, True))
    assert script.total_seconds == script.plan.total_seconds
    for step in script.steps:
        for a, b in zip(step.cues, step.cues[1:]):
            assert b.at >= a.at + estimate_seconds(a.text), f"{step.name}: '{b.text}' starts over '{a.text}'"
        last = step.cues[-1]
        assert last.at + estimate_seconds(last.text) <= step.seconds
    times = [at for at, _, _ in script.timeline()]
    assert times == sorted(times)


def test_a_step_introduces_begins_counts_down_and_announces_what_is_next():
    script = script_for(PlanInputs(20, "full", True))
    first, second = script.steps[0], script.steps[1]
    kinds = [c.kind for c in first.cues]
    assert kinds[:3] == ["welcome", "intro", "begin"]
    assert "sharp pain" in first.cues[0].text
    assert "brisk walking" in first.cues[1].text
    ten_left = next(c for c in first.cues if c.kind == "ten_left")
    end = first.cues[-1]
    assert end.at - ten_left.at == 10
    assert second.name in end.text
    assert script.steps[-1].cues[-1].kind == "finish"


def test_per_side_moves_switch_at_the_half():
    script = script_for(PlanInputs(20, "full", True))
    step = next(s for s in script.steps if s.movement_id == "pigeon-pose")
    begin = next(c for c in step.cues if c.kind == "begin")
    switch = next(c for c in step.cues if c.kind == "switch")
    end = step.cues[-1]
    assert "left" in begin.text.lower()
    assert abs(switch.at - (begin.at + end.at) / 2) <= 0.1


def test_foam_rolling_reminds_to_pause_on_tender_spots():
    script = script_for(PlanInputs(30, "foam-rolling", True))
    said = " ".join(c.text for _, _, c in script.timeline())
    assert "tender spot" in said and "Roll slowly" in said


def test_wording_varies_over_a_twenty_minute_routine():
    said = Counter(c.text for _, _, c in script_for(PlanInputs(20)).timeline())
    text, count = said.most_common(1)[0]
    assert count <= 4, f"'{text}' is said {count} times"


def test_long_steps_say_how_long_is_left():
    walk = script_for(PlanInputs(30, "cardio", True)).steps[0]
    said = [c.text for c in walk.cues if c.kind == "minutes"]
    assert any("10 minutes" in t for t in said) and any("One minute" in t for t in said)


# What a person hears in the new plans, over the whole table of requests.
TABLE = [
    (m, f, r, c, t)
    for m in MINUTES
    for f in FOCUSES
    for r in (True, False)
    for c in ("walking", "cycling", "swimming", "elliptical")
    for t in ((), ("hamstrings",), ("it-band", "lower-back"))
]
TECHNIQUE = set(variants("script.technique"))


def _table_scripts():
    return [script_for(PlanInputs(*ask)) for ask in TABLE]


def test_rolling_says_its_technique_in_the_first_third_of_every_rolling_step():
    for script in _table_scripts():
        for step in script.steps:
            if step.category != "foam-rolling":
                continue
            intro = next(c for c in step.cues if c.kind == "intro")
            said = [c for c in step.cues if c.text in TECHNIQUE]
            assert said, f"{step.name} never says how to roll"
            assert said[0].at - intro.at <= (step.seconds - intro.at) / 3, step.name


def test_a_long_rolling_step_counts_the_pause_on_a_tender_spot():
    step = next(s for s in script_for(PlanInputs(30, "foam-rolling")).steps if s.movement_id == "hamstrings-roll")
    starts = [c.at for c in step.cues if c.text in variants("script.pause_start")]
    dones = [c.at for c in step.cues if c.text in variants("script.pause_done")]
    assert starts and len(starts) == len(dones)
    assert all(20 <= d - s <= 30 for s, d in zip(starts, dones)), "the text's twenty to thirty seconds"


def test_short_steps_are_not_eaten_by_talk():
    """The name and the set-up are said while the person gets into position (so they come
    before "begin", and are short); from "begin" to the sign-off, at least 65% of the step
    from its introduction (the time to get set for a new part left out) is the movement
    itself. (The first step's welcome is not counted here: with a plan's notes it can take
    most of a short first step.)"""
    for script in _table_scripts():
        for step in script.steps:
            assert step.seconds >= 45, step.name
            intro = next(c for c in step.cues if c.kind == "intro")
            begin = next(c for c in step.cues if c.kind == "begin")
            assert begin.at - intro.at <= 16, f"{step.name}: {begin.at - intro.at:.1f} s before the go cue"
            moving = step.cues[-1].at - begin.at
            shown = f"{step.name} ({step.seconds} s): {moving:.1f} s of movement"
            assert step.index == 0 or moving >= 0.65 * (step.seconds - intro.at), shown


@pytest.mark.parametrize(
    "cardio, words",
    [
        ("walking", "on a treadmill at a slight incline or around the block"),
        ("cycling", "Keep the resistance low"),
        ("swimming", "walk in the shallow end"),
        ("elliptical", "fluid motion"),
    ],
)
def test_each_cardio_has_its_own_cues_indoor_wording_first(cardio, words):
    said = " ".join(c.text for _, _, c in script_for(PlanInputs(20, "cardio", True, cardio)).timeline())
    assert words in said
    assert "neighbourhood" not in said


def test_water_walking_warns_once_about_the_speaker():
    said = [c.text for _, _, c in script_for(PlanInputs(30, "full", True, "swimming")).timeline()]
    assert sum("speaker dry and within earshot" in t for t in said) == 1


def test_the_plan_notes_are_said_once_in_the_welcome():
    script = script_for(PlanInputs(60, "stretching", True, "walking", ("hamstrings",)))
    said = [c.text for _, _, c in script.timeline()]
    for note in script.plan.notes:
        assert sum(note in t for t in said) == 1
        assert note in script.steps[0].cues[0].text


def test_every_response_in_the_table_is_valid_ssml():
    for script in _table_scripts():
        for r in render_script(script):
            assert validate_ssml(r.ssml) == [], r.ssml[:80]


def test_the_second_leg_of_leg_swings_is_told_both_directions_and_it_band_is_said_as_letters():
    script = script_for(PlanInputs(20))
    swings = next(s for s in script.steps if s.name == "leg swings")
    switch = [c.text for c in swings.cues if c.kind == "switch"]
    assert len(switch) == 1 and switch[0].endswith("Forward and backward first.")
    assert [c.text for c in swings.cues if c.kind == "half"] == ["Now swing side to side."] * 2
    spoken = " ".join(c.text for s in script_for(PlanInputs(30)).steps for c in s.cues)
    assert "I.T. band roll" in spoken and "IT band" not in spoken
