"""The planner, as a table of requests and what the plan should look like, plus the
rules every plan keeps at every focus and the durations the skill offers."""

from pathlib import Path

import pytest
import yaml

from content.library import CATEGORIES
from content.planner import FOCUSES, build_plan

CASES = yaml.safe_load((Path(__file__).parent / "data" / "plans.yaml").read_text())
MINUTES = (5, 10, 15, 20, 30, 45, 60)


def _order(plan):
    seen = []
    for s in plan.steps:
        if s.movement.category not in seen:
            seen.append(s.movement.category)
    return seen


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=lambda c: "{minutes}-{focus}".format(**c["ask"]) + ("" if c["ask"].get("roller", True) else "-noroller"),
)
def test_plan_table(case):
    ask = case["ask"]
    plan = build_plan(ask["minutes"], ask["focus"], ask.get("roller", True))
    if "categories" in case:
        assert _order(plan) == case["categories"]
    assert plan.minutes == case.get("minutes", ask["minutes"])
    said = " ".join(plan.notes)
    for words in case.get("notes", []):
        assert words in said
    if "notes" not in case:
        assert plan.notes == ()
    ids = [s.movement.id for s in plan.steps]
    for movement in case.get("includes", []):
        assert movement in ids
    bounds = case.get("steps", {})
    assert bounds.get("min", 1) <= len(plan.steps) <= bounds.get("max", 99)


@pytest.mark.parametrize("roller", [True, False], ids=["roller", "noroller"])
@pytest.mark.parametrize("focus", FOCUSES)
@pytest.mark.parametrize("minutes", MINUTES)
def test_every_plan_keeps_the_rules(minutes, focus, roller):
    plan = build_plan(minutes, focus, roller)
    assert abs(plan.total_seconds - minutes * 60) <= minutes * 60 * 0.05
    order = [CATEGORIES.index(s.movement.category) for s in plan.steps]
    assert order == sorted(order), "circulation, then mobility, then release, then restorative"
    for s in plan.steps:
        assert s.movement.seconds.min <= s.seconds <= s.movement.seconds.max, s.movement.id
        if s.movement.per_side:
            assert s.seconds % 10 == 0, "each side gets whole seconds"
    ids = [s.movement.id for s in plan.steps]
    assert len(ids) == len(set(ids))
    if not roller:
        assert all("foam roller" not in s.movement.equipment for s in plan.steps)
    cardio = sum(s.seconds for s in plan.steps if s.movement.category == "cardio")
    assert cardio <= 30 * 60, "the guide's fifteen to thirty minutes of cardio"


def test_short_plans_are_not_long_plans_cut_off():
    short, long_ = build_plan(5), build_plan(60)
    assert {s.movement.category for s in short.steps} == set(CATEGORIES)
    short_len = {s.movement.id: s.seconds for s in short.steps}
    held = [s for s in short.steps if s.movement.category != "cardio"]  # a warm-up may be brief
    assert all(s.seconds >= 0.75 * s.movement.seconds.default for s in held)
    assert len(short.steps) < len(long_.steps)
    assert short_len.keys() <= {s.movement.id for s in long_.steps}


def test_unknown_focus_is_refused():
    with pytest.raises(ValueError, match="focus must be one of"):
        build_plan(20, "arms")
