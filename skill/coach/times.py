"""Times and durations as words heard and as a turn reads them: a front end that hears
words itself turns a Time slot's words ("seven", "7 pm", "half past six in the evening",
"noon", "evening") into "07:00", "19:00", "18:30", "12:00", "EV" and a Duration's ("ten
minutes") into "PT10M", as Alexa sends AMAZON.TIME and AMAZON.DURATION."""

from __future__ import annotations

import re

from skill.coach.slots import NUMBER_WORDS, duration_seconds

HOURS = {w: n for w, n in NUMBER_WORDS.items() if isinstance(n, int) and 1 <= n <= 12}
PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}
_HOUR = "|".join([*sorted(HOURS, key=len, reverse=True), r"\d{1,2}"])
_LATE = r"pm|p m|in the evening|in the afternoon|at night|tonight"
_EARLY = r"am|a m|in the morning"
PATTERN = (
    rf"(?:(?:half past |quarter past )?(?:{_HOUR})(?: thirty| fifteen| o'clock| oclock)?"
    rf"(?: (?:{_LATE}|{_EARLY}))?|noon|midday|morning|afternoon|evening|night|tonight)"
)


def phrases() -> tuple[str, ...]:
    """Every time PATTERN accepts, as words a matcher can list ("seven", "half past six in
    the evening", "7 pm", "noon"); iso_time reads each."""
    hours = [*(w for w in HOURS if w not in ("a", "an")), *(str(h) for h in range(24))]  # "a" is no hour
    minutes = ("", " thirty", " fifteen", " oclock")
    parts: tuple[str, ...] = (
        "",
        " pm",
        " p m",
        " am",
        " a m",
        " in the evening",
        " in the afternoon",
        " in the morning",
    )
    parts += (" at night", " tonight")
    said = [f"{p}{h}{m}{d}" for p in ("", "half past ", "quarter past ") for h in hours for m in minutes for d in parts]
    return (*said, "noon", "midday", *PARTS)


def iso_time(words: str) -> str:
    """What Alexa sends for the words (the words themselves when they are not a time)."""
    if words in PARTS:
        return PARTS[words]
    if words in ("noon", "midday"):
        return "12:00"
    m = re.fullmatch(rf"(half past |quarter past )?({_HOUR})( thirty| fifteen| o'clock| oclock)?(?: (.+))?", words)
    if m is None:
        return words
    hour = HOURS.get(m.group(2)) or int(m.group(2))
    minute = {"half past ": 30, "quarter past ": 15}.get(m.group(1) or "", 0)
    minute = {" thirty": 30, " fifteen": 15}.get(m.group(3) or "", minute)
    late = m.group(4) and re.fullmatch(_LATE, m.group(4))
    if hour > 23 or minute > 59:
        return words
    if late and hour < 12:
        hour += 12
    elif not late and m.group(4) and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def iso_duration(words: str) -> str:
    seconds = duration_seconds(words)
    if seconds is None:
        return words
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return out if out != "PT" else "PT0S"
