"""What the skill says when someone talks about their body: the source text's five red
flags (each ends the routine at once, in any state), generic pain (stop the movement and
ask: sharp, or the usual dull soreness?), everyday soreness (what the routine is for; it
never ends one) and "too hard" (gentler guidance from the text, and an offer to skip)."""

from __future__ import annotations

from collections.abc import Callable

from content.library import library
from content.phrases import phrase
from content.planner import AREAS, DEFAULT_MINUTES, PlanInputs
from skill.coach.asks import Ask
from skill.coach.context import Ctx, Question
from skill.coach.replies import Reply, answer, play, say, step_name
from skill.coach.slots import NOT_SAID, resolve
from speech import sequencer as seq
from speech.states import State

# Each red-flag intent and the words that name what was heard (content/phrases/en.yaml).
RED_FLAG_KEYS = {
    Ask.SHARP_PAIN: "skill.red_flag.sharp",
    Ask.LASTING_PAIN: "skill.red_flag.lasting",
    Ask.SWELLING: "skill.red_flag.swelling",
    Ask.CANNOT_BEAR_WEIGHT: "skill.red_flag.weight",
    Ask.WORSENING_PAIN: "skill.red_flag.worsening",
}
FLAG_WORDS = {key.rsplit(".", 1)[1]: key for key in RED_FLAG_KEYS.values()}  # kept by name: "sharp", ...
AREA_KEYS = {
    "quads": "skill.area.quads",
    "hamstrings": "skill.area.hamstrings",
    "glutes": "skill.area.glutes",
    "calves": "skill.area.calves",
    "hips": "skill.area.hips",
    "it-band": "skill.area.it-band",
    "lower-back": "skill.area.lower-back",
}


def red_flag(flag: Ask) -> Callable[[Ctx], Reply]:
    """The handler for one red flag: end the routine now (saying so only when one was under
    way), name what was heard, say to see a professional, and end the session (about fifteen
    seconds of speech). The flag is kept: the next launch asks whether it is better first."""

    def handler(ctx: Ctx) -> Reply:
        key = "skill.safety" if ctx.state in (State.ACTIVE, State.PAUSED) else "skill.safety_no_routine"
        ctx.pos, ctx.ask, ctx.area = None, None, None
        ctx.kept = {**ctx.kept, "flag": [RED_FLAG_KEYS[flag].rsplit(".", 1)[1], ctx.today.isoformat()]}
        heard = phrase(RED_FLAG_KEYS[flag])
        return Reply(say(phrase(key, flag=heard, disclaimer=library().disclaimer)), None, True)

    handler.__name__ = f"red_flag_{flag.name.lower()}"
    return handler


def warning_sign(sign: Ask) -> Callable[[Ctx], Reply]:
    """The handler for one warning sign beyond the source text: end the routine now, name
    what was heard and say what to do (call emergency services, or rest and see a
    professional if it does not pass), and end the session."""

    def handler(ctx: Ctx) -> Reply:
        ctx.pos, ctx.ask, ctx.area = None, None, None
        found = library().warning_sign(sign.value)
        key = "skill.warning_emergency" if found.emergency else "skill.warning"
        return Reply(
            say(phrase(key, sign=found.heard, advice=found.advice, disclaimer=library().disclaimer)), None, True
        )

    handler.__name__ = f"warning_{sign.name.lower()}"
    return handler


def pain_intent(ctx: Ctx) -> Reply:
    """ "It hurts": stop the movement under way and ask one question."""
    if ctx.state == State.ACTIVE:
        ctx.pos, _ = seq.pause(ctx.here)
    ctx.ask = Question.PAIN
    return Reply(say(ctx.note, phrase("skill.pain_check")), say(phrase("skill.pain_check_reprompt")))


def soreness_intent(ctx: Ctx) -> Reply:
    """Ordinary soreness: answered kindly; back to the routine if one is under way, else an
    offer of a routine aimed at the sore area."""
    asked, ctx.ask = ctx.ask, None
    if ctx.pos is not None and ctx.state in (State.ACTIVE, State.PAUSED):
        if asked == Question.PAIN:
            pos, _ = seq.resume(ctx.here)
            return play(ctx, pos, phrase("skill.pain_dull"), welcome=False)
        return answer(ctx, phrase("skill.sore_mid_routine"))
    slot = ctx.slots.get("area", NOT_SAID)
    area = resolve(slot, "AreaType") if slot.value or slot.id else None
    ctx.ask, ctx.area = Question.START, None
    if area is None:
        return answer(ctx, phrase("skill.sore_offer_legs", minutes=DEFAULT_MINUTES))
    ctx.ask, ctx.area = Question.TARGET, area
    return answer(ctx, phrase("skill.sore_offer", area=phrase(AREA_KEYS[area]), minutes=DEFAULT_MINUTES))


def start_targeted(ctx: Ctx) -> Reply:
    """Yes to the offer of a routine aimed at a sore area."""
    area = ctx.area if ctx.area in AREAS else None
    ctx.area = None
    return play(ctx, seq.start(PlanInputs(DEFAULT_MINUTES, targets=(area,) if area else ())))


def pain_unanswered(ctx: Ctx) -> Reply:
    """Yes or no does not answer "sharp, or dull soreness?": ask again."""
    ctx.ask = Question.PAIN
    return Reply(say(phrase("skill.pain_check_reprompt")), say(phrase("skill.pain_check_reprompt")))


def too_hard_intent(ctx: Ctx) -> Reply:
    if ctx.pos is None or ctx.state not in (State.ACTIVE, State.PAUSED):
        return answer(ctx, phrase("skill.too_hard_general"))
    ctx.ask = Question.SKIP
    name = step_name(ctx.here)
    return Reply(say(ctx.note, phrase("skill.too_hard", name=name)), say(phrase("skill.too_hard_reprompt", name=name)))


def keep_gently(ctx: Ctx) -> Reply:
    """No to skipping a movement that felt too hard."""
    assert ctx.pos is not None
    return answer(ctx, phrase("skill.keep_gently", name=step_name(ctx.here)))


def flagged(ctx: Ctx) -> bool:
    """A red flag was heard, and the person has not said since that it is better."""
    return bool(ctx.kept.get("flag"))


def ask_if_better(ctx: Ctx, *before: str) -> Reply:
    """Before anything starts after a red flag: how is it now? (Nothing starts until it is better.)"""
    kind, _ = ctx.kept["flag"]
    ctx.pos, ctx.ask = None, Question.BETTER
    heard = phrase(FLAG_WORDS.get(kind, "skill.red_flag.sharp"))
    return Reply(say(ctx.note, *before, phrase("skill.flag_check", flag=heard)), say(phrase("skill.flag_reprompt")))


def better(ctx: Ctx) -> Reply:
    """Yes, it is better: the flag is let go, and a routine offered (another yes starts it)."""
    ctx.kept = {k: v for k, v in ctx.kept.items() if k != "flag"}
    ctx.ask = Question.START
    return answer(ctx, phrase("skill.flag_better", minutes=DEFAULT_MINUTES))


def not_better(ctx: Ctx) -> Reply:
    """No: nothing starts; see a professional. The flag stays, so the next launch asks again."""
    ctx.ask = None
    return Reply(say(phrase("skill.flag_not_better", disclaimer=library().disclaimer)), None, True)
