"""Which utterances are commands: the wake word first, then words the coach understands.

The recognizer hears everything said in the room; the gate lets through only an utterance
that starts with the wake word ("coach, next"), whose engine confidence reaches
MIN_CONFIDENCE, and whose words after the wake word the coach's matcher understands. All
else is ignored, with the reason shown, so a person sees what was heard and why nothing
happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from skill.listen.language import WAKE
from skill.listen.listener import Heard

MIN_CONFIDENCE = 0.0005  # the engine's posterior below which an utterance is noise (bench/listen.py)


class Ignored(StrEnum):
    """Why an utterance was not a command."""

    NOTHING = "nothing"  # no words recognised
    NO_WAKE_WORD = "no_wake_word"
    UNSURE = "unsure"  # below MIN_CONFIDENCE
    NOT_UNDERSTOOD = "not_understood"  # the wake word, then words no intent matches


@dataclass(frozen=True)
class Verdict:
    """An utterance judged: the command's words (after the wake word) and the intent they
    name, or why it was ignored."""

    heard: Heard
    command: str = ""
    intent: str | None = None
    ignored: Ignored | None = None


Understand = Callable[[str], str | None]  # words -> the intent they name, or None


def judge(heard: Heard, understand: Understand, wake: str = WAKE) -> Verdict:
    words = heard.text.split()
    if not words:
        return Verdict(heard, ignored=Ignored.NOTHING)
    if words[0] != wake:
        return Verdict(heard, ignored=Ignored.NO_WAKE_WORD)
    command = " ".join(words[1:])
    if heard.confidence < MIN_CONFIDENCE:
        return Verdict(heard, command, ignored=Ignored.UNSURE)
    intent = understand(command) if command else None
    if intent is None:
        return Verdict(heard, command, ignored=Ignored.NOT_UNDERSTOOD)
    return Verdict(heard, command, intent)
