"""A coach's order, in every plan the planner makes: a movement's first round says its name
and how to get into position before the go cue, and the technique after it; a new part
starts with one line to get set for it, with time for that counted in the plan."""

import itertools
from pathlib import Path

import pytest
import yaml

from content.planner import AREAS, CARDIO_CHOICES, FOCUSES, GET_SET, ROTATIONS, PlanInputs, build_plan
from speech.script import build_script
from speech.states import CueKind

CASES = yaml.safe_load((Path(__file__).parent / "data" / "plans.yaml").read_text())
# Every length, focus, roller and day of the week; each cardio choice and sore area at a few lengths.
EVERY = [
    *(
        PlanInputs(minutes, focus, roller, "walking", (), rotation)
        for minutes, focus, roller, rotation in itertools.product(
            range(5, 61), FOCUSES, (True, False), range(ROTATIONS)
        )
    ),
    *(
        PlanInputs(minutes, focus, roller, cardio)
        for minutes, focus, roller, cardio in itertools.product((5, 15, 30, 60), FOCUSES, (True, False), CARDIO_CHOICES)
    ),
    *(PlanInputs(minutes, "full", True, "walking", (area,)) for minutes, area in itertools.product((5, 20, 45), AREAS)),
    *(
        PlanInputs(
            c["ask"]["minutes"],
            c["ask"]["focus"],
            c["ask"].get("roller", True),
            c["ask"].get("cardio", "walking"),
            tuple(c["ask"].get("targets", ())),
        )
        for c in CASES
    ),
]


def order_faults(inputs: PlanInputs) -> list[str]:
    """What a person would hear out of order in this plan (nothing, when all is well)."""
    plan = build_plan(inputs)
    script = build_script(plan)
    faults = []
    for i, (step, said) in enumerate(zip(plan.steps, script.steps)):
        where = f"{inputs}: step {i} ({step.movement.name})"
        kinds = [c.kind for c in said.cues]
        texts = [c.text for c in said.cues]
        intro, begin = kinds.index(CueKind.INTRO), kinds.index(CueKind.BEGIN)
        if begin < intro or said.cues[begin].at <= said.cues[intro].at:
            faults.append(f"{where}: go cue before the name")
        if step.round == 1:
            setup, *technique = step.movement.steps
            if setup not in texts[intro]:
                faults.append(f"{where}: the set-up is not said before the go cue: {texts[: begin + 1]}")
            for text in technique:
                if text not in texts[begin + 1 :]:
                    faults.append(f"{where}: the technique '{text}' is not said after the go cue")
        new_part = i > 0 and step.movement.category != plan.steps[i - 1].movement.category
        if new_part != (step.get_set == GET_SET) or new_part != (kinds[0] == CueKind.GET_SET):
            faults.append(f"{where}: a new part without time and a line to get set (or one where none starts)")
        if new_part and said.cues[intro].at < GET_SET:
            faults.append(f"{where}: the name comes {said.cues[intro].at} s into the {GET_SET} s to get set")
    if plan.total_seconds != sum(s.seconds for s in script.steps):
        faults.append(f"{inputs}: the script does not last the plan")
    return faults


def test_every_plan_sets_you_up_before_it_says_go():
    faults = [f for inputs in EVERY for f in order_faults(inputs)]
    assert not faults, f"{len(faults)} faults, first: " + "\n".join(faults[:10])


def test_the_step_onto_the_floor_says_what_to_get_and_leaves_time_for_it():
    script = build_script(build_plan(PlanInputs(20)))
    roll = next(s for s in script.steps if s.category == "foam-rolling")
    first, intro = roll.cues[0], roll.cues[1]
    assert first.at == 0 and first.text == "Grab your foam roller and get down on the floor."
    assert intro.at >= GET_SET and "Lie face down with the foam roller under your thighs" in intro.text


@pytest.mark.parametrize("minutes", [5, 20, 60])
def test_the_time_to_get_set_is_counted_in_the_plan(minutes):
    plan = build_plan(PlanInputs(minutes))
    parts = len({s.movement.category for s in plan.steps})
    assert sum(s.get_set for s in plan.steps) == GET_SET * (parts - 1)
    assert plan.total_seconds == minutes * 60  # and the routine still lasts what was asked
