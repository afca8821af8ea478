"""The server's saves, handed over inside each request and written in batches by one thread.

The server answers many users at once from a few processes; a save written as its own
transaction in the request's thread would make every answer wait for a commit and a file
lock shared with the other workers. Here a save is put in a dict and the writer thread
saves what gathered over WINDOW_S with one `put_many` (one transaction on SQLite); a
user's later save replaces an earlier one not yet written. The writer owns the retries.

The contract stays the store's: `get` sees a save not yet written (this process's),
`delete` drops one and waits for a batch in flight, so nothing forgotten comes back.
A batch the store refuses stays queued and is tried again (a store that heals loses
nothing); at most MAX_PENDING users wait, the first queued dropped first. Whatever
is queued is written when the process exits. The Lambda entry does not use this: a
frozen container would hold its saves.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
import weakref
from typing import Any

from skill.store.base import Store, StoreError

WINDOW_S = 0.02  # how long the writer lets saves gather before it writes them
RETRY_S = 1.0  # the wait after the store refused a batch
MAX_PENDING = 10_000  # users whose saves wait at most; ~200 bytes each
IDLE_S = 10.0  # a writer with nothing to write this long ends; the next save starts another

_live: weakref.WeakSet[WriteBehind] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    for store in list(_live):
        store.flush()


class WriteBehind(Store):
    def __init__(self, store: Store, window_s: float = WINDOW_S, retry_s: float = RETRY_S):
        self.store, self.faults = store, store.faults
        self.window_s, self.retry_s = window_s, retry_s
        self._pending: dict[str, dict[str, Any]] = {}  # in the order users were first queued
        self._inflight: dict[str, dict[str, Any]] = {}  # the batch being written
        self._ready = threading.Condition()  # guards _pending; the writer waits on it
        self._writing = threading.Lock()  # held while a batch is written, and by delete
        self._writer_pid = 0  # the process a writer thread runs in; 0: none (a fork has none either)
        self.dropped = 0  # saves dropped because MAX_PENDING users were waiting
        _live.add(self)

    def get(self, uid: str) -> dict[str, Any]:
        # Without the lock, safely: each dict is swapped whole,
        # and a batch is in _inflight before it leaves _pending and until it is written.
        waiting = self._pending.get(uid)
        if waiting is None:
            waiting = self._inflight.get(uid)
        if waiting is not None:  # a copy, as a store's read would give
            copied: dict[str, Any] = json.loads(json.dumps(waiting))
            return copied
        return self.store.get(uid)

    def put(self, uid: str, data: dict[str, Any]) -> None:
        with self._ready:
            if self._writer_pid != os.getpid():
                self._writer_pid = os.getpid()
                threading.Thread(target=self._run, name="store-writer", daemon=True).start()
            self._pending[uid] = data  # in place, never missing meanwhile: get reads without the lock
            if len(self._pending) > MAX_PENDING:
                self._pending.pop(next(iter(self._pending)))
                self.dropped += 1
                self.faults.report(StoreError("backlog", f"{MAX_PENDING} users' saves waiting; the oldest dropped"))
            self._ready.notify()

    def delete(self, uid: str) -> None:
        with self._writing:  # a batch in flight with this user's save lands first
            with self._ready:
                self._pending.pop(uid, None)
            self.store.delete(uid)

    def flush(self) -> bool:
        """Write what is queued now, in this thread; False if the store refused it (it stays queued)."""
        with self._writing:
            return self._write_batch()

    def _write_batch(self) -> bool:
        with self._ready:
            batch = self._inflight = self._pending
            self._pending = {}
        if not batch:
            return True
        written = False
        try:
            self.store.put_many(batch)
            written = True
        except StoreError:  # reported by the store
            pass
        except Exception:  # a bug must not end the writer
            from skill.store.base import log

            log().exception("writing queued saves failed")
        with self._ready:
            if not written:  # queued again; saves made meanwhile are newer and win
                self._pending = {**batch, **self._pending}
            self._inflight = {}
        return written

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._pending:
                    self._ready.wait(IDLE_S)
                if not self._pending:  # idle: end, so an unused store can be let go
                    self._writer_pid = 0
                    return
            time.sleep(self.window_s)  # saves arriving meanwhile join this batch
            if not self.flush():
                time.sleep(self.retry_s)
