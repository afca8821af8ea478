"""What the skill remembers about a user, and the intents that use it.

Kept per user (its shape, migration and merge: skill/coach/kept.py): `visits`, `tips`,
`prefs` (`roller` true/false, `minutes`, `focus`, `cardio`, `mode`: "steps" or "stream",
see skill/coach/stream.py), the unfinished routine (`pos`, the sequencer cursor, `stream`
when it plays hands-free, and `pos_at`, when it was last moved, in epoch seconds) and
`history`, finished routines, newest last. skill/coach/turn.py reads it once per session,
carries it in session attributes and writes it only when it changed.

Preferences feed every start ("start my leg recovery", yes to "shall I start", start
over with nothing started); launch greets a returning user with one short line and
offers an unfinished routine from the last `RESUME_DAYS` days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from content.phrases import phrase
from content.planner import DEFAULT_MINUTES, clamp_minutes
from skill.coach import body, intents, reminders
from skill.coach.context import Ctx, Question
from skill.coach.kept import fresh
from skill.coach.replies import Reply, answer, listing, say, step_name
from skill.coach.slots import NOT_SAID, Slot, duration_seconds, resolve
from skill.coach.vocabulary import slot_types
from speech import sequencer as seq
from speech.sequencer import Position
from speech.states import State

RESUME_DAYS = 3
WEEK_DAYS = 7


def saved_position(kept: dict[str, Any], today: date) -> Position | None:
    """The unfinished routine to offer: moved in the last RESUME_DAYS days (or by a
    release that did not record when), paused because they walked away."""
    pos = seq.from_attributes(kept.get("pos"))
    if pos is None or pos.state not in (State.ACTIVE, State.PAUSED):
        return None
    at = kept.get("pos_at")
    if at is not None and (today - _day(at)).days > RESUME_DAYS:
        return None
    return replace(pos, state=State.PAUSED)  # every plan input kept, the rotation too


def _day(epoch: int) -> date:
    return datetime.utcfromtimestamp(epoch).date()


def finished_days(kept: dict[str, Any]) -> list[date]:
    days = []
    for entry in kept.get("history", []):
        try:
            days.append(date.fromisoformat(entry[0]))
        except ValueError:
            continue
    return sorted(set(days))


def greeting(ctx: Ctx) -> str:
    """One short line for a returning user: a streak of consecutive days, or days since."""
    days = finished_days(ctx.kept)
    if not days:
        return ""
    since = (ctx.today - days[-1]).days
    streak = 1
    while streak < len(days) and (days[-streak] - days[-streak - 1]).days == 1:
        streak += 1
    if streak >= 2 and since <= 1:
        return phrase("memory.streak", days=streak)
    if since <= 0:
        return phrase("memory.since_today")
    if since == 1:
        return phrase("memory.since_yesterday")
    return phrase("memory.since_days", days=since)


def _when(ctx: Ctx) -> str:
    at = ctx.kept.get("pos_at")
    days = (ctx.today - _day(at)).days if isinstance(at, int) else None
    if days is None:
        return ""
    if days <= 0:
        return phrase("memory.when_today")
    return phrase("memory.when_yesterday") if days == 1 else phrase("memory.when_days", days=days)


def usual_minutes(ctx: Ctx) -> int:
    minutes = ctx.kept.get("prefs", {}).get("minutes")
    return minutes if isinstance(minutes, int) else DEFAULT_MINUTES


def launch(ctx: Ctx) -> Reply:
    if body.flagged(ctx):
        return body.ask_if_better(ctx, phrase("memory.welcome_back"))
    returning = ctx.visits > 1 or ctx.kept.get("history")
    if not returning:
        return intents.launch(ctx)
    line = greeting(ctx)
    if ctx.pos is not None and ctx.state in (State.ACTIVE, State.PAUSED):
        ctx.ask = Question.RESUME
        when = _when(ctx)
        where = (
            phrase("memory.resume_when", name=step_name(ctx.pos), when=when)
            if when
            else phrase("memory.resume", name=step_name(ctx.pos))
        )
        return Reply(say(ctx.note, phrase("memory.welcome_back"), line, where), say(phrase("skill.resume_reprompt")))
    ctx.pos, ctx.ask = None, Question.START
    same = same_offer(ctx)
    if same:
        ctx.ask = Question.SAME
    offer = same or phrase("memory.start_offer", minutes=usual_minutes(ctx))
    return answer(ctx, phrase("memory.welcome_back"), line, offer)


def start(ctx: Ctx) -> Reply:
    """Start a routine, filling what the request did not say from the user's preferences
    (after a red flag: not before the person says it is better)."""
    if body.flagged(ctx):
        return body.ask_if_better(ctx)
    prefs = ctx.kept.get("prefs", {})
    filled = dict(ctx.slots)
    if not filled.get("duration", NOT_SAID).value and isinstance(prefs.get("minutes"), int):
        filled["duration"] = Slot(f"PT{prefs['minutes']}M")
    if not _said(filled, "focus") and prefs.get("focus"):
        filled["focus"] = Slot(None, prefs["focus"])
    if not _said(filled, "roller") and prefs.get("roller") is False:
        filled["roller"] = Slot(None, "without")
    if not _said(filled, "cardio") and prefs.get("cardio"):
        filled["cardio"] = Slot(None, prefs["cardio"])
    ctx.slots = filled
    return intents.start_routine(ctx)


def _said(slots: dict[str, Slot], name: str) -> bool:
    slot = slots.get(name, NOT_SAID)
    return bool(slot.value or slot.id)


def _remember(ctx: Ctx, key: str, value: object, *sentences: str) -> Reply:
    ctx.kept["prefs"] = {**ctx.kept.get("prefs", {}), key: value}
    return answer(ctx, *sentences)


def no_roller(ctx: Ctx) -> Reply:
    return _remember(ctx, "roller", False, phrase("memory.no_roller"))


def have_roller(ctx: Ctx) -> Reply:
    return _remember(ctx, "roller", True, phrase("memory.have_roller"))


def _value_words(type_name: str, vid: str) -> str:
    return slot_types()[type_name][vid][0]


def prefer_cardio(ctx: Ctx) -> Reply:
    slot = ctx.slots.get("cardio", NOT_SAID)
    choice = resolve(slot, "CardioType")
    if choice is None:
        choices = listing([_value_words("CardioType", v) for v in slot_types()["CardioType"]], "or")
        return answer(ctx, phrase("memory.cardio_unknown", spoken=slot.value or "", choices=choices))
    return _remember(ctx, "cardio", choice, phrase("memory.cardio", choice=_value_words("CardioType", choice)))


def prefer_focus(ctx: Ctx) -> Reply:
    slot = ctx.slots.get("focus", NOT_SAID)
    focus = resolve(slot, "FocusType")
    if focus is None:
        return answer(ctx, phrase("memory.focus_unknown", spoken=slot.value or ""))
    return _remember(ctx, "focus", focus, phrase("memory.focus", focus=_value_words("FocusType", focus)))


def prefer_minutes(ctx: Ctx) -> Reply:
    seconds = duration_seconds(ctx.slots.get("duration", NOT_SAID).value or "")
    if not seconds or seconds <= 0:
        return answer(ctx, phrase("memory.minutes_unclear"))
    minutes, note = clamp_minutes(max(1, round(seconds / 60)))
    return _remember(ctx, "minutes", minutes, note or "", phrase("memory.minutes", minutes=minutes))


def forget_ask(ctx: Ctx) -> Reply:
    ctx.ask = Question.FORGET
    return Reply(say(phrase("memory.forget_ask")), say(phrase("memory.forget_reprompt")))


def forget(ctx: Ctx) -> Reply:
    ctx.forget, ctx.kept, ctx.pos, ctx.ask, ctx.visits, ctx.tips = True, fresh(), None, None, 0, 0
    return Reply(say(phrase("memory.forgotten")), None, True)


def week(ctx: Ctx) -> Reply:
    since = ctx.today - timedelta(days=WEEK_DAYS - 1)
    done = [h for h in ctx.kept.get("history", []) if since.isoformat() <= h[0] <= ctx.today.isoformat()]
    if not done:
        if ctx.state != State.READY:
            return answer(ctx, phrase("memory.week_none"))
        ctx.ask = Question.START
        return answer(ctx, phrase("memory.week_none"), phrase("memory.week_start", minutes=usual_minutes(ctx)))
    days = sorted({date.fromisoformat(h[0]) for h in done})
    names = listing([_day_name(ctx.today, d) for d in days])
    minutes = sum(h[1] for h in done)
    key = "memory.week_one" if len(done) == 1 else "memory.week_many"
    return answer(ctx, phrase(key, count=len(done), minutes=minutes, days=names))


def _day_name(today: date, day: date) -> str:
    if day == today:
        return phrase("memory.today")
    if day == today - timedelta(days=1):
        return phrase("memory.yesterday")
    return phrase("memory.weekday", day.weekday())


def yes(ctx: Ctx) -> Reply:
    if ctx.ask == Question.FORGET:
        return forget(ctx)
    if ctx.ask == Question.REMIND:
        return reminders.yes_to_offer(ctx)
    if ctx.ask == Question.BETTER:
        return body.better(ctx)
    if ctx.ask == Question.TARGET and ctx.area:  # a routine aimed at the sore area, with the usual preferences
        ctx.slots = {"area": Slot(None, ctx.area)}
        return start(ctx)
    if ctx.ask == Question.SAME:
        return same_as_last_time(ctx)
    if ctx.ask == Question.START or (ctx.ask is None and ctx.state == State.READY):
        ctx.slots = {}
        return start(ctx)
    return intents.yes_intent(ctx)  # resume, a tip, skipping a movement, the pain question


def no(ctx: Ctx) -> Reply:
    if ctx.ask == Question.REMIND:
        return reminders.no_to_offer(ctx)
    if ctx.ask == Question.FORGET:
        ctx.ask = None
        return answer(ctx, phrase("memory.forget_kept"))
    if ctx.ask == Question.BETTER:
        return body.not_better(ctx)
    if ctx.ask == Question.RESUME:
        ctx.pos, ctx.ask = None, Question.START
        return answer(ctx, phrase("skill.no_to_resume", minutes=usual_minutes(ctx)))
    if ctx.ask == Question.SAME:  # not the same as last time: the usual, then
        ctx.ask = Question.START
        return answer(ctx, phrase("memory.no_to_same", minutes=usual_minutes(ctx)))
    return intents.no_intent(ctx)


def start_over(ctx: Ctx) -> Reply:
    if ctx.state == State.READY:
        ctx.slots = {}
        return start(ctx)
    return intents.start_over_intent(ctx)


def same_as_last_time(ctx: Ctx) -> Reply:
    """The last finished routine's length and focus again, with today's preferences."""
    last = last_routine(ctx.kept)
    if last is None:
        return answer(ctx, phrase("change.no_last_time"))
    minutes, focus = last[1], last[2]
    ctx.slots = {"duration": Slot(f"PT{minutes}M"), "focus": Slot(None, focus)}
    return start(ctx)


def last_routine(kept: dict[str, object]) -> tuple[date, int, str] | None:
    """(date, minutes, focus) of the last finished routine kept, or None."""
    history = kept.get("history")
    for entry in reversed(history if isinstance(history, list) else []):
        try:
            return date.fromisoformat(entry[0]), int(entry[1]), str(entry[2])
        except (TypeError, ValueError, IndexError):
            continue
    return None


def same_offer(ctx: Ctx) -> str:
    """ "Same as Tuesday: a 15-minute yoga routine, without a roller?", from the last
    finished routine and today's preferences; empty when none is kept, or it was today."""
    last = last_routine(ctx.kept)
    if last is None:
        return ""
    days = (ctx.today - last[0]).days
    if days <= 0:  # done today already: the usual offer
        return ""
    when = phrase("memory.same_when.yesterday")
    if days > 1:
        when = last[0].strftime("%A") if days < 7 else phrase("memory.same_when.last_time")
    focus = "" if last[2] == "full" else f" {slot_types()['FocusType'][last[2]][0]}"
    roller = phrase("memory.same_no_roller") if ctx.kept.get("prefs", {}).get("roller") is False else ""
    return phrase("memory.same_offer", when=when, minutes=last[1], focus=focus, roller=roller)
