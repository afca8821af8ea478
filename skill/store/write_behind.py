"""The server's saves, handed over inside each request and written in batches by one thread.

The server answers many users at once from a few processes; a save written as its own
transaction in the request's thread would make every answer wait for a commit and a file
lock shared with the other workers. Here a save is queued, and the writer thread writes
what gathered over WINDOW_S with one `save_many` (one transaction on SQLite). A user's
later save read at the same version is merged into the one queued (with the merge it came
with); one read at another version is queued after it, so that a save made before a forget
and one made after it are each judged on their own. The writer owns the retries.

A request that must know whether its save landed (its answer says the place is saved)
passes `wait_s`: the writer writes at once, and the request learns the outcome, or
`Outcome.QUEUED` if `wait_s` passed first. `get` reads the store and merges into it this
process's queued saves for the user, leaving out any made before a forget; `delete`
forgets in the store first, then drops the user's queued saves, with no batch in flight.
A batch the store refuses stays queued and is tried again (a store that heals loses
nothing); at most MAX_PENDING users wait, the first queued dropped first. When the process
exits, what is queued is written, tried again until EXIT_DEADLINE_S, and the saves that
could not be written are logged with their count. A process killed outright loses what it
had queued (the last WINDOW_S of saves, none whose answer said it was saved). The Lambda
entry does not use this: a frozen container would hold its saves.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from skill.store.base import REV, Data, Merge, Outcome, Saved, Store, StoreError, Write, body, incoming_wins, token

WINDOW_S = 0.02  # how long the writer lets saves gather before it writes them
RETRY_S = 1.0  # the wait after the store refused a batch
MAX_PENDING = 10_000  # users whose saves wait at most; ~200 bytes each
IDLE_S = 10.0  # a writer with nothing to write this long ends; the next save starts another
EXIT_DEADLINE_S = 5.0  # at exit, how long refused saves are tried again (gunicorn's graceful_timeout is longer)
EXIT_RETRY_S = 0.1

_live: weakref.WeakSet[WriteBehind] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    deadline = time.monotonic() + EXIT_DEADLINE_S
    for store in list(_live):
        store.drain(deadline)


@dataclass(eq=False)
class Queued:
    """One save waiting: its data (with the token it was read at), its merge, and its outcome."""

    data: Data
    merge: Merge
    done: threading.Event = field(default_factory=threading.Event)
    saved: Saved = Saved(Outcome.QUEUED)


class WriteBehind(Store):
    retries_later = True

    def __init__(self, store: Store, window_s: float = WINDOW_S, retry_s: float = RETRY_S):
        self.store, self.faults = store, store.faults
        self.window_s, self.retry_s = window_s, retry_s
        self._pending: dict[str, list[Queued]] = {}  # in the order users were first queued
        self._inflight: dict[str, list[Queued]] = {}  # the batch being written
        self._ready = threading.Condition()  # guards both; the writer waits on it
        self._urgent = threading.Event()  # a request waits on its save: write now
        self._writing = threading.Lock()  # held while a batch is written, and by delete
        self._writer_pid = 0  # the process a writer thread runs in; 0: none (a fork has none either)
        self.dropped = 0  # saves dropped because MAX_PENDING users were waiting
        _live.add(self)

    def get(self, uid: str) -> Data:
        with self._ready:  # before the read: a batch written meanwhile is merged in, not missed
            queued = [*self._inflight.get(uid, ()), *self._pending.get(uid, ())]
        stored = self.store.get(uid)
        _, forgot = token(stored)
        data = stored
        for q in queued:
            if token(q.data)[0] >= forgot:  # a save made before a forget stays forgotten
                data = _with_token(q.merge(body(data), body(q.data)), stored)
        return data

    def save(self, uid: str, data: Data, merge: Merge = incoming_wins, wait_s: float = 0.0) -> Saved:
        with self._ready:
            q = self._queue(uid, data, merge)
            if wait_s > 0:
                self._urgent.set()
            self._ready.notify()
        if wait_s > 0 and q.done.wait(wait_s):
            return q.saved
        return Saved(Outcome.QUEUED)

    def save_many(self, writes: Sequence[Write]) -> list[Saved]:
        return [self.save(w.uid, w.data, w.merge) for w in writes]

    def _queue(self, uid: str, data: Data, merge: Merge) -> Queued:
        """The save queued (under _ready), merged into the user's last one read at the same version."""
        if self._writer_pid != os.getpid():
            self._writer_pid = os.getpid()
            threading.Thread(target=self._run, name="store-writer", daemon=True).start()
        waiting = self._pending.setdefault(uid, [])
        if waiting and token(waiting[-1].data) == token(data):
            last = waiting[-1]
            last.data, last.merge = _with_token(merge(body(last.data), body(data)), data), merge
            return last
        waiting.append(Queued(dict(data), merge))
        if len(self._pending) > MAX_PENDING:
            for lost in self._pending.pop(next(iter(self._pending))):
                self.dropped += 1
                _settled(lost, Saved(Outcome.FAILED))
            self.faults.report(StoreError("backlog", f"{MAX_PENDING} users' saves waiting; the oldest dropped"))
        return waiting[-1]

    def delete(self, uid: str) -> None:
        with self._writing:  # a batch in flight with this user's save lands first
            self.store.delete(uid)
            with self._ready:
                forgotten = self._pending.pop(uid, [])
        for q in forgotten:
            _settled(q, Saved(Outcome.FORGOTTEN))

    def flush(self) -> bool:
        """Write what is queued now, in this thread; False if the store refused it (it stays queued)."""
        with self._writing:
            return self._write_batch()

    def queued(self) -> int:
        with self._ready:
            return sum(len(qs) for qs in self._pending.values())

    def drain(self, deadline: float) -> int:
        """Write what is queued, trying again until `deadline`; how many saves could not be (logged)."""
        while not self.flush() and time.monotonic() + EXIT_RETRY_S < deadline:
            time.sleep(EXIT_RETRY_S)
        left = self.queued()
        if left:
            from skill.store.base import log

            log().error("%d queued saves could not be written before exit: the store refused them", left)
        return left

    def _write_batch(self) -> bool:
        with self._ready:
            batch = self._inflight = self._pending
            self._pending = {}
            self._urgent.clear()
        items = [(uid, q) for uid, qs in batch.items() for q in qs]
        if not items:
            return True
        results: list[Saved] | None = None
        try:
            results = self.store.save_many([Write(uid, q.data, q.merge) for uid, q in items])
        except StoreError:  # reported by the store
            pass
        except Exception:  # a bug must not end the writer
            from skill.store.base import log

            log().exception("writing queued saves failed")
        with self._ready:
            again: dict[str, list[Queued]] = {}
            for uid, q in items if results is None else ():
                again.setdefault(uid, []).append(Queued(q.data, q.merge))
            # queued again, before the saves made meanwhile (those are newer)
            newer = self._pending
            self._pending = {uid: [*qs, *newer.pop(uid, [])] for uid, qs in again.items()}
            self._pending.update(newer)
            self._inflight = {}
        for n, (_, q) in enumerate(items):
            _settled(q, Saved(Outcome.FAILED) if results is None else results[n])
        return results is not None

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._pending:
                    self._ready.wait(IDLE_S)
                if not self._pending:  # idle: end, so an unused store can be let go
                    self._writer_pid = 0
                    return
            self._urgent.wait(self.window_s)  # saves arriving meanwhile join this batch
            if not self.flush():
                self._urgent.wait(self.retry_s)  # a request waiting on its save has it tried at once


def _with_token(data: Data, source: Data) -> Data:
    """`data` carrying the version token `source` carries (if any)."""
    return {**data, REV: source[REV]} if REV in source else data


def _settled(q: Queued, saved: Saved) -> None:
    q.saved = saved
    q.done.set()
