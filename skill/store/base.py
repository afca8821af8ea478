"""Per-user kept data: the store contract, its faults, and the choice of backend.

`open_store` gives SQLite (skill/store/sqlite.py, RECOVERY_COACH_DB) or DynamoDB
(skill/store/dynamo.py, RECOVERY_COACH_DYNAMODB_TABLE), each imported only when chosen.
Every fault (locked, read-only, missing, not a database, disk full, deleted while
running) raises `StoreError` with a short kind; the caller coaches on without saved data,
and the fault is logged once per kind per minute. Opening never raises, so the server
starts anyway.

The store contract, shared by every backend (tests/alexa/test_store*.py run it on each):

- A record has a version that every write raises by one. `get(uid)` gives the data with
  its version token under `REV` ([version, version of the last forget]; absent for a
  user never written), and the caller hands the data back with that token to write it.
- A write is conditional on the version it was read at. When another write came between,
  it is refused, the record read again, and `merge(stored, incoming)` (the caller's rule;
  the store knows nothing of what the data means) written instead, again conditionally.
- `delete(uid)` forgets: the record becomes a tombstone, a version with no data. A write
  whose data was read before the forget is refused for good (`Outcome.FORGOTTEN`), so no
  queued or retried save brings anything back; data read after it (a new session's, from
  the tombstone) is written as a new user's.
- `save(uid, data, merge, wait_s)` never raises: it tries again within `wait_s` seconds
  and says what became of the write; `put` is one attempt where the incoming data replaces
  what is stored, raising `StoreError`; `save_many` writes several at once."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

LOG_EVERY_S = 60.0
REV = "rev"  # the key under which data carries the version token it was read at
RETRY_FIRST_S, RETRY_MOST_S = 0.05, 0.2  # the pauses between a save's attempts within its wait

Data = dict[str, Any]
Merge = Callable[[Data, Data], Data]  # (stored, incoming) -> what to write instead of either


def incoming_wins(stored: Data, incoming: Data) -> Data:
    """The merge of a caller that knows no better: the incoming data replaces what is stored."""
    return incoming


class Outcome(StrEnum):
    WRITTEN = "written"  # the write landed (merged with what another write had left)
    QUEUED = "queued"  # handed to a writer that owns its retries; not yet known to have landed
    FORGOTTEN = "forgotten"  # refused for good: the user was forgotten after the data was read
    FAILED = "failed"  # the store refused it (a fault); nothing was written


@dataclass(frozen=True)
class Saved:
    """What became of one write, and the record's version token after it (when WRITTEN)."""

    outcome: Outcome
    rev: tuple[int, int] = (0, 0)


@dataclass(frozen=True, eq=False)
class Write:
    """One user's data to write (carrying the token it was read at), and how to merge it."""

    uid: str
    data: Data
    merge: Merge = incoming_wins


@dataclass(frozen=True)
class Record:
    """A user's record as stored: the data ({} when none or forgotten), its version (0:
    never written) and the version of its last forget (0: never forgotten)."""

    data: Data
    version: int = 0
    forgot: int = 0

    def kept(self) -> Data:
        """The data as `get` gives it: with the version token, when there is a record."""
        return {**self.data, REV: [self.version, self.forgot]} if self.version else dict(self.data)


def token(data: Data) -> tuple[int, int]:
    """The version token `data` was read at; (0, 0) when it carries none (or a garbled one)."""
    rev = data.get(REV)
    if isinstance(rev, list | tuple) and len(rev) == 2 and all(type(n) is int and n >= 0 for n in rev):
        return rev[0], rev[1]
    return 0, 0


def body(data: Data) -> Data:
    """The data as stored: without its version token."""
    return {k: v for k, v in data.items() if k != REV}


def resolved(current: Record, write: Write) -> Data | None:
    """What to write over `current`: the incoming data when `current` is the version it was
    read at, else the merge of both; None when the user was forgotten after it was read."""
    version, _ = token(write.data)
    if version < current.forgot:
        return None
    if version == current.version:
        return body(write.data)
    return body(write.merge(dict(current.data), body(write.data)))


class ConfigError(RuntimeError):
    """The server cannot start as configured; the message says what to set."""


class StoreError(RuntimeError):
    """The store cannot be used right now; `kind` names the fault in a word or two."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


class FaultLog:
    """Logs a fault once per kind per minute, so a broken disk does not flood the log."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, every: float = LOG_EVERY_S):
        self.clock, self.every = clock, every
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def report(self, error: StoreError) -> bool:
        now = self.clock()
        with self.lock:
            if now - self.last.get(error.kind, -self.every - 1) < self.every:
                return False
            self.last[error.kind] = now
        log().warning(
            "store fault (%s): %s; turns are answered without it (%s faults are logged once a minute per process)",
            error.kind,
            error,
            error.kind,
        )
        return True


def default_db_path() -> Path:
    if os.environ.get("RECOVERY_COACH_DB"):
        return Path(os.environ["RECOVERY_COACH_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "recovery-coach" / "recovery-coach.sqlite3"


def fault_kind(e: BaseException) -> str:
    text = str(e).lower()
    for words, kind in (
        ("locked", "locked"),
        ("busy", "locked"),
        ("readonly", "read-only"),
        ("read-only", "read-only"),
        ("not a database", "not-a-database"),
        ("malformed", "not-a-database"),
        ("disk is full", "disk-full"),
        ("no space", "disk-full"),
        ("unable to open", "unavailable"),
        ("disk i/o", "io-error"),
        ("newer schema", "newer-schema"),
    ):
        if words in text:
            return kind
    return "unavailable" if isinstance(e, OSError) else "error"


class Store:
    """The contract every backend keeps (the module's docstring)."""

    faults: FaultLog
    retries_later = False  # True: save hands the write to a writer that tries it again later itself

    def get(self, uid: str) -> Data:
        raise NotImplementedError

    def save_many(self, writes: Sequence[Write]) -> list[Saved]:
        """Each write as the contract says, in order, one outcome each (never FAILED: a
        fault raises StoreError, and then nothing of the batch may have been written)."""
        raise NotImplementedError

    def delete(self, uid: str) -> None:
        raise NotImplementedError

    def save(self, uid: str, data: Data, merge: Merge = incoming_wins, wait_s: float = 0.0) -> Saved:
        """One user's write, tried again after a fault until `wait_s` has passed."""
        deadline, pause = time.monotonic() + wait_s, RETRY_FIRST_S
        while True:
            try:
                return self.save_many([Write(uid, data, merge)])[0]
            except StoreError:  # reported by the backend
                if time.monotonic() + pause > deadline:
                    return Saved(Outcome.FAILED)
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MOST_S)

    def put(self, uid: str, data: Data) -> None:
        """One attempt; the data replaces what is stored, unless the user was forgotten since."""
        self.save_many([Write(uid, data)])


class MemoryStore(Store):
    """Kept in this process only: for benchmarks' baselines and for tests of other parts."""

    def __init__(self) -> None:
        self.faults = FaultLog()
        self.records: dict[str, Record] = {}
        self.lock = threading.Lock()

    def get(self, uid: str) -> Data:
        with self.lock:
            record = self.records.get(uid, Record({}))
        copied: Data = json.loads(json.dumps(record.kept()))  # a copy, as a file's would be
        return copied

    def save_many(self, writes: Sequence[Write]) -> list[Saved]:
        out = []
        with self.lock:
            for write in writes:
                current = self.records.get(write.uid, Record({}))
                data = resolved(current, write)
                if data is None:
                    out.append(Saved(Outcome.FORGOTTEN))
                    continue
                record = Record(json.loads(json.dumps(data)), current.version + 1, current.forgot)
                self.records[write.uid] = record
                out.append(Saved(Outcome.WRITTEN, (record.version, record.forgot)))
        return out

    def delete(self, uid: str) -> None:
        with self.lock:
            version = self.records.get(uid, Record({})).version + 1
            self.records[uid] = Record({}, version, version)


def open_store(db_path: Path | str | None = None) -> Store:
    """DynamoDB when RECOVERY_COACH_DYNAMODB_TABLE is set (imported only then), else SQLite."""
    table = os.environ.get("RECOVERY_COACH_DYNAMODB_TABLE")
    if table and db_path is None:
        from skill.store.dynamo import DynamoStore

        return DynamoStore(table)
    from skill.store.sqlite import SQLiteStore  # here: a Lambda on DynamoDB never loads sqlite3

    return SQLiteStore(db_path or default_db_path())


def log() -> logging.Logger:
    """This module's logger. logging is imported here, on the rare path that logs, not at
    the top: a Lambda's cold start does not need it."""
    import logging

    return logging.getLogger("recovery_coach.store")
