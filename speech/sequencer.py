"""The session sequencer: a cursor over a plan, shared by the Alexa skill and the offline coach.

A `Position` names the plan by its inputs (minutes, focus, foam roller), not its contents:
plans and scripts are rebuilt deterministically (and cached), so the cursor fits in a few
bytes of Alexa session attributes. Each function takes a position and returns a new one
with an outcome word saying what happened, so callers choose what to say about it.

A step may be split into parts for Alexa (a response is at most 240 s); the offline coach
always uses part 0 and moves by whole steps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from content.planner import FOCUSES, MAX_MINUTES, MIN_MINUTES
from speech.script import Script, script_for
from speech.ssml import Response, render_step

VERSION = 1
STATES = ("ready", "active", "paused", "finished")


@dataclass(frozen=True)
class Position:
    minutes: int = 20
    focus: str = "full"
    has_foam_roller: bool = True
    step: int = 0
    part: int = 0
    state: str = "ready"

    @property
    def script(self) -> Script:
        return script_for(self.minutes, self.focus, self.has_foam_roller)

    @property
    def step_count(self) -> int:
        return len(self.script.steps)


def start(minutes: int = 20, focus: str = "full", has_foam_roller: bool = True) -> Position:
    """A new routine, at its first step. Minutes are clamped by the planner."""
    plan = script_for(minutes, focus, has_foam_roller).plan
    return Position(plan.minutes, focus, has_foam_roller, 0, 0, "active")


def responses(pos: Position) -> list[Response]:
    return render_step(pos.script, pos.step)


def current_response(pos: Position) -> Response:
    """What to say for the current place: the current part of the current step."""
    return responses(pos)[pos.part]


def advance(pos: Position) -> tuple[Position, str]:
    """On to what comes after the current response: the next part of a long step
    ("part"), the next step ("step"), or the end ("finished")."""
    if pos.part + 1 < len(responses(pos)):
        return replace(pos, part=pos.part + 1, state="active"), "part"
    return next_step(pos)


def next_step(pos: Position) -> tuple[Position, str]:
    """Skip to the next step ("step"), or finish after the last one ("finished")."""
    if pos.state == "finished":
        return pos, "finished"
    if pos.step + 1 < pos.step_count:
        return replace(pos, step=pos.step + 1, part=0, state="active"), "step"
    return replace(pos, part=0, state="finished"), "finished"


def previous_step(pos: Position) -> tuple[Position, str]:
    """Back one step ("step"); on the first step, restart it ("at_start")."""
    if pos.state == "finished":
        return replace(pos, part=0, state="active"), "step"
    if pos.step == 0:
        return replace(pos, part=0, state="active"), "at_start"
    return replace(pos, step=pos.step - 1, part=0, state="active"), "step"


def pause(pos: Position) -> tuple[Position, str]:
    if pos.state != "active":
        return pos, pos.state
    return replace(pos, state="paused"), "paused"


def resume(pos: Position) -> tuple[Position, str]:
    """Back to playing the current part ("resumed"); a finished routine stays finished."""
    if pos.state == "finished":
        return pos, "finished"
    return replace(pos, state="active"), "resumed"


def repeat(pos: Position) -> tuple[Position, str]:
    return resume(pos)


def start_over(pos: Position) -> tuple[Position, str]:
    return replace(pos, step=0, part=0, state="active"), "restarted"


def remaining_seconds(pos: Position) -> int:
    """Time left in the routine from the start of the current part."""
    if pos.state == "finished":
        return 0
    script = pos.script
    return int(script.total_seconds - script.step_start(pos.step) - current_response(pos).at)


def to_attributes(pos: Position) -> dict:
    """Compact, versioned session attributes."""
    return {
        "v": VERSION,
        "plan": [pos.minutes, pos.focus, int(pos.has_foam_roller)],
        "at": [pos.step, pos.part],
        "state": pos.state,
    }


def from_attributes(attrs) -> Position | None:
    """The position saved in session attributes, or None when they are missing,
    corrupted, or from another version (the caller restarts politely)."""
    try:
        if not isinstance(attrs, dict) or attrs.get("v") != VERSION:
            return None
        minutes, focus, roller = attrs["plan"]
        step, part = attrs["at"]
        state = attrs["state"]
        if not (isinstance(minutes, int) and MIN_MINUTES <= minutes <= MAX_MINUTES):
            return None
        if focus not in FOCUSES or roller not in (0, 1) or state not in STATES:
            return None
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (step, part)):
            return None
        pos = Position(minutes, focus, bool(roller), step, part, state)
        if not 0 <= step < pos.step_count or not 0 <= part < len(responses(pos)):
            return None
        return pos
    except (KeyError, TypeError, ValueError):
        return None
