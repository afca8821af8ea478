"""The session sequencer: a cursor over a plan, shared by the Alexa skill and the offline coach.

A `Position` names the plan by its inputs (content.planner.PlanInputs: minutes, focus,
foam roller, cardio choice, sore areas aimed at, day of the week's variety), not its contents:
plans and scripts are rebuilt deterministically (and cached by the inputs' value), so the
cursor fits in a few bytes of Alexa session attributes. Each function takes a position and returns a new one
with an outcome word saying what happened, so callers choose what to say about it.

A step may be split into parts for Alexa (speech/parts.py: a response holds at most
`RESPONSE_BUDGET` seconds); the offline coach always uses part 0 and moves by whole
steps. Nothing here renders speech: callers render the current part themselves.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from content.planner import DEFAULT_CARDIO_CHOICE, MAX_MINUTES, MIN_MINUTES, PlanInputs
from speech.parts import Part, parts_for
from speech.script import Script, script_for
from speech.states import Outcome, State

VERSION = 1
STATES = tuple(State)

Move = tuple["Position", Outcome]


@dataclass(frozen=True)
class Position:
    """Where a routine is: its plan's inputs, the step and part, and the state."""

    inputs: PlanInputs = PlanInputs()
    step: int = 0
    part: int = 0
    state: State = State.READY

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", State(self.state))  # a plain word becomes its State

    @functools.cached_property  # a Position never changes: neither does its script
    def script(self) -> Script:
        return script_for(self.inputs)

    @functools.cached_property  # nor do the current step's parts
    def parts(self) -> tuple[Part, ...]:
        return parts_for(self.inputs, self.step)

    @property
    def step_count(self) -> int:
        return len(self.script.steps)


def start(inputs: PlanInputs) -> Position:
    """A new routine, at its first step."""
    return Position(inputs, 0, 0, State.ACTIVE)


def parts(pos: Position) -> tuple[Part, ...]:
    """The parts of the current step, each at most RESPONSE_BUDGET seconds long."""
    return pos.parts


def current_part(pos: Position) -> Part:
    return parts(pos)[pos.part]


def advance(pos: Position) -> Move:
    """On to what comes after the current response: the next part of a long step
    ("part"), the next step ("step"), or the end ("finished")."""
    if pos.part + 1 < len(parts(pos)):
        return Position(pos.inputs, pos.step, pos.part + 1, State.ACTIVE), Outcome.PART
    return next_step(pos)


def next_step(pos: Position) -> Move:
    """Skip to the next step ("step"), or finish after the last one ("finished")."""
    if pos.state == State.FINISHED:
        return pos, Outcome.FINISHED
    if pos.step + 1 < pos.step_count:
        return Position(pos.inputs, pos.step + 1, 0, State.ACTIVE), Outcome.STEP
    return Position(pos.inputs, pos.step, 0, State.FINISHED), Outcome.FINISHED


def previous_step(pos: Position) -> Move:
    """Back one step ("step"); on the first step, restart it ("at_start")."""
    if pos.state == State.FINISHED:
        return Position(pos.inputs, pos.step, 0, State.ACTIVE), Outcome.STEP
    if pos.step == 0:
        return Position(pos.inputs, pos.step, 0, State.ACTIVE), Outcome.AT_START
    return Position(pos.inputs, pos.step - 1, 0, State.ACTIVE), Outcome.STEP


def pause(pos: Position) -> Move:
    """Pause ("paused"); anything not playing stays as it is, reported by its state."""
    if pos.state != State.ACTIVE:
        return pos, Outcome(pos.state)
    return Position(pos.inputs, pos.step, pos.part, State.PAUSED), Outcome.PAUSED


def resume(pos: Position) -> Move:
    """Back to playing the current part ("resumed"); a finished routine stays finished."""
    if pos.state == State.FINISHED:
        return pos, Outcome.FINISHED
    return Position(pos.inputs, pos.step, pos.part, State.ACTIVE), Outcome.RESUMED


def repeat(pos: Position) -> Move:
    return resume(pos)


def start_over(pos: Position) -> Move:
    return Position(pos.inputs, 0, 0, State.ACTIVE), Outcome.RESTARTED


def remaining_seconds(pos: Position) -> int:
    """Time left in the routine from the start of the current part."""
    if pos.state == State.FINISHED:
        return 0
    script = pos.script
    return int(script.total_seconds - script.step_start(pos.step) - current_part(pos).at)


def to_attributes(pos: Position) -> dict[str, Any]:
    """Compact, versioned session attributes, plain JSON types only (no enums). The plan is
    [minutes, focus, roller], with [cardio, [targets...]] after it only when either differs
    from the default (or a rotation follows), then [rotation] only when it is not 0, so
    attributes saved before those existed read the same."""
    inputs = pos.inputs
    plan: list[Any] = [inputs.minutes, inputs.focus, int(inputs.has_foam_roller)]
    if inputs.cardio != DEFAULT_CARDIO_CHOICE or inputs.targets or inputs.rotation:
        plan += [inputs.cardio, list(inputs.targets)]
    if inputs.rotation:
        plan.append(inputs.rotation)
    return {
        "v": VERSION,
        "plan": plan,
        "at": [pos.step, pos.part],
        "state": str(pos.state),
    }


def from_attributes(attrs: object) -> Position | None:
    """The position saved in session attributes, or None when they are missing,
    corrupted, or from another version (the caller restarts politely)."""
    try:
        if not isinstance(attrs, dict) or attrs.get("v") != VERSION:
            return None
        minutes, focus, roller, *more = attrs["plan"]
        cardio, targets, rotation = (*more, 0)[:3] if more else (DEFAULT_CARDIO_CHOICE, [], 0)
        step, part = attrs["at"]
        state = attrs["state"]
        if len(more) > 3 or not isinstance(targets, list) or roller not in (0, 1) or state not in STATES:
            return None
        if not (isinstance(minutes, int) and MIN_MINUTES <= minutes <= MAX_MINUTES):
            return None  # saved after clamping: anything else was not saved by us
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (step, part)):
            return None
        inputs = _inputs(minutes, focus, bool(roller), cardio, tuple(targets), rotation)  # checks the rest
        pos = Position(inputs, step, part, State(state))
        if not 0 <= step < pos.step_count or not 0 <= part < len(parts(pos)):
            return None
        return pos
    except (KeyError, TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=1024, typed=True)  # typed: a rotation of True is not the rotation 1
def _inputs(*plan: Any) -> PlanInputs:
    """The plan inputs saved as `plan`, built (and checked) once per distinct plan: every turn
    of a routine reads the same ones back. A ValueError is raised, never cached."""
    return PlanInputs(*plan)
