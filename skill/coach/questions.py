"""Questions the source text answers ("what is DOMS", "when should I do this"), in any
state and without losing the place: the answer, a short paragraph from the text
(content/answers.py), then the way back to the movement under way. And "it's fine", the
natural answer to the coach's own questions that a bare yes or no does not give."""

from __future__ import annotations

from collections.abc import Callable

from content.answers import answers
from content.phrases import phrase
from skill.coach import body, memory
from skill.coach.asks import Ask
from skill.coach.context import Ctx, Question
from skill.coach.replies import Reply, answer, step_name
from speech.states import State

QUESTIONS = (
    Ask.ABOUT_DOMS,
    Ask.WHY_RECOVERY,
    Ask.WHEN_TO_RECOVER,
    Ask.HOW_LONG_HARD,
    Ask.WATER,
    Ask.SLEEP_FOOD,
    Ask.SORENESS_OR_INJURY,
)


def back_to(ctx: Ctx) -> str:
    """The way back to the place, said after an answer: nothing when no routine is under way."""
    if ctx.pos is None or ctx.state not in (State.ACTIVE, State.PAUSED):
        return ""
    key = "skill.back_to_paused" if ctx.state == State.PAUSED else "skill.back_to"
    return phrase(key, name=step_name(ctx.pos))


def question(ask: Ask) -> Callable[[Ctx], Reply]:
    """The handler for one question: its answer from the text, and back to the place. A
    question waiting for a yes or no (shall I start?) is asked again after it."""

    def handler(ctx: Ctx) -> Reply:
        again = phrase("skill.start_again") if ctx.ask == Question.START else ""
        return answer(ctx, answers()[ask.value].text, back_to(ctx), again)

    handler.__name__ = f"question_{ask.name.lower()}"
    return handler


def its_fine(ctx: Ctx) -> Reply:
    """ "No, it's fine": to "sharp, or the usual soreness?" it is the soreness (back to the
    routine); to a yes-or-no question it is no; mid-routine, on we go."""
    if ctx.ask == Question.PAIN:
        return body.soreness_intent(ctx)
    if ctx.ask is not None:
        return memory.no(ctx)
    return answer(ctx, phrase("skill.fine"), back_to(ctx))
