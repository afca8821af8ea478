"""Reminders for the rest day: the source text says active recovery works best on rest days,
24 to 48 hours after the leg workout, so the coach offers to bring the person back then.

"Remind me tomorrow", "remind me on Saturday at ten", "remind me every Tuesday at seven",
and "I did legs today" (which proposes tomorrow evening: the 24-48 hour window) answer with
a `Reminder` in the reply. The front end sets it on its platform and tells the coach how
that went (`Outcome`); `after` gives the words for each outcome. A reminder that needs the
person's permission first travels as its `token` and comes back with their answer
(Ask.REMINDER_ALLOWED / REMINDER_REFUSED, slot "reminder"). Nothing here touches the routine:
a reminder is set, refused or failed, and the routine stands where it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from content.phrases import phrase
from skill.coach.context import Ctx, Question
from skill.coach.replies import Reply, answer, say

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVENING = (18, 0)  # "tomorrow evening": when the 24-48 hour window is open after leg day
PARTS_OF_DAY = {"MO": (9, 0), "AF": (14, 0), "EV": (18, 0), "NI": (20, 0)}  # AMAZON.TIME's words for them
_TOKEN = re.compile(r"reminder:(once|every):(tomorrow|[0-6]):([01]\d|2[0-3])([0-5]\d)")


class Outcome(StrEnum):
    """How setting a reminder went, in the coach's words."""

    SET = "set"
    NO_PERMISSION = "no_permission"  # the person has not allowed reminders (yet)
    LIMIT = "limit"  # the platform holds as many of the skill's reminders as it allows
    FAILED = "failed"  # the platform did not answer, or answered with an error
    REFUSED = "refused"  # asked for the permission, the person said no (or nothing)


OUTCOME_KEYS = {  # what is said once the platform has answered
    Outcome.SET: "reminder.set",
    Outcome.NO_PERMISSION: "reminder.no_permission",
    Outcome.LIMIT: "reminder.limit",
    Outcome.FAILED: "reminder.failed",
    Outcome.REFUSED: "reminder.refused",
}


@dataclass(frozen=True)
class Reminder:
    """Once (tomorrow, or the next `day`) or every week on `day`, at hour:minute, local time."""

    weekly: bool
    day: int | None  # 0 is Monday; None: tomorrow
    hour: int
    minute: int

    @property
    def token(self) -> str:
        day = "tomorrow" if self.day is None else str(self.day)
        return f"reminder:{'every' if self.weekly else 'once'}:{day}:{self.hour:02d}{self.minute:02d}"

    @classmethod
    def from_token(cls, token: object) -> Reminder | None:
        m = _TOKEN.fullmatch(token) if isinstance(token, str) else None
        if m is None:
            return None
        day = None if m.group(2) == "tomorrow" else int(m.group(2))
        return cls(m.group(1) == "every", day, int(m.group(3)), int(m.group(4)))

    def words(self) -> str:
        """When, as said back: "tomorrow at 6 PM", "every Tuesday at 7 AM"."""
        hour = self.hour % 12 or 12
        clock = f"{hour}:{self.minute:02d}" if self.minute else f"{hour}"
        clock += " AM" if self.hour < 12 else " PM"
        if self.day is None:
            return phrase("reminder.tomorrow_at", time=clock)
        day = DAYS[self.day].capitalize()
        return phrase("reminder.every_at" if self.weekly else "reminder.on_at", day=day, time=clock)


def time_of(value: str | None) -> tuple[int, int] | None:
    """An AMAZON.TIME value ("19:00", "07:30", or EV for evening) as (hour, minute)."""
    if value in PARTS_OF_DAY:
        return PARTS_OF_DAY[value]
    m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def _asked(ctx: Ctx, weekly: bool) -> Reminder | str:
    """The reminder the slots ask for, or what to say when they cannot be one."""
    day_slot, time_slot = ctx.slots.get("day"), ctx.slots.get("time")
    day_id = day_slot.id if day_slot else None
    if day_slot and day_slot.value and day_id is None:
        return phrase("reminder.odd_day", heard=day_slot.value)
    if weekly and day_id in (None, "tomorrow"):
        return phrase("reminder.which_day")
    at = time_of(time_slot.value) if time_slot and time_slot.value else EVENING
    if at is None:
        return phrase("reminder.odd_time")
    day = DAYS.index(day_id) if day_id in DAYS else None
    return Reminder(weekly, day, *at)


def _setting(ctx: Ctx, reminder: Reminder) -> Reply:
    """The reply that sets `reminder`: its speech is what is said when it was set."""
    reply = answer(ctx, after_words(reminder, Outcome.SET))
    return replace(reply, reminder=reminder)


def remind_me(ctx: Ctx) -> Reply:
    """ "Remind me tomorrow", "remind me on Saturday at ten": once."""
    asked = _asked(ctx, weekly=False)
    return _setting(ctx, asked) if isinstance(asked, Reminder) else answer(ctx, asked)


def remind_weekly(ctx: Ctx) -> Reply:
    """ "Remind me every Tuesday at seven": every week."""
    asked = _asked(ctx, weekly=True)
    return _setting(ctx, asked) if isinstance(asked, Reminder) else answer(ctx, asked)


def did_legs(ctx: Ctx) -> Reply:
    """ "I did legs today": the 24-48 hour window opens tomorrow; offer a reminder then."""
    ctx.ask = Question.REMIND
    offer = Reminder(False, None, *EVENING)
    return Reply(say(ctx.note, phrase("reminder.did_legs", when=offer.words())), say(phrase("reminder.offer_reprompt")))


def yes_to_offer(ctx: Ctx) -> Reply:
    ctx.ask = None
    return _setting(ctx, Reminder(False, None, *EVENING))


def no_to_offer(ctx: Ctx) -> Reply:
    ctx.ask = None
    return answer(ctx, phrase("reminder.no_thanks"))


def permission_answered(ctx: Ctx, allowed: bool) -> Reply:
    """The person answered the platform's question about reminders (slot "reminder": the token)."""
    slot = ctx.slots.get("reminder")
    reminder = Reminder.from_token(slot.value if slot else None)
    if reminder is None:
        return answer(ctx, phrase("reminder.failed"))
    if not allowed:
        return answer(ctx, after_words(reminder, Outcome.REFUSED))
    return _setting(ctx, reminder)


def allowed(ctx: Ctx) -> Reply:
    return permission_answered(ctx, True)


def refused(ctx: Ctx) -> Reply:
    return permission_answered(ctx, False)


def after_words(reminder: Reminder, outcome: Outcome) -> str:
    """What is said once the platform has answered."""
    return phrase(OUTCOME_KEYS[outcome], when=reminder.words())


def after(reply: Reply, outcome: Outcome) -> Reply:
    """The setting reply as the outcome makes it: its words, and for a missing permission
    no reprompt (the platform asks the person itself, then the coach hears the answer)."""
    assert reply.reminder is not None
    words = after_words(reply.reminder, outcome)
    if outcome == Outcome.NO_PERMISSION:
        return Reply(say(words), None, False, reminder=reply.reminder)
    return replace(reply, ssml=say(words), reminder=None)


def alert_text() -> str:
    """What the reminder itself says when it goes off."""
    return phrase("reminder.alert")
