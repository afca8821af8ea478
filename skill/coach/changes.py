"""Changing the routine while in it: "make it shorter" or "I only have five minutes" (what
is left re-planned to fit), "skip the foam rolling" or "no more cardio" (a part dropped),
"which leg now" (the side under way), and "wait, what?" (the last cue again). "Same as last time" is in memory.py, with
the rest of what is kept.

A re-planned routine keeps the text's order and never repeats a movement already done:
the plan for the new inputs is made as usual (content/planner.py), and the routine goes
on from its first step that comes at or after the current part of the routine (cardio,
stretches, foam rolling, yoga) and is not one of the movements done. One sentence says
what changed, then the movement plays.
"""

from __future__ import annotations

from dataclasses import replace

from content.library import CATEGORIES, library
from content.phrases import phrase
from content.planner import MIN_MINUTES, PlanInputs
from skill.coach import intents, memory
from skill.coach.context import Ctx
from skill.coach.replies import Reply, answer, duration_words, listing, play, step_name
from skill.coach.slots import NOT_SAID, duration_seconds, resolve
from speech import sequencer as seq
from speech.sequencer import Position
from speech.states import CueKind, State

UNDER_WAY = (State.ACTIVE, State.PAUSED)
SLACK = 30  # seconds a re-planned rest may run over what was asked
EASIER = 0.75  # "something easier": what is left, re-planned to this share of its time
PART_KEYS = {  # the routine's parts (content.library.CATEGORIES) as said in a sentence
    "cardio": "change.part.cardio",
    "stretching": "change.part.stretching",
    "foam-rolling": "change.part.foam-rolling",
    "yoga": "change.part.yoga",
}
# The side under way, by the sides a movement works (content.library.SIDE_KINDS).
FIRST_SIDE_KEYS = {"leg": "change.side_first.leg", "side": "change.side_first.side"}
SECOND_SIDE_KEYS = {"leg": "change.side_second.leg", "side": "change.side_second.side"}


def done_so_far(ctx: Ctx) -> tuple[str, ...]:
    """The movements done: before the last re-plan, and the steps since it (a routine
    that was never re-planned: every step before this one)."""
    pos = ctx.here
    replanned = (ctx.done or ctx.since) and ctx.since <= pos.step
    since, done = (ctx.since, ctx.done) if replanned else (0, ())
    return tuple(dict.fromkeys([*done, *(pos.script.steps[i].movement_id for i in range(since, pos.step))]))


def replanned(pos: Position, inputs: PlanInputs, done: tuple[str, ...]) -> Position | None:
    """The routine on new inputs, from the first step at or after the current part of the
    routine that is not a movement already done; None when nothing is left."""
    here = CATEGORIES.index(pos.script.steps[pos.step].category)
    new = seq.start(inputs)
    for i, step in enumerate(new.script.steps):
        if CATEGORIES.index(step.category) >= here and step.movement_id not in done:
            return replace(new, step=i)
    return None


def _go_on(ctx: Ctx, pos: Position | None, said: str) -> Reply:
    """Say what changed, in one sentence with what is left, and play the movement."""
    ctx.done = done_so_far(ctx)
    if pos is None:
        ctx.pos = replace(ctx.here, state=State.FINISHED)
        return answer(ctx, phrase("change.nothing_left"))
    ctx.since = pos.step
    left = [s.name for s in pos.script.steps[pos.step :]]
    return play(ctx, pos, phrase(said, left=listing(left, "then"), minutes=_minutes(pos)), welcome=False)


def _minutes(pos: Position) -> str:
    return duration_words(seq.remaining_seconds(pos))


def shorter(ctx: Ctx) -> Reply:
    """ "Make it shorter" (half of what is left, at least five minutes) or "I only have
    five minutes": before a routine, one that long starts."""
    slot = ctx.slots.get("duration", NOT_SAID)
    seconds = duration_seconds(slot.value) if slot.value else None
    if ctx.pos is None or ctx.state not in UNDER_WAY:
        if seconds is None:
            return answer(ctx, phrase("change.shorter_ready"))
        return memory.start(ctx)
    left = seq.remaining_seconds(ctx.here)
    wanted = seconds if seconds is not None else left / 2
    if wanted >= left:
        return answer(ctx, phrase("change.fits_already", minutes=_minutes(ctx.here)))
    return _go_on(ctx, fitted(ctx.here, wanted, done_so_far(ctx)), "change.shorter")


def fitted(pos: Position, seconds: float, done: tuple[str, ...], base: PlanInputs | None = None) -> Position | None:
    """The re-planned routine whose rest comes closest to `seconds` without going over by
    more than half a minute (the shortest, if none is that short): the plan's minutes are
    tried from the fewest up, as the plan for more minutes keeps more of what is left.
    `base`: the inputs to change the minutes of (the routine's own by default)."""
    best: Position | None = None
    for minutes in range(MIN_MINUTES, pos.inputs.minutes + 1):
        new = replanned(pos, replace(base or pos.inputs, minutes=minutes), done)
        if new is None:
            continue
        if best is None or seq.remaining_seconds(new) <= seconds + SLACK:
            best = new
    return best


def skip_part(ctx: Ctx) -> Reply:
    """ "Skip the foam rolling", "no more cardio": the part under way ends here; a part
    already done is said so; foam rolling later is left out (stretches and yoga instead)."""
    focus = resolve(ctx.slots.get("focus", NOT_SAID), "FocusType")
    if ctx.pos is None or ctx.state not in UNDER_WAY:
        return answer(ctx, phrase("change.skip_part_ready"))
    if focus not in CATEGORIES:
        return intents.skip_intent(ctx)
    pos = ctx.here
    here, there = CATEGORIES.index(pos.script.steps[pos.step].category), CATEGORIES.index(focus)
    name = phrase(PART_KEYS[focus])
    if there < here:
        return answer(ctx, phrase("change.part_done", part=name))
    if there == here:
        later = next((i for i, s in enumerate(pos.script.steps) if i > pos.step and s.category != focus), None)
        nxt = replace(pos, step=later, part=0, state=State.ACTIVE) if later is not None else None
        return _go_on(ctx, nxt, "change.part_skipped")
    if focus == "foam-rolling" and pos.inputs.has_foam_roller:
        no_roller = replace(pos.inputs, has_foam_roller=False)
        left = seq.remaining_seconds(pos)
        return _go_on(ctx, fitted(pos, left, done_so_far(ctx), no_roller), "change.no_foam")
    return answer(ctx, phrase("change.part_later", part=name))


def which_side(ctx: Ctx) -> Reply:
    """The side under way: the left until the switch cue has been said (in a response
    already spoken, or, streaming, before the place the player has reached)."""
    if ctx.pos is None or ctx.state not in UNDER_WAY:
        return answer(ctx, phrase("change.no_side"))
    pos = ctx.here
    step = pos.script.steps[pos.step]
    switch = next((c.at for c in step.cues if c.kind == CueKind.SWITCH), None)
    if switch is None:
        return answer(ctx, phrase("change.both_sides", name=step.name))
    if ctx.into_step:  # streaming: where the player is in the step's track
        second = ctx.into_step >= switch
    else:  # step by step: a response is heard whole before the mic opens
        second = any(c.kind == CueKind.SWITCH for p in seq.parts(pos)[: pos.part + 1] for c in p.cues)
    kind = library().get(step.movement_id).per_side or "side"
    key = SECOND_SIDE_KEYS[kind] if second else FIRST_SIDE_KEYS[kind]
    return answer(ctx, phrase(key, name=step_name(pos)))


def easier(ctx: Ctx) -> Reply:
    """ "Something easier": the text's gentler guidance, and what is left made lighter (a
    plan for fewer minutes holds each movement a little less, or leaves some out)."""
    if ctx.pos is None or ctx.state not in UNDER_WAY:
        return answer(ctx, phrase("skill.too_hard_general"))
    left = seq.remaining_seconds(ctx.here)
    return _go_on(ctx, fitted(ctx.here, left * EASIER, done_so_far(ctx)), "change.easier")


def slower(ctx: Ctx) -> Reply:
    """ "Slow down": the cues are spoken more slowly from now on (kept with the preferences)."""
    ctx.kept["prefs"] = {**ctx.kept.get("prefs", {}), "pace": "slow"}
    return answer(ctx, phrase("change.slower"))


def say_again(ctx: Ctx) -> Reply:
    """ "Wait, what?": the last cue said (step by step: the end of the part just spoken;
    streaming: the last cue the player has passed), not the whole movement again."""
    if ctx.pos is None or ctx.state != State.ACTIVE:
        return intents.repeat_intent(ctx)
    pos = ctx.here
    if ctx.into_step:
        cues = [c for c in pos.script.steps[pos.step].cues if c.at <= ctx.into_step]
    else:
        cues = list(seq.current_part(pos).cues)
    said = [c.text for c in cues[-2:]] or [step_name(pos)]
    return answer(ctx, phrase("change.say_again", said=" ".join(said)))
