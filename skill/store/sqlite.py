"""Per-user kept data in an SQLite file (RECOVERY_COACH_DB): the embedded store.

One connection per process (made again after a fork, or when the file was deleted or
replaced: checked at most once a second), shared by threads under a lock; WAL; a lock
held by another process is waited out for at most 200 ms. The schema is versioned
(`PRAGMA user_version`) and migrated forward on open. Faults raise `StoreError`
(skill/store/base.py); opening never raises, so the server starts anyway."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skill.store.base import FaultLog, Store, StoreError, fault_kind

BUSY_TIMEOUT_S = 0.2
FILE_CHECK_S = 1.0  # how often the open file is checked against the path (not on every statement)
RETRY_FIRST_S, RETRY_MOST_S = 0.00005, 0.005  # waits for a lock held by another process
LOG_EVERY_S = 60.0

# Each migration takes the schema from version i to i + 1. Version 1 is the table every
# release so far created (its files have user_version 0), so IF NOT EXISTS keeps them.
MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS attributes (user_id TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "ALTER TABLE attributes ADD COLUMN updated_at INTEGER",
)
SCHEMA_VERSION = len(MIGRATIONS)
UPSERT = (
    "INSERT INTO attributes (user_id, data, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT(user_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at"
)


class SQLiteStore(Store):
    def __init__(self, path: Path | str, clock: Callable[[], float] = time.monotonic):
        self.path = Path(path)
        self.faults, self.clock = FaultLog(clock), clock
        self._lock = threading.Lock()
        self._checked_at = 0.0  # when the open file was last found to be the one at `path`
        self._db: sqlite3.Connection | None = None
        self._owner: tuple[int, int, int] = (0, 0, 0)  # pid, device, inode of the open file
        self._abandoned: list[sqlite3.Connection] = []  # inherited across fork: never closed here
        try:
            with self._lock:
                self._connection()
        except StoreError as e:
            self.faults.report(e)

    def _file_id(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def _connection(self) -> sqlite3.Connection:
        """The process's connection: opened, or opened again after a fork or when the file
        it has open was deleted or replaced (so a deleted file heals on the next turn)."""
        try:
            if self._db is not None:
                if self._owner[0] == os.getpid() and self.clock() < self._checked_at + FILE_CHECK_S:
                    return self._db
                try:
                    same = self._owner == (os.getpid(), *self._file_id())
                except OSError:  # deleted while running
                    same = False
                if same:
                    self._checked_at = self.clock()
                    return self._db
                self._drop()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # with WAL: safe against crashes, no fsync per write
                self._migrate(db)
                db.execute("PRAGMA busy_timeout = 0")  # from here on, _run waits out locks
            except BaseException:
                db.close()
                raise
            self._db, self._owner, self._checked_at = db, (os.getpid(), *self._file_id()), self.clock()
            return db
        except (sqlite3.Error, OSError) as e:
            raise StoreError(fault_kind(e), str(e)) from None

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

    def _drop(self) -> None:
        db, self._db = self._db, None
        if db is None:
            return
        if self._owner[0] == os.getpid():
            db.close()
        else:
            self._abandoned.append(db)

    def _run(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """One statement (see _retried)."""
        rows: list[tuple[Any, ...]] = self._retried(lambda db: db.execute(sql, args).fetchall())
        return rows

    def _retried(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """`work` on the connection. A lock held by another process is waited out here, up to
        BUSY_TIMEOUT_S, in short sleeps with this process's lock let go: SQLite's own
        busy handler sleeps at least 1 ms while every other thread of the process waits
        for the connection, which left 40% of the CPU idle with 2 workers under load."""
        deadline, pause = time.monotonic() + BUSY_TIMEOUT_S, RETRY_FIRST_S
        while True:
            with self._lock:
                try:
                    return work(self._connection())
                except StoreError as e:
                    self.faults.report(e)
                    raise
                except sqlite3.Error as e:
                    error = StoreError(fault_kind(e), str(e))
                    if error.kind != "locked" or time.monotonic() + pause > deadline:
                        if error.kind not in ("locked", "read-only", "disk-full"):
                            self._drop()  # open it afresh next time
                        self.faults.report(error)
                        raise error from None
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MOST_S)

    def get(self, uid: str) -> dict[str, Any]:
        rows = self._run("SELECT data FROM attributes WHERE user_id = ?", (uid,))
        try:
            data = json.loads(rows[0][0]) if rows else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def put(self, uid: str, data: dict[str, Any]) -> None:
        self._run(UPSERT, _row(uid, data, int(time.time())))

    def put_many(self, saves: dict[str, dict[str, Any]]) -> None:
        """One transaction: one commit and one turn of the file lock for the whole batch."""
        now = int(time.time())
        rows = [_row(uid, data, now) for uid, data in saves.items()]

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(UPSERT, rows)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # some faults (a full disk) have rolled it back already
                    db.execute("ROLLBACK")
                raise

        self._retried(write)

    def delete(self, uid: str) -> None:
        self._run("DELETE FROM attributes WHERE user_id = ?", (uid,))

    def close(self) -> None:
        with self._lock:
            self._drop()


def _row(uid: str, data: dict[str, Any], now: int) -> tuple[str, str, int]:
    """UPSERT's parameters for one user's data."""
    return uid, json.dumps(data, separators=(",", ":")), now


def SQLiteAdapter(path: Path | str) -> SQLiteStore:  # noqa: N802  (the name tests and earlier code use)
    return SQLiteStore(path)
