"""What the skill says to each intent: one function per intent, each answering in every
state (tests/alexa/intent_states.yaml is the table), and `HANDLERS` naming them."""

from __future__ import annotations

from collections.abc import Callable

from content.library import library
from content.phrases import phrase
from content.planner import DEFAULT_CARDIO_CHOICE, DEFAULT_MINUTES, PlanInputs
from skill.coach import body
from skill.coach.context import Ctx, Question
from skill.coach.replies import (
    Reply,
    answer,
    default_position,
    duration_words,
    help_words,
    listing,
    movement_ended,
    name_now,
    play,
    routine_parts,
    say,
    step_left_seconds,
    step_name,
)
from skill.coach.slots import NOT_SAID, plan_minutes, slot_id
from speech import sequencer as seq
from speech.states import Outcome, State


def launch(ctx: Ctx) -> Reply:
    if ctx.pos is not None and ctx.state in (State.ACTIVE, State.PAUSED):
        ctx.ask = Question.RESUME
        return Reply(
            say(ctx.note, phrase("skill.launch_resume", name=step_name(ctx.here))), say(phrase("skill.resume_reprompt"))
        )
    ctx.pos, ctx.ask = None, Question.START
    key = "skill.launch_again" if ctx.visits > 1 else "skill.launch_new"
    return answer(ctx, phrase(key, minutes=DEFAULT_MINUTES, disclaimer=library().disclaimer))


def start_routine(ctx: Ctx) -> Reply:
    minutes, minutes_note = plan_minutes(ctx.slots.get("duration", NOT_SAID))
    focus, odd_focus = slot_id(ctx.slots, "focus", "FocusType", "full")
    focus_note = phrase("skill.focus_unknown", spoken=ctx.slots["focus"].value) if odd_focus else ""
    roller, _ = slot_id(ctx.slots, "roller", "RollerType", None)
    cardio, odd_cardio = slot_id(ctx.slots, "cardio", "CardioType", DEFAULT_CARDIO_CHOICE)
    area, odd_area = slot_id(ctx.slots, "area", "AreaType", None)
    notes = (phrase("skill.cardio_unknown") if odd_cardio else "", phrase("skill.area_unknown") if odd_area else "")
    restarting = phrase("skill.new_routine") if ctx.state in (State.ACTIVE, State.PAUSED) else ""
    rotation = max(ctx.visits - 1, 0) % 7  # a returning user gets another day's stretches and poses
    pos = seq.start(
        PlanInputs(
            minutes,
            focus or "full",
            roller != "without",
            cardio=cardio or DEFAULT_CARDIO_CHOICE,
            targets=(area,) if area else (),
            rotation=rotation,
        )
    )
    return play(ctx, pos, restarting, minutes_note, focus_note, *notes)


def not_started(ctx: Ctx) -> Reply:
    ctx.ask = Question.START
    return answer(ctx, phrase("skill.not_started", minutes=DEFAULT_MINUTES))


def finished(ctx: Ctx) -> Reply:
    ctx.ask = Question.TIP
    return answer(ctx, phrase("skill.finished"))


def _forward(ctx: Ctx, move: Callable[[seq.Position], seq.Move]) -> Reply:
    """On by `move` (the next part, or the next movement); the end of the routine finishes it."""
    if ctx.state == State.READY:
        return not_started(ctx)
    if ctx.state == State.FINISHED:
        return finished(ctx)
    pos, outcome = move(ctx.here)
    ctx.pos = pos
    return finished(ctx) if outcome == Outcome.FINISHED else play(ctx, pos)


def next_intent(ctx: Ctx) -> Reply:
    return _forward(ctx, seq.advance)


def previous_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        return not_started(ctx)
    pos, outcome = seq.previous_step(ctx.here)
    if outcome == Outcome.AT_START:
        return play(ctx, pos, phrase("skill.first_step"), welcome=False)
    return play(ctx, pos, welcome=False)


def skip_intent(ctx: Ctx) -> Reply:
    """On to the next movement, whatever part of this one we are in."""
    return _forward(ctx, seq.next_step)


def repeat_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        return not_started(ctx)
    if ctx.state == State.FINISHED:
        return finished(ctx)
    pos, _ = seq.repeat(ctx.here)
    return play(ctx, pos, welcome=False)  # the welcome is said once, when the routine starts


def pause_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.PAUSED:
        return answer(ctx, phrase("skill.already_paused", name=step_name(ctx.here)))
    if ctx.state != State.ACTIVE:
        return answer(ctx, phrase("skill.nothing_to_pause"), help_words(ctx.state))
    ctx.pos, _ = seq.pause(ctx.here)
    return answer(ctx, phrase("skill.paused", name=step_name(ctx.here)))


def resume_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        ctx.ask = Question.START
        return answer(ctx, phrase("skill.nothing_to_resume", minutes=DEFAULT_MINUTES))
    if ctx.state == State.FINISHED:
        return answer(ctx, phrase("skill.last_step_done"))
    pos, _ = seq.resume(ctx.here)
    return play(ctx, pos, welcome=False)


def start_over_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        return play(ctx, default_position())
    pos, _ = seq.start_over(ctx.here)
    return play(ctx, pos, phrase("skill.starting_over"))


def help_intent(ctx: Ctx) -> Reply:
    if movement_ended(ctx):
        return answer(ctx, phrase("skill.help.between", name=name_now(ctx)))
    name = step_name(ctx.here) if ctx.state in (State.ACTIVE, State.PAUSED) else ""
    return answer(ctx, help_words(ctx.state, name))


def stop_intent(ctx: Ctx) -> Reply:
    ctx.ask = None
    if ctx.state in (State.ACTIVE, State.PAUSED):
        ctx.pos, _ = seq.pause(ctx.here)
        return answer(ctx, phrase("skill.stop_saved", name=step_name(ctx.here)), end=True)
    return answer(ctx, phrase("skill.goodbye"), end=True)


FALLBACK_KEYS = {  # after "Sorry, I didn't get that", by state
    State.READY: "skill.fallback_hint.ready",
    State.ACTIVE: "skill.fallback_hint.active",
    State.PAUSED: "skill.fallback_hint.paused",
    State.FINISHED: "skill.fallback_hint.finished",
}


def fallback_intent(ctx: Ctx) -> Reply:
    """Not understood: sorry, and the two or three things most likely meant here (a
    question waiting for its answer keeps waiting: it is asked again)."""
    if ctx.ask == Question.PAIN:
        return Reply(
            say(phrase("skill.fallback"), phrase("skill.fallback_hint.pain")), say(phrase("skill.pain_check_reprompt"))
        )
    if movement_ended(ctx):  # its closing words were said: the next one is what they are on
        return answer(ctx, phrase("skill.fallback"), phrase("skill.fallback_hint.between", name=name_now(ctx)))
    key, name = FALLBACK_KEYS[ctx.state], ""
    if ctx.pos is not None:
        name = step_name(ctx.pos)
        sides = library().get(ctx.pos.script.steps[ctx.pos.step].movement_id).per_side
        key = "skill.fallback_hint.active_sides" if sides and ctx.state == State.ACTIVE else key
    return answer(ctx, phrase("skill.fallback"), phrase(key, name=name))


def yes_intent(ctx: Ctx) -> Reply:
    ask = ctx.ask
    if ask == Question.RESUME and ctx.pos is not None:
        return resume_intent(ctx)
    if ask == Question.TIP or (ask is None and ctx.state == State.FINISHED):
        return tip_intent(ctx)
    if ask == Question.SKIP and ctx.pos is not None:
        return skip_intent(ctx)
    if ask == Question.TARGET:
        return body.start_targeted(ctx)
    if ask == Question.PAIN:
        return body.pain_unanswered(ctx)
    if ask == Question.START or ctx.state == State.READY:
        return play(ctx, default_position())
    return answer(ctx, phrase("skill.yes_unclear"))


def no_intent(ctx: Ctx) -> Reply:
    ask, ctx.ask = ctx.ask, None
    if ask == Question.RESUME:
        ctx.pos = None
        return _offer_start(ctx, phrase("skill.no_to_resume", minutes=DEFAULT_MINUTES))
    if ask == Question.START:
        return answer(ctx, phrase("skill.no_to_start"))
    if ask == Question.PAIN:
        return body.pain_unanswered(ctx)
    if ask in (Question.TIP, Question.SKIP) and ctx.pos is not None and ctx.state in (State.ACTIVE, State.PAUSED):
        if ask == Question.SKIP:
            return body.keep_gently(ctx)
        return answer(ctx, phrase("skill.no_more_tips", name=step_name(ctx.here)))
    if ask == Question.TIP:
        return answer(ctx, phrase("skill.goodbye"), end=True)
    if ask == Question.TARGET:
        return answer(ctx, phrase("skill.no_to_start"))
    return help_intent(ctx)


def _offer_start(ctx: Ctx, sentence: str) -> Reply:
    ctx.ask = Question.START
    return answer(ctx, sentence)


def how_to_intent(ctx: Ctx) -> Reply:
    slot = ctx.slots.get("movement", NOT_SAID)
    routine = (ctx.pos or default_position()).script.steps
    if (slot.value or "").lower().split()[:1] in (["this"], ["that"]):
        return current_movement_intent(ctx)
    if not (slot.value or slot.id):
        return answer(ctx, phrase("skill.howto_missing", example=routine[0].name))
    movement = library().find(slot.value or "") or (
        library().get(slot.id) if slot.id in {m.id for m in library().movements} else None
    )
    if movement is None:
        examples = listing([s.name for s in routine[:3]], "or")
        return answer(ctx, phrase("skill.howto_unknown", spoken=slot.value, examples=examples))
    how = " ".join([movement.how_to, *movement.cautions])
    return answer(ctx, phrase("skill.howto", name=movement.name.capitalize(), how=how))


def current_movement_intent(ctx: Ctx) -> Reply:
    """ "What is this exercise": the movement under way, described."""
    if ctx.pos is None or ctx.state not in (State.ACTIVE, State.PAUSED):
        return not_started(ctx) if ctx.state == State.READY else answer(ctx, phrase("skill.next_none"))
    movement = library().get(ctx.pos.script.steps[ctx.pos.step].movement_id)
    how = " ".join([movement.how_to, *movement.cautions])
    return answer(ctx, phrase("skill.describe", name=movement.name, how=how))


def whats_next_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        return answer(ctx, phrase("skill.next_first", next=step_name(default_position(), 0)))
    if ctx.state == State.FINISHED:
        return answer(ctx, phrase("skill.next_none"))
    pos = ctx.here
    if pos.step + 1 >= pos.step_count:
        return answer(ctx, phrase("skill.next_is_last", name=step_name(pos).capitalize()))
    return answer(ctx, phrase("skill.next_is", name=step_name(pos), next=step_name(pos, pos.step + 1)))


def routine_intent(ctx: Ctx) -> Reply:
    pos = ctx.pos or default_position()
    where = (
        phrase("skill.routine_at", number=pos.step + 1, name=step_name(pos))
        if ctx.state in (State.ACTIVE, State.PAUSED)
        else ""
    )
    return answer(ctx, phrase("skill.routine", minutes=pos.inputs.minutes, parts=routine_parts(pos)), where)


def time_left_intent(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        return answer(ctx, phrase("skill.left_not_started", minutes=DEFAULT_MINUTES))
    if ctx.state == State.FINISHED:
        return answer(ctx, phrase("skill.left_none"))
    pos = ctx.here
    if movement_ended(ctx):  # "how much is left" between movements: the next one, whole
        nxt = pos.script.steps[pos.step + 1]
        rest = duration_words(pos.script.total_seconds - pos.script.step_start(nxt.index))
        return answer(ctx, phrase("skill.left_next", step_left=duration_words(nxt.seconds), left=rest, name=nxt.name))
    step_left = duration_words(max(step_left_seconds(pos) - ctx.into_step, 0))
    if pos.step + 1 >= pos.step_count:
        return answer(ctx, phrase("skill.left_step", step_left=step_left, name=step_name(pos)))
    left = duration_words(max(seq.remaining_seconds(pos) - ctx.into_step, 0))
    return answer(ctx, phrase("skill.left", step_left=step_left, left=left, name=step_name(pos)))


def tip_intent(ctx: Ctx) -> Reply:
    tips = library().tips
    tip = tips[ctx.tips % len(tips)]
    ctx.tips += 1
    ctx.ask = Question.TIP
    return Reply(
        say(ctx.note, phrase("skill.tip", text=tip.text), phrase("skill.tip_more")), say(phrase("skill.tip_reprompt"))
    )
