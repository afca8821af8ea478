"""Per-user kept data in an SQLite file (RECOVERY_COACH_DB): the embedded store.

One connection per process (made again after a fork, or when the file was deleted or
replaced: checked at most once a second), shared by threads under a lock; WAL; a busy timeout of 200 ms, so a held lock
costs a turn at most that. The schema is versioned (`PRAGMA user_version`) and migrated
forward on open. Every fault (locked, read-only, missing, not a database, disk full,
deleted while running) raises `StoreError` with a short kind; the caller coaches on
without saved data, and the fault is logged once per kind per minute. Opening never
raises, so the server starts anyway.

The store contract, shared with skill/alexa/dynamo.py: `get(uid) -> dict` ({} for a new
user), `put(uid, data)`, `delete(uid)`, each raising `StoreError`; plus ask-sdk-core's
persistence adapter methods over the request envelope."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

log = logging.getLogger("recovery_coach.store")
BUSY_TIMEOUT_S = 0.2
FILE_CHECK_S = 1.0  # how often the open file is checked against the path (a stat costs 30 us in a turn)
RETRY_FIRST_S, RETRY_MOST_S = 0.00005, 0.005  # waits for a lock held by another process
LOG_EVERY_S = 60.0

# Each migration takes the schema from version i to i + 1. Version 1 is the table every
# release so far created (its files have user_version 0), so IF NOT EXISTS keeps them.
MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS attributes (user_id TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "ALTER TABLE attributes ADD COLUMN updated_at INTEGER",
)
SCHEMA_VERSION = len(MIGRATIONS)


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
        log.warning(
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


def user_id(request_envelope: Any) -> str:
    system = request_envelope.context.system if request_envelope.context else None
    if system is not None and system.user is not None and system.user.user_id:
        return str(system.user.user_id)
    session = request_envelope.session
    if session is not None and session.user is not None and session.user.user_id:
        return str(session.user.user_id)
    return "anonymous"


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


class Store(AbstractPersistenceAdapter):
    """The contract both backends keep; ask-sdk-core's adapter methods come for free."""

    faults: FaultLog

    def get(self, uid: str) -> dict[str, Any]:
        raise NotImplementedError

    def put(self, uid: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def delete(self, uid: str) -> None:
        raise NotImplementedError

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        return self.get(user_id(request_envelope))

    def save_attributes(self, request_envelope: Any, attributes: dict[str, Any]) -> None:
        self.put(user_id(request_envelope), attributes)

    def delete_attributes(self, request_envelope: Any) -> None:
        self.delete(user_id(request_envelope))


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
        """One statement. A lock held by another process is waited out here, up to
        BUSY_TIMEOUT_S, in short sleeps with this process's lock let go: SQLite's own
        busy handler sleeps at least 1 ms while every other thread of the process waits
        for the connection, which left 40% of the CPU idle with 2 workers under load."""
        deadline, pause = time.monotonic() + BUSY_TIMEOUT_S, RETRY_FIRST_S
        while True:
            with self._lock:
                try:
                    return self._connection().execute(sql, args).fetchall()
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
        self._run(
            "INSERT INTO attributes (user_id, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (uid, json.dumps(data, separators=(",", ":")), int(time.time())),
        )

    def delete(self, uid: str) -> None:
        self._run("DELETE FROM attributes WHERE user_id = ?", (uid,))

    def close(self) -> None:
        with self._lock:
            self._drop()


class MemoryStore(Store):
    """Kept in this process only: for benchmarks' baselines and for tests of other parts."""

    def __init__(self) -> None:
        self.faults = FaultLog()
        self.data: dict[str, str] = {}

    def get(self, uid: str) -> dict[str, Any]:
        return dict(json.loads(self.data[uid])) if uid in self.data else {}

    def put(self, uid: str, data: dict[str, Any]) -> None:
        self.data[uid] = json.dumps(data)

    def delete(self, uid: str) -> None:
        self.data.pop(uid, None)


def SQLiteAdapter(path: Path | str) -> SQLiteStore:  # noqa: N802  (the name tests and earlier code use)
    return SQLiteStore(path)


def open_store(db_path: Path | str | None = None) -> Store:
    """DynamoDB when RECOVERY_COACH_DYNAMODB_TABLE is set (imported only then), else SQLite."""
    table = os.environ.get("RECOVERY_COACH_DYNAMODB_TABLE")
    if table and db_path is None:
        from skill.alexa.dynamo import DynamoStore

        return DynamoStore(table)
    return SQLiteStore(db_path or default_db_path())
