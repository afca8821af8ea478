"""The coach's phrasebook (phrasebook.yaml beside this file): what a person may say for each
ask, in the coach's words, and the matcher made from it.

Every front end that hears words itself (`chat`, the laptop listener, the Open Voice OS
skill) understands them here, as an `Ask` and the words heard for its slots; the Alexa
model is generated from the same lines (skill/alexa/model.py names each ask's intent).
Slot types are the vocabulary's (vocabulary.yaml), or DURATION and TIME, whose words are
phrases made here ("ten minutes", "seven in the morning").
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content import sources
from content.library import normalize
from skill.coach import times
from skill.coach.asks import Ask
from skill.coach.slots import duration_phrases
from skill.coach.understand import FILLERS, Matcher, words
from skill.coach.vocabulary import alarm_words, slot_types

SOURCE = Path(__file__).parent / "phrasebook.yaml"
DURATION, TIME = "Duration", "Time"  # slot types heard as phrases, not listed in the vocabulary
ASK_NAMES = frozenset(a.value for a in Ask)


@functools.cache
def _source() -> dict[str, Any]:
    return dict(sources.load(SOURCE))


def asks() -> dict[str, dict[str, Any]]:
    """{ask: {"slots": {slot: type}, "samples": [...], "understood": [...]}}, every line as
    written, in the file's order (a fresh copy: callers may change it). An entry that is no
    ask is left out (`model --check` names it: `unknown`)."""
    return {
        name: {
            "slots": dict((spec or {}).get("slots", {})),
            "samples": list((spec or {}).get("samples", [])),
            "understood": list((spec or {}).get("understood", [])),
        }
        for name, spec in _source()["asks"].items()
        if name in ASK_NAMES
    }


def unknown() -> list[str]:
    """The phrasebook's entries that are none of the coach's asks (a misspelt name)."""
    return [name for name in _source()["asks"] if name not in ASK_NAMES]


def launch() -> list[str]:
    """What opens the coach by its name ("open recovery coach")."""
    return list(_source()["launch"])


def prefixes() -> list[str]:
    """What a request may start with and means nothing by itself ("ask recovery coach to")."""
    return list(_source()["prefixes"])


def with_launch() -> dict[str, dict[str, Any]]:
    """Every ask's lines, and opening the coach as `Launch` (last): everything that may be said
    to a coach that is not yet in a conversation (the listener's language, the OVOS skill)."""
    return {**asks(), Ask.LAUNCH.value: {"slots": {}, "samples": launch(), "understood": []}}


def phrases() -> dict[str, tuple[str, ...]]:
    """The words a DURATION or a TIME slot accepts."""
    return {DURATION: duration_phrases(), TIME: times.phrases()}


def matcher_of(book: Mapping[str, Mapping[str, object]]) -> Matcher:
    """The coach's matcher over `book` (asks' lines, as `asks` gives them): strict, then
    fuzzy, then a warning sign's own word (skill/coach/understand.py)."""
    return Matcher(book, slot_types(), phrases(), alarm_words())


@functools.cache
def matcher() -> Matcher:
    """The matcher over every ask's lines."""
    return matcher_of(asks())


@dataclass(frozen=True)
class Understood:
    """What was said, as the coach takes it: the ask (UNCLEAR when nothing was understood,
    LAUNCH for "open recovery coach"), the words heard for each slot, whether the coach was
    named ("ask recovery coach to ..."), and how sure (1.0 for a line matched exactly)."""

    ask: Ask
    slots: dict[str, str] = field(default_factory=dict)
    named: bool = False
    confidence: float = 1.0


def understand(said: str) -> Understood:
    """The ask in what was typed or said, with the words of its slots."""
    bare = _without_fillers(" ".join(words(said)))  # "um, open recovery coach please"
    if bare in {normalize(p) for p in launch()}:
        return Understood(Ask.LAUNCH, named=True)
    heard, named = " ".join(words(said)), False
    for prefix in sorted((normalize(p) for p in prefixes()), key=len, reverse=True):
        if bare.startswith(prefix + " "):
            heard, named = bare[len(prefix) + 1 :], True
            break
    found = matcher()(heard)
    if found.intent is None:
        return Understood(Ask.UNCLEAR, {}, named, found.confidence)
    return Understood(Ask(found.intent), found.slots, named, found.confidence)


def understood(said: str) -> str | None:
    """The name of the ask the words name (opening the coach too), or None: what the
    listener's gate asks."""
    ask = understand(said).ask
    return None if ask == Ask.UNCLEAR else ask.value


def _without_fillers(said: str) -> str:
    """The words without the fillers around them: what opening the coach or naming it is
    told by (the matcher weighs fillers itself: "ow" may be pain, "okay" a yes)."""
    spoken = said.split()
    while spoken and spoken[0] in FILLERS:
        spoken.pop(0)
    while spoken and spoken[-1] in FILLERS:
        spoken.pop()
    return " ".join(spoken)
