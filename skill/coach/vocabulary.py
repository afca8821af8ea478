"""The coach's vocabulary (vocabulary.yaml beside this file): each slot type's value ids
and the words for them, the movement library's names included."""

from __future__ import annotations

import functools
from pathlib import Path

from content import sources
from content.library import library

SOURCE = Path(__file__).parent / "vocabulary.yaml"


@functools.cache
def alarm_words() -> dict[str, tuple[str, ...]]:
    """{an ask's name (a red flag or warning sign): the word beginnings that raise it}."""
    return {ask: tuple(stems) for ask, stems in sources.load(SOURCE)["alarms"].items()}


@functools.cache
def slot_types() -> dict[str, dict[str, list[str]]]:
    """Slot types as {type: {value id: [value, synonyms...]}}."""
    types = {name: dict(values) for name, values in sources.load(SOURCE)["types"].items()}
    types["MovementType"] = {m.id: [m.name, *m.synonyms] for m in library().movements}
    return types
