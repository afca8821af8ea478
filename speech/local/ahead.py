"""Tracks rendered ahead, in the background: the queue and the one thread per store that
works through it (what to do with each track is the track store's, speech.local.trackstore).

What must stay true: tracks are made in the order asked for, each once; at most AHEAD wait;
`stop` empties the queue and waits for the track under way, and every queue still alive is
stopped when the interpreter exits (a voice's engine torn down under a thread still
synthesizing aborts the whole process).
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

AHEAD = 64  # tracks waiting to be rendered ahead in one process (a 60-minute routine has fewer steps)
STOP_WAIT_S = 10.0  # at exit, how long the track under way may take to give up

T = TypeVar("T")
log = logging.getLogger("recovery_coach.tracks")
_live: weakref.WeakSet[Ahead[object]] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for queue in list(_live):
        queue.stop(STOP_WAIT_S)


class Ahead(Generic[T]):
    """Things to make in the background, in order, by `make(thing)` on a thread of its own."""

    def __init__(self, make: Callable[[T], None]) -> None:
        self.make = make
        self.stopping = False
        self._queue: deque[T] = deque()
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()  # notified when the queue empties or stops
        _live.add(self)  # type: ignore[arg-type]  # the set only ever calls stop()

    def add(self, things: Iterable[T]) -> None:
        with self._changed:
            for thing in things:
                if len(self._queue) < AHEAD and thing not in self._queue:
                    self._queue.append(thing)
            if self._queue and self._thread is None and not self.stopping:
                self._thread = threading.Thread(target=self._run, name="render-ahead", daemon=True)
                self._thread.start()

    def settled(self, timeout: float) -> bool:
        """Wait until nothing waits (False if `timeout` passed first)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue, timeout)

    def stop(self, timeout: float) -> None:
        """Make nothing more; wait up to `timeout` for the thing under way."""
        with self._changed:
            self.stopping = True
            self._queue.clear()
            thread = self._thread
            self._changed.notify_all()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._queue or self.stopping:
                    self._thread = None
                    self._changed.notify_all()
                    return
                thing = self._queue[0]
            try:
                self.make(thing)
            except Exception:  # what cannot be made ahead is made (or refused) when asked for
                log.exception("rendering ahead failed: %s", thing)
            with self._changed:
                if self._queue:
                    self._queue.popleft()
