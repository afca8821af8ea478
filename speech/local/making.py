"""Tracks this process is writing right now, so a listener can be sent one as it is made.

A render writes its MP3 piece by piece into a temporary file in the cache (DiskCache.put
with `opened`) and renames it into place when whole. While it writes, the file is registered
here under the track's key; `follow` reads it from the start and keeps reading as it grows,
until the render says it is done. What must stay true: a follower gets exactly the bytes of
the finished track (the same inode, renamed or not), or, when the render fails, what was
written and then the end (the player sees a short track; the next request renders anew).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK = 64 * 1024  # bytes read at a time
POLL_S = 0.02  # how long a follower waits for the file to grow before looking again

log = logging.getLogger("recovery_coach.tracks")


@dataclass
class Making:
    """One track being written: its file, and whether (and how) the writing ended."""

    path: Path | None = None
    done: threading.Event = field(default_factory=threading.Event)
    failed: bool = False


@dataclass
class RenderOutcome:
    """What a listener's render came to: the track's file, or what went wrong."""

    path: Path | None = None
    error: BaseException | None = None


class Writing:
    """The tracks this process is writing, by key."""

    def __init__(self) -> None:
        self._making: dict[str, Making] = {}
        self._changed = threading.Condition()

    def start(self, key: str) -> Making:
        making = Making()
        with self._changed:
            self._making[key] = making
        return making

    def opened(self, making: Making, path: Path) -> None:
        """The render's file exists now: followers may open it."""
        with self._changed:
            making.path = path
            self._changed.notify_all()

    def end(self, key: str, making: Making, failed: bool) -> None:
        with self._changed:
            making.failed = failed
            making.done.set()
            if self._making.get(key) is making:
                del self._making[key]
            self._changed.notify_all()

    def nudge(self) -> None:
        """Wake `wait`ers to look at their `until` again."""
        with self._changed:
            self._changed.notify_all()

    def wait(self, key: str, until: threading.Event) -> Making | None:
        """Wait until `key` is being written with its file open (then it), or `until` is set."""
        with self._changed:
            self._changed.wait_for(lambda: self._opened(key) is not None or until.is_set())
            return self._opened(key)

    def now(self, key: str) -> Making | None:
        with self._changed:
            return self._opened(key)

    def _opened(self, key: str) -> Making | None:
        making = self._making.get(key)
        return making if making is not None and making.path is not None else None


def follow(making: Making) -> Iterator[bytes] | None:
    """The track's bytes as its render writes them, or None when the render has already
    renamed its file into place (read the cache then)."""
    assert making.path is not None
    try:
        f = open(making.path, "rb")  # noqa: SIM115  (closed by the generator)
    except FileNotFoundError:
        return None
    return _read_growing(f, making)


def _read_growing(f: BinaryIO, making: Making) -> Iterator[bytes]:
    with f:
        while True:
            chunk = f.read(CHUNK)
            if chunk:
                yield chunk
                continue
            if making.done.is_set():
                rest = f.read()  # written between the last read and the end
                if rest:
                    yield rest
                if making.failed:
                    log.warning("a track sent while it was made was cut short: its render failed")
                return
            making.done.wait(POLL_S)
