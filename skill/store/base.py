"""Per-user kept data: the store contract, its faults, and the choice of backend.

`open_store` gives SQLite (skill/store/sqlite.py, RECOVERY_COACH_DB) or DynamoDB
(skill/store/dynamo.py, RECOVERY_COACH_DYNAMODB_TABLE), each imported only when chosen.
Every fault (locked, read-only, missing, not a database, disk full, deleted while
running) raises `StoreError` with a short kind; the caller coaches on without saved data,
and the fault is logged once per kind per minute. Opening never raises, so the server
starts anyway.

The store contract, shared by both backends: `get(uid) -> dict` ({} for a new
user), `put(uid, data)`, `put_many({uid: data})`, `delete(uid)`, each raising `StoreError`."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

LOG_EVERY_S = 60.0


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
    """The contract every backend keeps."""

    faults: FaultLog

    def get(self, uid: str) -> dict[str, Any]:
        raise NotImplementedError

    def put(self, uid: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def delete(self, uid: str) -> None:
        raise NotImplementedError

    def put_many(self, saves: dict[str, dict[str, Any]]) -> None:
        """Several users' data at once (skill/store/write_behind.py); a backend that can
        write them together does. A fault raises, and the whole batch may be tried again."""
        for uid, data in saves.items():
            self.put(uid, data)


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
