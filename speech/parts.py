"""Where a step splits into parts, each short enough for one spoken response.

A turn-based speaker (Alexa) says at most about 240 s per response, so a long step is
cut at a cue into parts of at most `limit` seconds. Each part ends with a short prompt
saying what to say next: "continue" inside a step, "next" (or "finish" on the last
step) at its end; the split leaves room for the "continue" prompt. Each cue is followed
by silence up to the next cue, less the estimated time to say it, so parts keep the
script's schedule. This is pure arithmetic on the script and speech.timing: the SSML
renderer turns each part into markup, and the sequencer counts parts to move a cursor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from content.phrases import phrase
from content.planner import PlanInputs
from speech.script import Cue, Script, script_for
from speech.states import CueKind
from speech.timing import estimate_seconds

# Plan responses below Alexa's 240 s ceiling, leaving room for a spoken prefix.
RESPONSE_BUDGET = 225.0

PROMPT_CONTINUE = "ssml.prompt_continue"  # inside a step
PROMPT_NEXT = "ssml.prompt_next"  # at the end of a step
PROMPT_FINISH = "ssml.prompt_finish"  # at the end of the routine
MAX_CACHED = 512  # steps (and rendered parts) kept: a few dozen plans' worth


@dataclass(frozen=True, eq=False)  # never compared: no __eq__ or __hash__ to build at import
class Part:
    """A piece of a step short enough for one spoken response."""

    step: int
    index: int  # which piece of the step, from 0
    count: int  # how many pieces the step has
    cues: tuple[Cue, ...]
    pauses: tuple[float, ...]  # silence after each cue, seconds (unrounded)
    prompt: str  # phrase key of the closing prompt
    estimated_seconds: float  # cues, silences and prompt, rounded to 0.1 s
    at: float  # where in the step (seconds) its first cue falls


@functools.lru_cache(maxsize=MAX_CACHED)
def parts_for(inputs: PlanInputs, index: int, limit: float = RESPONSE_BUDGET) -> tuple[Part, ...]:
    """The parts of step `index` of the plan for `inputs`, cached by the inputs' value (bounded):
    the skill asks for the current step's parts several times a turn. The same inputs and step
    give the same Part objects, so what is made from a part can be cached by the part."""
    return split_step(script_for(inputs), index, limit)


@functools.lru_cache(maxsize=MAX_CACHED)
def without_welcome(part: Part) -> Part:
    """The part with the routine's welcome left out (said once, when the routine starts;
    not on a repeat, a resume or a return to the first step). Cached by the part (parts
    hash by identity), so the same part gives the same Part back and what is rendered
    from it stays cached too."""
    if not part.cues or part.cues[0].kind != CueKind.WELCOME:
        return part
    return replace(part, cues=part.cues[1:], pauses=part.pauses[1:])


def split_step(script: Script, index: int, limit: float = RESPONSE_BUDGET) -> tuple[Part, ...]:
    """The parts of one step. Where a step splits does not depend on anything said
    before it, so a part number always means the same cues."""
    last_step = index == len(script.steps) - 1
    end_prompt = PROMPT_FINISH if last_step else PROMPT_NEXT
    budget = limit - estimate_seconds(phrase(PROMPT_CONTINUE))

    cues = script.steps[index].cues
    # Each cue is heard until the next one starts; the last until it has been said.
    ends = [c.at for c in cues[1:]] + [cues[-1].at + estimate_seconds(cues[-1].text)]
    groups: list[list[Cue]] = [[cues[0]]]
    for cue, end in zip(cues[1:], ends[1:]):
        if end - groups[-1][0].at > budget:
            groups.append([cue])
        else:
            groups[-1].append(cue)

    out = []
    for n, group in enumerate(groups):
        final = n == len(groups) - 1
        until = ends[-1] if final else groups[n + 1][0].at
        prompt = end_prompt if final else PROMPT_CONTINUE
        pauses, seconds = _timed(group, until)
        seconds += estimate_seconds(phrase(prompt))
        out.append(Part(index, n, len(groups), tuple(group), pauses, prompt, round(seconds, 1), group[0].at))
    return tuple(out)


def _timed(cues: list[Cue], until: float) -> tuple[tuple[float, ...], float]:
    """The silence after each cue up to the next one (or `until`), and the time it all takes."""
    pauses, seconds = [], 0.0
    for cue, nxt in zip(cues, [*(c.at for c in cues[1:]), until]):
        said = estimate_seconds(cue.text)
        pause = max(0.0, nxt - cue.at - said)
        pauses.append(pause)
        seconds += said + round(pause, 1)
    return tuple(pauses), seconds
