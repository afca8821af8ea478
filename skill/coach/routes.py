"""Which handler answers each `Ask`: one table, every ask written once.

A handler takes the turn's `Ctx` and returns a `Reply`; it answers in every state
(tests/alexa/intent_states.yaml is the table of what each says where). While a routine
streams hands-free, two asks mean something else (`WHILE_STREAMING`): "next" is the next
movement (a track holds every part of a step) and help names the player's commands.
"""

from __future__ import annotations

from collections.abc import Callable

from skill.coach import body, changes, intents, memory, questions, reminders, stream
from skill.coach.asks import RED_FLAGS, WARNING_SIGNS, Ask
from skill.coach.context import Ctx
from skill.coach.replies import Reply

Handler = Callable[[Ctx], Reply]

# Pairs, not a dict literal, so that a test can see an ask routed twice (a dict keeps the last).
ROUTE_LIST: tuple[tuple[Ask, Handler], ...] = (
    (Ask.LAUNCH, memory.launch),
    (Ask.START_ROUTINE, memory.start),
    (Ask.HOW_TO, intents.how_to_intent),
    (Ask.CURRENT_MOVEMENT, intents.current_movement_intent),
    (Ask.WHATS_NEXT, intents.whats_next_intent),
    (Ask.ROUTINE, intents.routine_intent),
    (Ask.TIME_LEFT, intents.time_left_intent),
    (Ask.TIP, intents.tip_intent),
    (Ask.TOO_HARD, body.too_hard_intent),
    (Ask.SKIP, intents.skip_intent),
    (Ask.SORENESS, body.soreness_intent),
    (Ask.PAIN, body.pain_intent),
    *((flag, body.red_flag(flag)) for flag in RED_FLAGS),
    *((sign, body.warning_sign(sign)) for sign in WARNING_SIGNS),
    *((ask, questions.question(ask)) for ask in questions.QUESTIONS),
    (Ask.ITS_FINE, questions.its_fine),
    (Ask.SHORTER, changes.shorter),
    (Ask.SKIP_PART, changes.skip_part),
    (Ask.WHICH_SIDE, changes.which_side),
    (Ask.SAME_AS_LAST_TIME, memory.same_as_last_time),
    (Ask.EASIER, changes.easier),
    (Ask.SLOWER, changes.slower),
    (Ask.SAY_AGAIN, changes.say_again),
    (Ask.NO_FOAM_ROLLER, memory.no_roller),
    (Ask.HAVE_FOAM_ROLLER, memory.have_roller),
    (Ask.PREFER_CARDIO, memory.prefer_cardio),
    (Ask.PREFER_FOCUS, memory.prefer_focus),
    (Ask.PREFER_MINUTES, memory.prefer_minutes),
    (Ask.FORGET_ME, memory.forget_ask),
    (Ask.WEEK_HISTORY, memory.week),
    (Ask.STEP_BY_STEP, stream.step_by_step),
    (Ask.STRAIGHT_THROUGH, stream.straight_through),
    (Ask.NEXT, intents.next_intent),
    (Ask.PREVIOUS, intents.previous_intent),
    (Ask.REPEAT, intents.repeat_intent),
    (Ask.PAUSE, intents.pause_intent),
    (Ask.RESUME, intents.resume_intent),
    (Ask.START_OVER, memory.start_over),
    (Ask.HELP, intents.help_intent),
    (Ask.STOP, intents.stop_intent),
    (Ask.CANCEL, intents.stop_intent),
    (Ask.HOME, intents.stop_intent),
    (Ask.YES, memory.yes),
    (Ask.NO, memory.no),
    (Ask.LOOP_ON, stream.not_for_a_routine),
    (Ask.LOOP_OFF, stream.not_for_a_routine),
    (Ask.SHUFFLE_ON, stream.not_for_a_routine),
    (Ask.SHUFFLE_OFF, stream.not_for_a_routine),
    (Ask.REMIND_ME, reminders.remind_me),
    (Ask.REMIND_WEEKLY, reminders.remind_weekly),
    (Ask.DID_LEGS, reminders.did_legs),
    (Ask.REMINDER_ALLOWED, reminders.allowed),
    (Ask.REMINDER_REFUSED, reminders.refused),
    (Ask.UNCLEAR, intents.fallback_intent),
)
ROUTES: dict[Ask, Handler] = dict(ROUTE_LIST)
WHILE_STREAMING: dict[Ask, Handler] = {Ask.NEXT: intents.skip_intent, Ask.HELP: stream.help_streaming}


def handler_for(ask: Ask, streaming: bool) -> Handler:
    """The handler for `ask`; GONE_QUIET has none (the turn ends the session itself)."""
    if streaming and ask in WHILE_STREAMING:
        return WHILE_STREAMING[ask]
    return ROUTES.get(ask, intents.fallback_intent)
