"""Timed coaching scripts: each plan step becomes a timeline of cues at offsets in seconds.

A step's slot (its planned seconds) holds, in order: at the start of a new part a line to
get set for it (with the time the plan gives for that), a short introduction (the name and
how to get into position), "begin", the rest of the how-to, periodic cues (form,
breathing, pace, minutes to go), halfway or "switch legs" at the middle of per-side
moves, "ten seconds left", and a closing "next up" cue timed to finish exactly as the
slot ends. Optional cues are dropped rather than crowd the fixed ones: no cue starts
before the previous one has been said.
Wording rotates through the phrase variants, counted over the whole routine.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from content.library import Movement
from content.phrases import phrase
from content.planner import Plan, PlanInputs, build_plan
from speech.states import CueKind
from speech.timing import estimate_seconds

GAP_AFTER_CUE = 1.0  # silence after a cue before the next may start
PERIODIC_SHORT = 20  # seconds between periodic cues in a step under two minutes
PERIODIC_LONG = 45  # ... under ten minutes
PERIODIC_VERY_LONG = 90  # ... and in longer steps (long cardio)
MINUTE_MARKS = (1, 2, 3, 5, 10, 15, 20, 25)  # "N minutes to go" in long steps
TALK_SHARE = 0.2  # introduction plus sign-off take at most this share of a step
PAUSE_SECONDS = 25  # "pause on tender spots for 20-30 seconds": counted from the invitation

# Phrase keys that depend on the movement: by category (content.library.CATEGORIES)
# and by which sides a per-side move works (content.library.SIDE_KINDS).
BEGIN_KEYS = {
    "cardio": "script.begin.cardio",
    "stretching": "script.begin.stretching",
    "foam-rolling": "script.begin.foam-rolling",
    "yoga": "script.begin.yoga",
}
PERIODIC_KEYS = {
    "cardio": "script.periodic.cardio",
    "stretching": "script.periodic.stretching",
    "foam-rolling": "script.periodic.foam-rolling",
    "yoga": "script.periodic.yoga",
}
GET_SET_KEYS = {
    "cardio": "script.get_set.cardio",
    "stretching": "script.get_set.stretching",
    "foam-rolling": "script.get_set.foam-rolling",
    "yoga": "script.get_set.yoga",
}
BEGIN_SIDE_KEYS = {"leg": "script.begin_side.leg", "side": "script.begin_side.side"}
SWITCH_KEYS = {"leg": "script.switch.leg", "side": "script.switch.side"}


@dataclass(frozen=True, eq=False)  # compared by no one: no __eq__ or __hash__ to build at import
class Cue:
    """Something said at a moment of a step."""

    at: float  # seconds from the start of the step
    text: str
    kind: CueKind


@dataclass(frozen=True, eq=False)  # compared by no one: no __eq__ or __hash__ to build at import
class StepScript:
    """One step's timeline of cues."""

    index: int
    movement_id: str
    name: str
    category: str
    seconds: int
    cues: tuple[Cue, ...]


@dataclass(
    frozen=True, eq=False
)  # cached by its plan's inputs, never compared: no __eq__ or __hash__ to build at import
class Script:
    """A plan with every step's timeline of cues."""

    plan: Plan
    steps: tuple[StepScript, ...]

    @property
    def total_seconds(self) -> int:
        return sum(s.seconds for s in self.steps)

    def step_start(self, index: int) -> int:
        return sum(s.seconds for s in self.steps[:index])

    def timeline(self) -> list[tuple[float, int, Cue]]:
        """Every cue as (seconds from the start of the routine, step index, cue)."""
        out: list[tuple[float, int, Cue]] = []
        start = 0
        for step in self.steps:
            out.extend((start + c.at, step.index, c) for c in step.cues)
            start += step.seconds
        return out


class _Wording:
    """Picks the next variant of each phrase so repeated cues vary over a routine."""

    def __init__(self, stream: bool = False) -> None:
        self.used: Counter[str] = Counter()
        self.stream = stream  # the words of a speaker's stream (see script_for)

    def say(self, key: str, **fields: Any) -> str:
        text = phrase(key, self.used[key], **fields)
        self.used[key] += 1
        return text


def _spoken_end(cue: Cue) -> float:
    return cue.at + estimate_seconds(cue.text) + GAP_AFTER_CUE


@functools.lru_cache(maxsize=256)
def script_for(inputs: PlanInputs, stream: bool = False) -> Script:
    """The script for a plan; cached by the inputs' value, since the skill asks for it on every turn.
    stream: the words of the step tracks a speaker streams, where the coach hears only
    "Alexa, tell Recovery Coach ...": the welcome says so once, in the stream's safety line."""
    return build_script(build_plan(inputs), stream)


def build_script(plan: Plan, stream: bool = False) -> Script:
    wording = _Wording(stream)
    names = [s.movement.name for s in plan.steps]
    steps = [_step_script(plan, i, nxt, wording) for i, nxt in enumerate([*names[1:], None])]
    return Script(plan, tuple(steps))


def _step_script(plan: Plan, index: int, next_name: str | None, wording: _Wording) -> StepScript:
    step = plan.steps[index]
    m = step.movement
    slot = step.seconds
    closing = _closing(next_name, slot, wording)
    end_at = slot - math.ceil(estimate_seconds(closing) + 0.5)
    fixed, begin_at = _opening(plan, index, wording)
    work = end_at - begin_at
    middle = begin_at + work / 2

    timed: list[Cue] = []  # fixed cues inside the work period
    if m.per_side:
        switch = " ".join(filter(None, (wording.say(SWITCH_KEYS[m.per_side]), m.switch_cue)))
        timed.append(Cue(round(middle, 1), switch, CueKind.SWITCH))
        if m.half_cue:
            timed += [
                Cue(round(begin_at + work / 4, 1), m.half_cue, CueKind.HALF),
                Cue(round(begin_at + 3 * work / 4, 1), m.half_cue, CueKind.HALF),
            ]
    else:
        if m.half_cue:
            timed.append(Cue(round(middle, 1), m.half_cue, CueKind.HALF))
        elif work >= 40:
            timed.append(Cue(round(middle, 1), wording.say("script.halfway"), CueKind.HALFWAY))
    if work >= 25:
        timed.append(Cue(end_at - 10, wording.say("script.ten_left"), CueKind.TEN_LEFT))
    if work >= 150:
        for minutes in MINUTE_MARKS:
            t = end_at - minutes * 60
            if t > begin_at + 30:
                key = "script.one_minute_left" if minutes == 1 else "script.minutes_left"
                timed.append(Cue(t, wording.say(key, minutes=minutes), CueKind.MINUTES))

    cues = _place(fixed + timed, begin_at, end_at)
    if m.category == "foam-rolling":
        cues = _count_pauses(cues, end_at, wording)
    cues = _add_periodic(cues, m, begin_at, end_at, work, wording)
    cues.append(Cue(end_at, closing, CueKind.END if next_name else CueKind.FINISH))
    return StepScript(index, m.id, m.name, m.category, slot, tuple(cues))


def _closing(next_name: str | None, slot: int, wording: _Wording) -> str:
    """ "Next up" (or the routine's end), in a few words when the step is short."""
    if next_name:
        closing = wording.say("script.end", next=next_name)
        short = wording.say("script.end_short", next=next_name)
    else:
        closing, short = wording.say("script.finish"), wording.say("script.finish_short")
    return closing if estimate_seconds(closing) + 1.5 <= slot * TALK_SHARE / 2 else short


def _opening(plan: Plan, index: int, wording: _Wording) -> tuple[list[Cue], float]:
    """A coach's order: the welcome (first step only), or at the start of a new part one line
    to get set for it, said at once, with the plan's GET_SET seconds after it; then the name,
    how to get into position (the first how-to sentence) and any caution; then "begin"; then
    the technique (the rest of the how-to, and for foam rolling the text's technique), once
    the person is moving. A second round says just the name before "begin".
    Must stay true: no go cue ever comes before the set-up cue (tests/test_cue_order.py).
    Returns the cues and when "begin" is said."""
    step = plan.steps[index]
    m = step.movement
    cues: list[Cue] = []
    at = 0.0
    if index == 0:
        said = ["script.welcome_stream", "stream.safety"] if wording.stream else ["script.welcome"]
        welcome = " ".join([*plan.notes, *(wording.say(k, minutes=plan.inputs.minutes) for k in said), *m.cautions[:1]])
        cues.append(Cue(0.0, welcome, CueKind.WELCOME))
        at = _spoken_end(cues[-1])
    elif step.get_set:
        cues.append(Cue(0.0, wording.say(GET_SET_KEYS[m.category]), CueKind.GET_SET))
        at = max(float(step.get_set), _spoken_end(cues[-1]))
    again = step.round > 1
    intro_key = "script.intro_again" if again else "script.intro_first" if index == 0 else "script.intro"
    name = wording.say(intro_key, name=m.name)
    begin = wording.say(BEGIN_SIDE_KEYS[m.per_side]) if m.per_side else wording.say(BEGIN_KEYS[m.category])
    how = [] if again else list(m.steps)
    caution = m.cautions[:1] if index else []  # the first step's is in the welcome
    cues.append(Cue(_tenth(at), " ".join([name, *how[:1], *caution]), CueKind.INTRO))
    begin_at = math.ceil(_spoken_end(cues[-1]))
    cues.append(Cue(begin_at, begin, CueKind.BEGIN))
    follow = how[1:]
    if m.category == "foam-rolling":  # the technique early: after the set-up, before the rest
        follow.insert(0, wording.say("script.technique"))
    for text in follow:
        cues.append(Cue(_tenth(_spoken_end(cues[-1])), text, CueKind.PERIODIC))
    return cues, begin_at


def _tenth(seconds: float) -> float:
    """Up to the next tenth of a second, so a cue placed after another never starts early."""
    tenth = math.ceil(seconds * 10) / 10
    return tenth if tenth >= seconds else round(tenth + 0.1, 1)


def _count_pauses(cues: list[Cue], end_at: float, wording: _Wording) -> list[Cue]:
    """In each long enough quiet stretch of a rolling step, invite a pause on a tender
    spot and count it: the text's twenty to thirty seconds."""
    out: list[Cue] = []
    bounds = [*cues, Cue(end_at, "", CueKind.END)]
    for a, b in zip(bounds, bounds[1:]):
        out.append(a)
        start = Cue(_tenth(_spoken_end(a) + 2), wording.say("script.pause_start"), CueKind.PERIODIC)
        done = Cue(round(start.at + PAUSE_SECONDS, 1), wording.say("script.pause_done"), CueKind.PERIODIC)
        if a.kind not in (CueKind.WELCOME, CueKind.GET_SET, CueKind.INTRO) and _spoken_end(done) + 2 <= b.at:
            out += [start, done]
    return out


def _place(cues: list[Cue], begin_at: float, end_at: float) -> list[Cue]:
    """Sort cues and drop any that would start before the previous one is said."""
    kept: list[Cue] = []
    for cue in sorted(cues, key=lambda c: c.at):
        if kept and cue.at < _spoken_end(kept[-1]):
            continue
        opening = cue.kind in (CueKind.WELCOME, CueKind.GET_SET, CueKind.INTRO, CueKind.BEGIN)
        if not opening and _spoken_end(cue) > end_at:
            continue
        kept.append(cue)
    return kept


def _add_periodic(
    cues: list[Cue], m: Movement, begin_at: float, end_at: float, work: float, wording: _Wording
) -> list[Cue]:
    """Fill long silences with form, breathing and pace cues, spaced evenly in each gap,
    alternating the movement's own cues with its category's."""
    interval = PERIODIC_SHORT if work < 120 else PERIODIC_LONG if work < 600 else PERIODIC_VERY_LONG
    own = list(m.cues)
    out: list[Cue] = []
    turn = 0
    bounds = [*cues, Cue(end_at, "", CueKind.END)]
    for a, b in zip(bounds, bounds[1:]):
        out.append(a)
        if a.at < begin_at:
            continue
        start = _spoken_end(a)
        count = int((b.at - start) // interval)
        for k in range(1, count + 1):
            text = own[turn // 2 % len(own)] if own and turn % 2 == 0 else wording.say(PERIODIC_KEYS[m.category])
            at = round(start + k * (b.at - start) / (count + 1), 1)
            out.append(Cue(at, text, CueKind.PERIODIC))
            turn += 1
    return out
