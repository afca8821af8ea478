"""Timed scripts: what a person hears, and when."""

from collections import Counter

import pytest

from content.planner import FOCUSES
from speech.script import script_for
from speech.timing import estimate_seconds

MINUTES = (5, 10, 15, 20, 30, 45, 60)


@pytest.mark.parametrize("focus", FOCUSES)
@pytest.mark.parametrize("minutes", MINUTES)
def test_cues_never_talk_over_each_other_and_fill_the_plan(minutes, focus):
    script = script_for(minutes, focus, True)
    assert script.total_seconds == script.plan.total_seconds
    for step in script.steps:
        for a, b in zip(step.cues, step.cues[1:]):
            assert b.at >= a.at + estimate_seconds(a.text), f"{step.name}: '{b.text}' starts over '{a.text}'"
        last = step.cues[-1]
        assert last.at + estimate_seconds(last.text) <= step.seconds
    times = [at for at, _, _ in script.timeline()]
    assert times == sorted(times)


def test_a_step_introduces_begins_counts_down_and_announces_what_is_next():
    script = script_for(20, "full", True)
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
    script = script_for(20, "full", True)
    step = next(s for s in script.steps if s.movement_id == "pigeon-pose")
    begin = next(c for c in step.cues if c.kind == "begin")
    switch = next(c for c in step.cues if c.kind == "switch")
    end = step.cues[-1]
    assert "left" in begin.text.lower()
    assert abs(switch.at - (begin.at + end.at) / 2) <= 0.1


def test_foam_rolling_reminds_to_pause_on_tender_spots():
    script = script_for(30, "foam-rolling", True)
    said = " ".join(c.text for _, _, c in script.timeline())
    assert "tender spot" in said and "Roll slowly" in said


def test_wording_varies_over_a_twenty_minute_routine():
    said = Counter(c.text for _, _, c in script_for(20).timeline())
    text, count = said.most_common(1)[0]
    assert count <= 4, f"'{text}' is said {count} times"


def test_long_steps_say_how_long_is_left():
    walk = script_for(30, "cardio", True).steps[0]
    said = [c.text for c in walk.cues if c.kind == "minutes"]
    assert any("10 minutes" in t for t in said) and any("One minute" in t for t in said)
