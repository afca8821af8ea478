"""Per-user kept data in an SQLite file (RECOVERY_COACH_DB): the embedded store.

Two connections per process, each shared by threads under a lock of its own: one reads,
one writes. WAL lets a read go on while a write's transaction is open, so a turn's read
never waits for a batch being written by the server's writer thread (skill/store/write_behind.py).
Each is made again after a fork, or when the file was deleted or replaced (checked at most
once a second); a lock held by another process is waited out for at most 200 ms. Any
other fault drops that connection, and the next attempt opens the file afresh, after a
pause that doubles while it keeps failing (up to REOPEN_MOST_S), so a file that was
read-only, full or missing heals without a restart. The schema is versioned (`PRAGMA
user_version`) and migrated forward on open. Faults raise `StoreError`
(skill/store/base.py); opening never raises, so the server starts anyway.

Writes keep the contract in skill/store/base.py, a batch in one transaction: each write an
`UPDATE ... WHERE version = ?` (an INSERT for a user never written); when that finds
another version, the row is read and the merge written, in the same transaction. A
forget leaves a tombstone row: the user id, no data. Every connection runs with
`secure_delete`, so what a row held is overwritten in the file, and after a forget the
WAL is checkpointed and truncated, so no copy of the data stays in the -wal file either."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill.store.base import (
    Data,
    FaultLog,
    Outcome,
    Record,
    Saved,
    Store,
    StoreError,
    Write,
    body,
    fault_kind,
    resolved,
    token,
)

BUSY_TIMEOUT_S = 0.2
FILE_CHECK_S = 1.0  # how often the open file is checked against the path (not on every statement)
RETRY_FIRST_S, RETRY_MOST_S = 0.00005, 0.005  # waits for a lock held by another process
REOPEN_FIRST_S, REOPEN_MOST_S = 0.05, 2.0  # the pause before opening again after a fault
CHECKPOINT_S = 1.0  # how long a forget waits for readers to let the WAL be truncated

# Each migration takes the schema from version i to i + 1. Version 1 is the table every
# release so far created (its files have user_version 0), so IF NOT EXISTS keeps them.
# Rows from before versions have version 0: the first write to each is an UPDATE too.
MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS attributes (user_id TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "ALTER TABLE attributes ADD COLUMN updated_at INTEGER",
    "ALTER TABLE attributes ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE attributes ADD COLUMN forgot INTEGER NOT NULL DEFAULT 0",
)
SCHEMA_VERSION = len(MIGRATIONS)
UPDATE = (
    "UPDATE attributes SET data = ?, updated_at = ?, version = version + 1 "
    "WHERE user_id = ? AND version = ? RETURNING version, forgot"
)
INSERT = (
    "INSERT INTO attributes (user_id, data, updated_at, version, forgot) VALUES (?, ?, ?, 1, 0) "
    "ON CONFLICT(user_id) DO NOTHING RETURNING version, forgot"
)
READ = "SELECT data, version, forgot FROM attributes WHERE user_id = ?"
FORGET = (  # SET's right-hand sides see the row as it was
    "INSERT INTO attributes (user_id, data, updated_at, version, forgot) VALUES (?, '{}', ?, 1, 1) "
    "ON CONFLICT(user_id) DO UPDATE SET data = '{}', updated_at = excluded.updated_at, "
    "version = version + 1, forgot = version + 1"
)


@dataclass(eq=False)
class _Lane:
    """One connection, the lock its threads take turns under, and its fault state."""

    name: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    db: sqlite3.Connection | None = None
    owner: tuple[int, int, int] = (0, 0, 0)  # pid, device, inode of the open file
    checked_at: float = 0.0  # when the open file was last found to be the one at the path
    fault: StoreError | None = None  # the fault that closed the connection, until one works
    reopen_at: float = 0.0
    reopen_pause: float = REOPEN_FIRST_S


class SQLiteStore(Store):
    def __init__(self, path: Path | str, clock: Callable[[], float] = time.monotonic):
        self.path = Path(path)
        self.faults, self.clock = FaultLog(clock), clock
        self._reads, self._writes = _Lane("read"), _Lane("write")
        self._abandoned: list[sqlite3.Connection] = []  # inherited across fork: never closed here
        try:
            with self._writes.lock:  # the schema migrated (or the fault known) before any turn
                self._connection(self._writes)
        except StoreError as e:
            self.faults.report(e)

    def _file_id(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def _connection(self, lane: _Lane) -> sqlite3.Connection:
        """The lane's connection: opened, or opened again after a fork or when the file it
        has open was deleted or replaced (so a deleted file heals on the next turn)."""
        if lane.db is not None:
            if lane.owner[0] == os.getpid() and self.clock() < lane.checked_at + FILE_CHECK_S:
                return lane.db
            try:
                same = lane.owner == (os.getpid(), *self._file_id())
            except OSError:  # deleted while running
                same = False
            if same:
                lane.checked_at = self.clock()
                return lane.db
            self._drop(lane)
        if lane.fault is not None and self.clock() < lane.reopen_at:
            raise lane.fault  # opened again once the pause is over, not on every turn meanwhile
        try:
            lane.db = self._open()
        except (sqlite3.Error, OSError) as e:
            raise self._failed(lane, StoreError(fault_kind(e), str(e))) from None
        lane.owner, lane.checked_at = (os.getpid(), *self._file_id()), self.clock()
        return lane.db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: safe against crashes, no fsync per write
            db.execute("PRAGMA secure_delete=ON")  # what a row held is zeroed when it is rewritten
            self._migrate(db)
            db.execute("PRAGMA busy_timeout = 0")  # from here on, _retried waits out locks
        except BaseException:
            db.close()
            raise
        return db

    def _failed(self, lane: _Lane, error: StoreError) -> StoreError:
        """After a fault: the connection is dropped and opened again after a pause."""
        self._drop(lane)
        lane.fault, lane.reopen_at = error, self.clock() + lane.reopen_pause
        lane.reopen_pause = min(lane.reopen_pause * 2, REOPEN_MOST_S)
        return error

    def _migrate(self, db: sqlite3.Connection) -> None:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"newer schema {version} than this release knows ({SCHEMA_VERSION})")
        db.execute("BEGIN IMMEDIATE")
        try:
            (version,) = db.execute("PRAGMA user_version").fetchone()  # another process may have won
            for statement in MIGRATIONS[version:]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _drop(self, lane: _Lane) -> None:
        db, lane.db = lane.db, None
        if db is None:
            return
        if lane.owner[0] == os.getpid():
            db.close()
        else:
            self._abandoned.append(db)

    def _retried(self, work: Callable[[sqlite3.Connection], Any], lane: _Lane | None = None) -> Any:
        """`work` on the lane's connection (the writing one unless told). A lock held by
        another process is waited out here, up to BUSY_TIMEOUT_S, in short sleeps with the
        lane's lock let go: SQLite's own busy handler sleeps at least 1 ms while every other
        thread of the process waits for the connection."""
        lane = lane or self._writes
        deadline, pause = time.monotonic() + BUSY_TIMEOUT_S, RETRY_FIRST_S
        while True:
            with lane.lock:
                try:
                    done = work(self._connection(lane))
                    lane.fault, lane.reopen_pause = None, REOPEN_FIRST_S
                    return done
                except StoreError as e:
                    self.faults.report(e)
                    raise
                except sqlite3.Error as e:
                    error = StoreError(fault_kind(e), str(e))
                    if error.kind != "locked":
                        raise self._report(self._failed(lane, error)) from None
                    if time.monotonic() + pause > deadline:
                        raise self._report(error) from None
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MOST_S)

    def _report(self, error: StoreError) -> StoreError:
        self.faults.report(error)
        return error

    def get(self, uid: str) -> Data:
        record: Record = self._retried(lambda db: _record(db, uid), self._reads)
        return record.kept()

    def save_many(self, writes: Sequence[Write]) -> list[Saved]:
        """One transaction: one commit and one turn of the file lock for the whole batch."""
        now = int(time.time())

        def write(db: sqlite3.Connection) -> list[Saved]:
            done: list[Saved] = _transaction(db, lambda: [_write(db, w, now) for w in writes])
            return done

        saved: list[Saved] = self._retried(write)
        return saved

    def delete(self, uid: str) -> None:
        """The tombstone, then the WAL truncated (so the data is gone from the -wal file too)."""
        now = int(time.time())
        self._retried(lambda db: _transaction(db, lambda: db.execute(FORGET, (uid, now))))
        deadline = time.monotonic() + CHECKPOINT_S
        while not self._checkpointed():
            if time.monotonic() > deadline:  # readers held on: the next checkpoint overwrites it
                self.faults.report(StoreError("wal-busy", "a forgotten user's old data stays in the WAL a while"))
                return
            time.sleep(BUSY_TIMEOUT_S / 10)

    def _checkpointed(self) -> bool:
        """Whether the WAL was copied into the file and truncated to nothing."""
        try:
            busy, _, _ = self._retried(lambda db: db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        except StoreError:  # the forget itself is written: only the truncation waits
            return False
        return not busy

    def close(self) -> None:
        for lane in (self._reads, self._writes):
            with lane.lock:
                self._drop(lane)


def _transaction(db: sqlite3.Connection, work: Callable[[], Any]) -> Any:
    db.execute("BEGIN IMMEDIATE")
    try:
        done = work()
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # some faults (a full disk) have rolled it back already
            db.execute("ROLLBACK")
        raise
    return done


def _record(db: sqlite3.Connection, uid: str) -> Record:
    rows = db.execute(READ, (uid,)).fetchall()
    if not rows:
        return Record({})
    text, version, forgot = rows[0]
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    return Record(data if isinstance(data, dict) else {}, version, forgot)


def _write(db: sqlite3.Connection, write: Write, now: int) -> Saved:
    """One write, inside the batch's transaction (which holds the file's write lock)."""
    version, _ = token(write.data)
    rows = _put_row(db, write.uid, body(write.data), version, now)
    if not rows:  # another write came between: merge with it
        current = _record(db, write.uid)
        data = resolved(current, write)
        if data is None:
            return Saved(Outcome.FORGOTTEN)
        rows = _put_row(db, write.uid, data, current.version, now)
    ((new_version, forgot),) = rows
    return Saved(Outcome.WRITTEN, (new_version, forgot))


def _put_row(db: sqlite3.Connection, uid: str, data: Data, version: int, now: int) -> list[Any]:
    """The row written if it is at `version` (0: a user never written, inserted, or a row
    from before versions); [] if not."""
    text = json.dumps(data, separators=(",", ":"))
    rows = db.execute(INSERT, (uid, text, now)).fetchall() if version == 0 else []
    return rows or db.execute(UPDATE, (text, now, uid, version)).fetchall()


def SQLiteAdapter(path: Path | str) -> SQLiteStore:  # noqa: N802  (the name tests and earlier code use)
    return SQLiteStore(path)
