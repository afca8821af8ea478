"""The planner, as a table of requests and what the plan should look like, plus the
rules every plan keeps at every focus, length, cardio choice and sore area."""

from pathlib import Path

import pytest
import yaml

from content.library import CATEGORIES, library
from content.planner import AREAS, CARDIO_CHOICES, FOCUSES, ROTATIONS, PlanInputs, build_plan, with_note

CASES = yaml.safe_load((Path(__file__).parent / "data" / "plans.yaml").read_text())
MINUTES = (5, 10, 15, 20, 30, 45, 60)
EVERY_MINUTE = range(5, 61)
PARTS = ("cardio", "stretching", "foam-rolling", "yoga")  # the focuses that are one part


def _order(plan):
    seen = []
    for s in plan.steps:
        if s.movement.category not in seen:
            seen.append(s.movement.category)
    return seen


def _plan(ask):
    roller, cardio, targets = ask.get("roller", True), ask.get("cardio", "walking"), tuple(ask.get("targets", ()))
    inputs, note = PlanInputs.asked(ask["minutes"], ask["focus"], roller, cardio, targets)
    return with_note(build_plan(inputs), note)


def _case_id(case):
    ask = case["ask"]
    extra = (
        [k for k in ("cardio",) if k in ask]
        + ask.get("targets", [])
        + ([] if ask.get("roller", True) else ["noroller"])
    )
    return "-".join([str(ask["minutes"]), ask["focus"], *[ask.get(e, e) for e in extra]])


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_plan_table(case):
    plan = _plan(case["ask"])
    if "categories" in case:
        assert _order(plan) == case["categories"]
    assert plan.inputs.minutes == case.get("minutes", case["ask"]["minutes"])
    said = " ".join(plan.notes)
    for words in case.get("notes", []):
        assert words in said
    if "notes" not in case:
        assert plan.notes == ()
    ids = [s.movement.id for s in plan.steps]
    assert set(case.get("includes", [])) <= set(ids)
    assert not set(case.get("excludes", [])) & set(ids)
    for category, movement in case.get("first", {}).items():
        assert next(s.movement.id for s in plan.steps if s.movement.category == category) == movement
    for category, movement in case.get("longest", {}).items():
        inside = [s for s in plan.steps if s.movement.category == category]
        assert max(inside, key=lambda s: s.seconds).movement.id == movement
    bounds = case.get("steps", {})
    assert bounds.get("min", 1) <= len(plan.steps) <= bounds.get("max", 99)


@pytest.mark.parametrize("cardio", CARDIO_CHOICES)
@pytest.mark.parametrize("roller", [True, False], ids=["roller", "noroller"])
@pytest.mark.parametrize("focus", FOCUSES)
@pytest.mark.parametrize("minutes", MINUTES)
def test_every_plan_keeps_the_rules(minutes, focus, roller, cardio):
    plan = build_plan(PlanInputs(minutes, focus, roller, cardio))
    assert abs(plan.total_seconds - minutes * 60) <= minutes * 60 * 0.05
    order = [CATEGORIES.index(s.movement.category) for s in plan.steps]
    assert order == sorted(order), "circulation, then mobility, then release, then restorative"
    for s in plan.steps:
        assert s.movement.seconds.min <= s.moving <= s.movement.seconds.max, s.movement.id
        assert s.seconds >= 45, "no step shorter than 45 seconds"
        if s.movement.per_side:
            assert s.seconds % 10 == 0, "each side gets whole seconds"
    rounds = [(s.movement.id, s.round) for s in plan.steps]
    assert len(rounds) == len(set(rounds)) and all(r <= 2 for _, r in rounds)
    if not roller:
        assert all("foam roller" not in s.movement.equipment for s in plan.steps)
    cardio_moves = {s.movement.id for s in plan.steps if s.movement.category == "cardio"}
    assert len(cardio_moves) <= 1 and plan.seconds_in("cardio") <= 30 * 60
    assert cardio_moves <= {library().get(i).id for i in cardio_moves if cardio in library().get(i).synonyms}
    outside = not 15 <= minutes <= 30
    assert sum("fifteen to thirty minutes," in n for n in plan.notes) == outside, "said once, only outside 15-30"


@pytest.mark.parametrize("roller", [True, False], ids=["roller", "noroller"])
@pytest.mark.parametrize("focus", PARTS)
def test_a_focus_stays_focused_and_more_minutes_never_mean_less_of_it(focus, roller):
    before = 0
    for minutes in EVERY_MINUTE:
        plan = build_plan(PlanInputs(minutes, focus, roller))
        if focus == "foam-rolling" and not roller:
            assert "Without a foam roller" in plan.notes[-1]
            continue
        share = plan.seconds_in(focus) / plan.total_seconds
        explained = [n for n in plan.notes if "sensibly fills" in n or "of cardio" in n]
        assert share >= 0.8 or len(explained) == 1, f"{minutes} minutes: {share:.0%} {focus}, unexplained"
        if share >= 0.8:
            assert not explained
        assert plan.seconds_in(focus) >= before, f"{minutes} minutes has less {focus} than {minutes - 1}"
        before = plan.seconds_in(focus)


def test_a_focus_repeats_its_moves_in_rounds_before_borrowing():
    plan = build_plan(PlanInputs(18, "stretching"))
    assert _order(plan) == ["stretching"]
    assert {s.round for s in plan.steps} == {1, 2}
    yoga = build_plan(PlanInputs(30, "yoga"))
    assert [s.movement.id for s in yoga.steps].count("legs-up-the-wall") == 1, "a long hold is held longer"
    assert yoga.steps[-1].movement.id == "legs-up-the-wall"


@pytest.mark.parametrize("area", AREAS)
def test_a_sore_area_gets_the_movements_the_text_names_for_it(area):
    plan = build_plan(PlanInputs(20, "full", True, "walking", (area,)))
    aimed = [s for s in plan.steps if area in s.movement.areas]
    assert aimed and f"Aimed at your {area.replace('-', ' ').replace('it band', 'IT band')}" in " ".join(plan.notes)
    usual = {(s.movement.id, s.round): s.seconds for s in build_plan(PlanInputs(20)).steps}
    assert sum(s.seconds for s in aimed) > sum(usual.get((s.movement.id, s.round), 0) for s in aimed)


def test_every_movement_in_the_text_is_reachable_by_a_natural_request():
    asks = [
        (m, f, r, c, t) for m in (20, 30) for f in FOCUSES for r in (True, False) for c in CARDIO_CHOICES for t in [()]
    ]
    asks += [(20, "full", True, "walking", (a,)) for a in AREAS]
    reached = {s.movement.id for a in asks for s in build_plan(PlanInputs(*a)).steps}
    assert reached == {m.id for m in library().movements}
    assert len(library().movements) == 19


@pytest.mark.parametrize("minutes", [20, 25, 30])
def test_a_week_of_full_plans_varies_its_stretches_and_poses(minutes):
    week = [build_plan(PlanInputs(minutes, "full", True, "walking", (), day)) for day in range(ROTATIONS)]
    used = {s.movement.id for p in week for s in p.steps}
    for category in ("stretching", "foam-rolling", "yoga"):
        assert {m.id for m in library().by_category(category)} <= used, category
    distinct = {tuple(s.movement.id for s in p.steps) for p in week}
    assert len(distinct) > 1 or len(week[0].steps) == 16, "every day already has every movement"
    assert [p.inputs.rotation for p in week] == list(range(ROTATIONS))


def test_bad_inputs_are_refused():
    for kwargs, words in [
        ({"focus": "arms"}, "focus must be one of"),
        ({"cardio": "rowing"}, "cardio must be one of"),
        ({"targets": ("elbows",)}, "targets must be among"),
        ({"rotation": 7}, "rotation must be"),
    ]:
        with pytest.raises(ValueError, match=words):
            PlanInputs(20, **kwargs)


@pytest.mark.parametrize(
    "asked, canonical, note",
    [
        ({"targets": ("calves", "hamstrings", "calves")}, {"targets": ("hamstrings", "calves")}, None),
        ({"targets": ["lower-back", "quads"]}, {"targets": ("quads", "lower-back")}, None),
        ({"minutes": 2}, {"minutes": 5}, "The shortest routine I can plan is 5 minutes, so here is a 5-minute one."),
        (
            {"minutes": 200},
            {"minutes": 60},
            "The longest routine I can plan is 60 minutes, so here is a 60-minute one.",
        ),
        (
            {"minutes": 5, "focus": "yoga", "has_foam_roller": False},
            {"minutes": 5, "focus": "yoga", "has_foam_roller": False},
            None,
        ),
        ({}, {"minutes": 20, "focus": "full", "has_foam_roller": True, "cardio": "walking", "rotation": 0}, None),
    ],
)
def test_plan_inputs_are_canonical(asked, canonical, note):
    inputs, said = PlanInputs.asked(**asked)
    assert inputs == PlanInputs(**asked) == PlanInputs(**canonical)
    assert hash(inputs) == hash(PlanInputs(**canonical))
    assert {name: getattr(inputs, name) for name in canonical} == canonical
    assert said == note
    assert build_plan(inputs) is build_plan(PlanInputs(**canonical))  # cached by value


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"minutes": 20.5}, "minutes must be a whole number"),
        ({"minutes": True}, "minutes must be a whole number"),
        ({"focus": "legs"}, "focus must be one of"),
        ({"has_foam_roller": 1}, "has_foam_roller must be true or false"),
        ({"cardio": "rowing"}, "cardio must be one of"),
        ({"targets": "quads"}, "targets must be among"),
        ({"targets": (["quads"],)}, "targets must be among"),
        ({"targets": ("elbows",)}, "targets must be among"),
        ({"rotation": -1}, "rotation must be a whole number from 0 to 6"),
        ({"rotation": False}, "rotation must be a whole number from 0 to 6"),
    ],
)
def test_bad_plan_inputs_raise_one_clear_error(bad, words):
    with pytest.raises(ValueError, match=words):
        PlanInputs(**bad)
