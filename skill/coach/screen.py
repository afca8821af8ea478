"""What a screen shows while a step is spoken (a step-by-step routine on a device with a
screen), in the coach's words: the movement, its cue in a line, how long the part lasts (a
countdown the screen draws itself), what comes next and where the routine stands. The
front end draws it (skill/alexa/apl.py for an Echo Show); its buttons are the coach's own
asks (pause, back, next)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from content.library import library
from content.phrases import phrase
from content.planner import PlanInputs
from speech.script import script_for
from speech.sequencer import Position


@dataclass(frozen=True)
class Screen:
    movement_id: str
    title: str  # "Pigeon pose"
    cue: str  # the movement's first instruction, in a line
    seconds: int  # how long the part being spoken lasts: the countdown
    next: str  # "Next: supine spinal twist", or "Last one"
    progress: str  # "Step 12 of 13"
    done: float  # how much of the routine is behind, 0 to 1, at the start of this step


def screen_for(pos: Position, seconds: float) -> Screen:
    return _screen(pos.inputs, pos.step, max(1, round(seconds)))


@functools.lru_cache(maxsize=1024)  # a Screen is frozen, and made of the plan, step and seconds alone
def _screen(inputs: PlanInputs, index: int, seconds: int) -> Screen:
    steps = script_for(inputs).steps
    step = steps[index]
    movement = library().get(step.movement_id)
    name = movement.name.replace("I.T.", "IT")
    upcoming = steps[index + 1].name if index + 1 < len(steps) else None
    return Screen(
        movement_id=movement.id,
        title=name[:1].upper() + name[1:],
        cue=movement.steps[0] if movement.steps else "",
        seconds=seconds,
        next=phrase("screen.next", next=upcoming) if upcoming else phrase("screen.last"),
        progress=phrase("screen.progress", step=index + 1, steps=len(steps)),
        done=index / len(steps),
    )
