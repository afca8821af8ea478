"""The session sequencer, as transcripts of moves, and its session attributes."""

from pathlib import Path

import pytest
import yaml

from content.planner import PlanInputs
from speech import sequencer
from speech.parts import without_welcome
from speech.ssml import render_part, text
from speech.states import CueKind

TRANSCRIPTS = yaml.safe_load((Path(__file__).parent / "data" / "sequencer.yaml").read_text())


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t["name"])
def test_sequencer_transcript(transcript):
    pos = sequencer.start(PlanInputs(**transcript["plan"]))
    for n, turn in enumerate(transcript["turns"]):
        pos, outcome = getattr(sequencer, turn["do"])(pos)
        got = {"step": pos.step, "part": pos.part, "state": pos.state, "outcome": outcome}
        want = {k: turn[k] for k in got}
        assert got == want, f"turn {n}: {turn['do']}"
        assert sequencer.from_attributes(sequencer.to_attributes(pos)) == pos


def test_time_left_counts_down_as_the_routine_moves():
    pos = sequencer.start(PlanInputs(20))
    total = sequencer.remaining_seconds(pos)
    assert total == 1200
    pos, _ = sequencer.advance(pos)
    assert sequencer.remaining_seconds(pos) < total
    pos, _ = sequencer.next_step(pos)
    while pos.state != "finished":
        pos, _ = sequencer.next_step(pos)
    assert sequencer.remaining_seconds(pos) == 0


def test_attributes_are_compact():
    attrs = sequencer.to_attributes(sequencer.start(PlanInputs(20)))
    assert len(str(attrs)) < 100


@pytest.mark.parametrize(
    "attrs",
    [
        None,
        "garbage",
        {},
        {"v": 0, "plan": [20, "full", 1], "at": [0, 0], "state": "active"},
        {"v": 1, "plan": [20, "full", 1], "at": [99, 0], "state": "active"},
        {"v": 1, "plan": [20, "full", 1], "at": [0, 7], "state": "active"},
        {"v": 1, "plan": [200, "full", 1], "at": [0, 0], "state": "active"},
        {"v": 1, "plan": [20, "arms", 1], "at": [0, 0], "state": "active"},
        {"v": 1, "plan": [20, "full"], "at": [0, 0], "state": "active"},
        {"v": 1, "plan": [20, "full", 1], "at": [0, 0], "state": "dancing"},
        {"v": 1, "plan": [20, "full", 1], "at": ["0", 0], "state": "active"},
    ],
)
def test_corrupted_or_old_attributes_are_refused(attrs):
    assert sequencer.from_attributes(attrs) is None


def test_the_sequencer_renders_nothing():
    import ast

    for module in ("sequencer", "parts"):
        tree = ast.parse((Path(sequencer.__file__).parent / f"{module}.py").read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in imported if m and "ssml" in m}, module


@pytest.mark.parametrize("minutes, focus", [(5, "full"), (20, "full"), (30, "cardio"), (60, "yoga"), (45, "yoga")])
def test_parts_are_the_ssml_responses(minutes, focus):
    from speech.ssml import render_step

    pos = sequencer.start(PlanInputs(minutes, focus))
    for step in range(pos.step_count):
        at_step = sequencer.Position(pos.inputs, step, 0, "active")
        responses = render_step(at_step.script, step)
        got = [(p.index, p.count, p.at, p.estimated_seconds) for p in sequencer.parts(at_step)]
        assert got == [(r.part, r.parts, r.at, r.estimated_seconds) for r in responses]


def test_states_are_their_words():
    from speech.states import State

    pos = sequencer.Position(PlanInputs(10), 1, 0, "paused")
    assert pos.state is State.PAUSED and pos == sequencer.Position(PlanInputs(10), 1, 0, State.PAUSED)
    attrs = sequencer.to_attributes(pos)
    assert attrs == {"v": 1, "plan": [10, "full", 1], "at": [1, 0], "state": "paused"}
    assert type(attrs["state"]) is str
    assert [str(s) for s in sequencer.STATES] == ["ready", "active", "paused", "finished"]


def test_cardio_choice_and_targets_travel_in_the_attributes_only_when_chosen():
    default = sequencer.start(PlanInputs(20))
    assert sequencer.to_attributes(default)["plan"] == [20, "full", 1]  # as saved before they existed
    chosen = sequencer.start(PlanInputs(20, "full", True, "cycling", ("calves", "hamstrings", "calves")))
    assert sequencer.to_attributes(chosen)["plan"] == [20, "full", 1, "cycling", ["hamstrings", "calves"]]
    assert sequencer.from_attributes(sequencer.to_attributes(chosen)) == chosen
    day = sequencer.start(PlanInputs(20, rotation=4))
    assert sequencer.to_attributes(day)["plan"] == [20, "full", 1, "walking", [], 4]
    assert sequencer.from_attributes(sequencer.to_attributes(day)) == day


@pytest.mark.parametrize(
    "extra",
    [
        ["rowing", []],
        ["cycling", "calves"],
        ["cycling", ["toes"]],
        ["cycling", [[1]]],
        ["walking", [], 7],
        ["walking", [], True],
        ["walking", [], 1, 2],
    ],
)
def test_unknown_cardio_or_targets_in_attributes_restart_politely(extra):
    assert sequencer.from_attributes({"v": 1, "plan": [20, "full", 1, *extra], "at": [0, 0], "state": "active"}) is None


def test_a_plan_read_before_does_not_let_a_lookalike_through():
    """Plans read back are remembered; True must not pass for the rotation 1 it equals."""
    good = {"v": 1, "plan": [20, "full", 1, "walking", [], 1], "at": [0, 0], "state": "active"}
    assert sequencer.from_attributes(good) is not None
    assert sequencer.from_attributes({**good, "plan": [20, "full", 1, "walking", [], True]}) is None


def test_a_first_step_said_again_leaves_out_the_welcome_and_is_rendered_once():
    """Go back, repeat or resume on the first movement: the welcome is not said again, and
    saying it again and again renders it once (the rendered-part cache does not fill up)."""
    pos = sequencer.start(PlanInputs())
    part = sequencer.current_part(pos)
    welcome = part.cues[0]
    assert welcome.kind == CueKind.WELCOME
    again = render_part(without_welcome(part))
    cached = render_part.cache_info().currsize
    for _ in range(3):
        assert render_part(without_welcome(sequencer.current_part(pos))) is again
    assert render_part.cache_info().currsize == cached
    assert text(welcome.text) in render_part(part).ssml and text(welcome.text) not in again.ssml
