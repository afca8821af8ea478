"""The sentences routines open with: a routine's first track starts with its first cue's first
sentence, and there are few of them ("Let's start your 20-minute leg recovery.", one per
length, and a handful more), so a server says them all when its voice loads (into the clip
cache, once per voice and rate) and a first track's first audio waits for no synthesis.

What must stay true: `openings()` holds the first sentence of the first track of every plan
without sore areas (the cardio choice comes after the opening; a plan aimed at sore areas
opens with a sentence naming them, said when first asked for); a test checks it against the
planner.
"""

from __future__ import annotations

import functools

from content.planner import FOCUSES, MAX_MINUTES, MIN_MINUTES, PlanInputs
from speech.local import sentences
from speech.script import script_for


@functools.cache
def openings() -> tuple[str, ...]:
    """Every first sentence of a first track, the most common (20 minutes, full) first."""
    said: dict[str, None] = {}
    plans = [PlanInputs(20)] + [
        PlanInputs(minutes, focus=focus, has_foam_roller=roller)
        for minutes in range(MIN_MINUTES, MAX_MINUTES + 1)
        for focus in FOCUSES
        for roller in (True, False)
    ]
    for plan in plans:
        cues = script_for(plan).steps[0].cues
        if cues:
            said.setdefault(sentences.split(cues[0].text)[0], None)
    return tuple(said)
