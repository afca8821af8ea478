"""Reading a request's slots: durations (ISO-8601 as Alexa sends them, or the raw words
test tools send) and custom slot values resolved to the interaction model's ids.

Whatever a client sends, a Slot holds speakable text: what was heard may be said back
("I don't know a movement called ..."), so it keeps only characters XML allows and at
most 40 of them (speech.ssml.heard). Durations of any size read as a number or as unclear.
`isodate` is not used: AMAZON.DURATION's week/day/time forms are one regex here, isodate
returns months and years we cannot turn into minutes, and it overflows on huge values too.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from content.library import normalize
from content.phrases import phrase
from content.planner import DEFAULT_MINUTES, clamp_minutes
from skill.coach.vocabulary import slot_types
from speech.ssml import heard

MAX_SECONDS = 7 * 86400.0  # anything longer is simply "too long" (the planner clamps)


@dataclass(frozen=True, eq=False)  # never compared
class Slot:
    """A slot of a request: the words heard and the value id they resolved to."""

    value: str | None = None  # what was heard ("ten minutes", "PT10M", "stretches")
    id: str | None = None  # the slot value id when Alexa resolved it to one of ours

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", heard(self.value) if self.value is not None else None)
        object.__setattr__(self, "id", self.id if isinstance(self.id, str) else None)


NOT_SAID = Slot()  # a slot the request did not fill (a Slot never changes: one will do)


# A pattern string, compiled by re on first use: only a duration slot needs it.
_ISO = (
    r"^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
NUMBER_WORDS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "a": 1, "an": 1})
_HALVES = {
    "half an hour": "thirty minutes",
    "an hour and a half": "ninety minutes",
    "a minute and a half": "ninety seconds",
}
UNITS = {
    "second": 1,
    "seconds": 1,
    "sec": 1,
    "secs": 1,
    "minute": 60,
    "minutes": 60,
    "min": 60,
    "mins": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
}


def duration_seconds(value: str) -> float | None:
    """Seconds in an AMAZON.DURATION value: ISO-8601 (PT15M) as Alexa sends it, or the
    raw words test tools send ("ten minutes", "15 min", "half an hour"). None if neither."""
    value = value.strip() if isinstance(value, str) else ""
    m = re.match(_ISO, value.upper())
    if m and value.upper() not in ("P", "PT") and not value.upper().endswith("T"):
        w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return w * 604800 + d * 86400 + h * 3600 + mi * 60 + s
    spoken = normalize(value.replace("-", " "))
    for half, plain in _HALVES.items():
        spoken = spoken.replace(half, plain)
    words = spoken.replace("ninety", "90").split()
    total, number = 0.0, None
    for word in words:
        if word in ("and", "of", "for"):
            continue
        if re.fullmatch(r"\d+(\.\d+)?", word):
            number = (number or 0) + float(word)
        elif word in NUMBER_WORDS:
            number = (number or 0) + NUMBER_WORDS[word]
        elif word in UNITS and number is not None:
            total += number * UNITS[word]
            number = None
        else:
            return None
    return total if number is None and words else None


def plan_minutes(slot: Slot) -> tuple[int, str]:
    """Minutes for the plan and what to say about the request, if anything."""
    if not slot.value:
        return DEFAULT_MINUTES, ""
    seconds = duration_seconds(slot.value)
    if seconds is not None and not math.isfinite(seconds):
        seconds = MAX_SECONDS
    if seconds is None:
        return DEFAULT_MINUTES, phrase("skill.duration_unclear", minutes=DEFAULT_MINUTES)
    if seconds <= 0:
        return DEFAULT_MINUTES, phrase("skill.duration_zero", minutes=DEFAULT_MINUTES)
    minutes, note = clamp_minutes(max(1, round(min(seconds, MAX_SECONDS) / 60)))
    return minutes, note or ""


def resolve(slot: Slot, type_name: str) -> str | None:
    """The value id a slot means: Alexa's resolution, or the heard words matched against
    the model's values and synonyms (test tools and the chat simulator send raw words)."""
    ids, index = _values(type_name)
    if slot.id in ids:
        return slot.id
    return index.get(normalize(slot.value or ""))


@functools.cache
def _values(type_name: str) -> tuple[frozenset[str], dict[str, str]]:
    """A slot type's value ids, and every normalized value and synonym -> its id (the
    first value naming it wins), built once rather than on every turn."""
    values = slot_types()[type_name]
    index = {normalize(w): vid for vid, words in reversed(values.items()) for w in words}
    return frozenset(values), index


def slot_id(slots: dict[str, Slot], name: str, type_name: str, default: str | None) -> tuple[str | None, bool]:
    """(the value id a slot means, or `default` when nothing was said; whether something was
    said that matches none of our values)."""
    slot = slots.get(name, NOT_SAID)
    if not (slot.value or slot.id):
        return default, False
    vid = resolve(slot, type_name)
    return (vid, False) if vid else (default, True)


@functools.cache
def duration_phrases() -> tuple[str, ...]:
    """The durations a person says, as words a matcher can list: "ten minutes", "15 min",
    "twenty five minutes", "half an hour", "an hour" (duration_seconds reads each)."""
    tens = ("twenty", "thirty", "forty", "fifty")
    numbers = list(NUMBER_WORDS) + [f"{t} {u}" for t in tens for u in list(NUMBER_WORDS)[1:10]]
    numbers += ["ninety", *(str(i) for i in range(181))]
    units = ("minute", "minutes", "min", "mins", "hour", "hours", "second", "seconds")
    return (*(f"{n} {u}" for n in numbers for u in units), *_HALVES)
