"""The one scheduling rule, for every renderer that knows how long its speech lasts.

A cue starts at its offset, unless the cue before it is still speaking then: one voice says
one thing at a time, so the cue is pushed back to where the one before ends (nothing is cut
off) and is late by the difference. Cues after it keep their own offsets, so one long cue
never delays the whole routine.

Pure arithmetic on numbers of one unit: live playback uses wall-clock seconds, WAV export
uses audio frames (integers, so placement is exact). No audio here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

N = TypeVar("N", int, float)


def start(due: N, free_at: N) -> N:
    """When a cue due at `due` starts, if the voice is busy until `free_at`."""
    return max(due, free_at)


@dataclass(frozen=True)
class Slot(Generic[N]):
    """Where one cue falls: when it was due, and when its speech really starts and ends."""

    due: N
    start: N
    end: N

    @property
    def late(self) -> N:
        return self.start - self.due


def place(cues: Iterable[tuple[N, N]], free_at: N) -> Iterator[Slot[N]]:
    """Each (due, length) cue, in order, placed by the rule; the voice is free from `free_at`.
    Lazy: a cue's length is asked for only when it is placed."""
    for due, length in cues:
        begin = start(due, free_at)
        free_at = begin + length
        yield Slot(due, begin, free_at)
