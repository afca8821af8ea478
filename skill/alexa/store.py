"""Per-user saved attributes in an SQLite file (RECOVERY_COACH_DB), for ask-sdk-core.

One row per Alexa user id. A connection per call keeps it safe under gunicorn's forked
workers and Flask's threads; WAL lets readers and one writer work at once."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter


def default_db_path() -> Path:
    if os.environ.get("RECOVERY_COACH_DB"):
        return Path(os.environ["RECOVERY_COACH_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "recovery-coach" / "recovery-coach.sqlite3"


def user_id(request_envelope) -> str:
    system = request_envelope.context.system if request_envelope.context else None
    if system is not None and system.user is not None and system.user.user_id:
        return system.user.user_id
    session = request_envelope.session
    if session is not None and session.user is not None and session.user.user_id:
        return session.user.user_id
    return "anonymous"


class SQLiteAdapter(AbstractPersistenceAdapter):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS attributes (user_id TEXT PRIMARY KEY, data TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5)
        db.execute("PRAGMA synchronous=NORMAL")  # with WAL: safe against crashes, no fsync per turn
        return db

    def get(self, uid: str) -> dict:
        with self._connect() as db:
            row = db.execute("SELECT data FROM attributes WHERE user_id = ?", (uid,)).fetchone()
        try:
            data = json.loads(row[0]) if row else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def put(self, uid: str, data: dict) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO attributes (user_id, data) VALUES (?, ?) "
                "ON CONFLICT(user_id) DO UPDATE SET data = excluded.data",
                (uid, json.dumps(data)),
            )

    def get_attributes(self, request_envelope) -> dict:
        return self.get(user_id(request_envelope))

    def save_attributes(self, request_envelope, attributes) -> None:
        self.put(user_id(request_envelope), attributes)

    def delete_attributes(self, request_envelope) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM attributes WHERE user_id = ?", (user_id(request_envelope),))
