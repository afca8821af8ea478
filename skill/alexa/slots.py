"""Reading a request's slots: durations (ISO-8601 as Alexa sends them, or the raw words
test tools send) and custom slot values resolved to the interaction model's ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.library import normalize
from content.phrases import phrase
from content.planner import DEFAULT_MINUTES, clamp_minutes
from skill.alexa.model import slot_types


@dataclass(frozen=True)
class Slot:
    value: str | None = None  # what was heard ("ten minutes", "PT10M", "stretches")
    id: str | None = None  # the slot value id when Alexa resolved it to one of ours


_ISO = re.compile(
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
    value = (value or "").strip()
    m = _ISO.match(value.upper())
    if m and value.upper() not in ("P", "PT") and not value.upper().endswith("T"):
        w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return w * 604800 + d * 86400 + h * 3600 + mi * 60 + s
    spoken = normalize(value.replace("-", " "))
    for words, plain in _HALVES.items():
        spoken = spoken.replace(words, plain)
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
    if seconds is None:
        return DEFAULT_MINUTES, phrase("skill.duration_unclear", minutes=DEFAULT_MINUTES)
    if seconds <= 0:
        return DEFAULT_MINUTES, phrase("skill.duration_zero", minutes=DEFAULT_MINUTES)
    minutes, note = clamp_minutes(max(1, round(seconds / 60)))
    return minutes, note or ""


def resolve(slot: Slot, type_name: str) -> str | None:
    """The value id a slot means: Alexa's resolution, or the heard words matched against
    the model's values and synonyms (test tools and the chat simulator send raw words)."""
    values = slot_types()[type_name]
    if slot.id in values:
        return slot.id
    heard = normalize(slot.value or "")
    for vid, words in values.items():
        if heard in {normalize(w) for w in words}:
            return vid
    return None
