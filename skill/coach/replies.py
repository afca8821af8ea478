"""What the skill says back: a `Reply` (speech, reprompt, whether the session ends) and
the words shared by the intents: reprompts that fit the state a turn leaves behind,
playing the current part of a step, and durations and lists read aloud."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from content.phrases import phrase
from content.planner import DEFAULT_MINUTES, PlanInputs
from skill.coach.context import Ctx
from speech import sequencer as seq
from speech.parts import without_welcome
from speech.script import StepScript
from speech.sequencer import Position
from speech.ssml import MAX_RESPONSE_SECONDS, prepend, render_part, slowed, speak, text
from speech.states import CueKind, State
from speech.timing import estimate_seconds

if TYPE_CHECKING:
    from skill.coach.reminders import Reminder
    from skill.coach.screen import Screen
    from skill.coach.stream import Audio

HELP_KEYS = {
    State.READY: "skill.help.ready",
    State.ACTIVE: "skill.help.active",
    State.PAUSED: "skill.help.paused",
    State.FINISHED: "skill.help.finished",
}


@dataclass(frozen=True, eq=False)  # never compared
class Reply:
    """What a turn says: speech, reprompt, whether the session ends, and what the player does."""

    ssml: str | None
    reprompt: str | None = None
    end: bool = False
    audio: tuple[Audio, ...] = ()  # tracks to play or the audio to stop (skill/coach/stream.py)
    played: bool = False  # the speech is a part of the routine (a stream plays its track instead)
    lead: str = ""  # what a played reply says before the part ("Starting over.", a note)
    reminder: Reminder | None = None  # a reminder for the front end to set (skill/coach/reminders.py)
    screen: Screen | None = None  # what a screen shows while the part is spoken (skill/coach/screen.py)


def say(*sentences: str) -> str:
    return speak(text(" ".join(s for s in sentences if s)))


def step_name(pos: Position, index: int | None = None) -> str:
    return pos.script.steps[pos.step if index is None else index].name


def movement_ended(ctx: Ctx) -> bool:
    """The current movement is over and the next one not begun: its closing words ("Well
    done. Next up, leg swings.") were said, step by step (the response with its last part)
    or in the stream (the player is past them). Questions then speak of the next movement."""
    if ctx.state != State.ACTIVE:
        return False
    pos = ctx.here
    closing = pos.script.steps[pos.step].cues[-1]
    if closing.kind != CueKind.END:  # the last step: finishing it finishes the routine
        return False
    if ctx.streaming or ctx.on_player:
        return ctx.into_step >= closing.at
    return pos.part + 1 >= len(seq.parts(pos))


def name_now(ctx: Ctx) -> str:
    """The movement a person would say they are on: the next one once the current has ended."""
    pos = ctx.here
    return step_name(pos, pos.step + 1) if movement_ended(ctx) else step_name(pos)


def reprompt_for(ctx: Ctx) -> str:
    if ctx.state == State.READY:
        return phrase("skill.launch_reprompt")
    pos = ctx.pos
    assert pos is not None
    if ctx.state == State.PAUSED:
        return phrase("skill.paused_reprompt", name=step_name(pos))
    if ctx.state == State.FINISHED:
        return phrase("skill.finished_reprompt")
    if pos.part + 1 < len(seq.parts(pos)):
        return phrase("skill.part_reprompt", name=step_name(pos))
    if pos.step + 1 >= pos.step_count:
        return phrase("skill.last_reprompt")
    return phrase("skill.active_reprompt", next=step_name(pos, pos.step + 1))


def _reprompt_ssml(ctx: Ctx) -> str:
    """The reprompt as SSML, made once per wording."""
    return _said(reprompt_for(ctx))


@functools.lru_cache(maxsize=1024)  # reprompts are a few phrases and the movements' names
def _said(sentence: str) -> str:
    return say(sentence)


def answer(ctx: Ctx, *sentences: str, end: bool = False) -> Reply:
    """Plain speech, with a reprompt that fits the state the turn leaves behind."""
    return Reply(say(ctx.note, *sentences), None if end else _reprompt_ssml(ctx), end)


def play(ctx: Ctx, pos: Position, *prefix: str, welcome: bool = True) -> Reply:
    """Speak the current part of the current step, with its timing cues. After the last
    part of the last step the routine is finished (its closing words are in that part),
    so help, time left and a walk-away speak of a finished routine. `welcome=False`
    leaves out the routine's welcome: it is said once, when the routine starts, not on a
    repeat, a resume or a return to the first step."""
    part = seq.current_part(pos) if welcome else without_welcome(seq.current_part(pos))
    if pos.step + 1 >= pos.step_count and pos.part + 1 >= len(seq.parts(pos)):
        pos = Position(pos.inputs, pos.step, pos.part, State.FINISHED)
    ctx.pos, ctx.ask = pos, None
    r = render_part(part)
    lead = " ".join(p for p in (ctx.note, *prefix) if p)
    ssml = r.ssml
    if lead and r.estimated_seconds + estimate_seconds(lead) <= MAX_RESPONSE_SECONDS:
        ssml = prepend(ssml, lead)
    if ctx.kept.get("prefs", {}).get("pace") == "slow":  # "slow down" (skill/coach/changes.py)
        ssml = slowed(ssml)
    from skill.coach.screen import screen_for

    screen = screen_for(pos, r.estimated_seconds)
    return Reply(ssml, _reprompt_ssml(ctx), played=True, lead=lead, screen=screen)


def help_words(state: State, name: str = "") -> str:
    return phrase(HELP_KEYS[state], name=name)


def duration_words(seconds: float) -> str:
    if seconds < 55:
        return phrase("skill.seconds", count=int(round(seconds / 5) * 5) or 5)
    minutes = round(seconds / 60)
    return phrase("skill.one_minute") if minutes == 1 else phrase("skill.minutes", count=minutes)


def step_left_seconds(pos: Position) -> float:
    """Time left in the current step from the start of its current part."""
    return pos.script.steps[pos.step].seconds - seq.current_part(pos).at


# "What's in my routine": a phrase per part of the routine, for one step or several.
ROUTINE_PART_KEYS = {
    "cardio": ("skill.routine_part_one.cardio", "skill.routine_part.cardio"),
    "stretching": ("skill.routine_part_one.stretching", "skill.routine_part.stretching"),
    "foam-rolling": ("skill.routine_part_one.foam-rolling", "skill.routine_part.foam-rolling"),
    "yoga": ("skill.routine_part_one.yoga", "skill.routine_part.yoga"),
}


def routine_parts(pos: Position) -> str:
    """The routine grouped by part: "about 5 minutes of brisk walking, then 2 stretches, ..."."""
    groups: list[list[StepScript]] = []
    for step in pos.script.steps:
        if groups and groups[-1][0].category == step.category:
            groups[-1].append(step)
        else:
            groups.append([step])
    words = []
    for group in groups:
        one, many = ROUTINE_PART_KEYS[group[0].category]
        seconds = sum(s.seconds for s in group)
        name = group[0].name if len(group) == 1 else group[0].category
        words.append(
            phrase(one if len(group) == 1 else many, count=len(group), name=name, duration=duration_words(seconds))
        )
    return ", then ".join(words)


def listing(items: list[str], joiner: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f", {joiner} " + items[-1]


def default_position() -> Position:
    return seq.start(PlanInputs(DEFAULT_MINUTES))
