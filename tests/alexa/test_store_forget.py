"""After "forget my data", nothing the user said or did can be read from the SQLite files:
not the database, not its -wal, not its -shm, while another worker has the file open.
What stays is a tombstone (the user id, no data), so that no save queued or retried from
before the forget brings anything back."""

from __future__ import annotations

from pathlib import Path

from conftest import written
from storekit import heard

from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID, Conversation
from skill.store.sqlite import SQLiteStore

FORGETFUL = "amzn1.ask.account.forgetful"
OTHERS = [f"amzn1.ask.account.other-{n}" for n in range(5)]
ROUTINES = 3  # finished routines, each its own history entry (with an id of its own)


def raw(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def finish_routines(conv: Conversation, cardio: str) -> None:
    heard(conv, ["open recovery coach", f"I prefer {cardio}", "make it fifteen minutes from now on"])
    for _ in range(ROUTINES):
        heard(conv, ["start a five minute recovery", "next", "next", "next", "next"])


def test_nothing_of_a_forgotten_user_is_left_in_the_files(tmp_path):
    db = tmp_path / "coach.sqlite3"
    client = create_app(dev=True, skill_id=DEV_SKILL_ID, db_path=db).test_client()

    def send(doc):
        return 200, client.post("/alexa", json=doc).get_json()

    for uid in [*OTHERS, FORGETFUL]:
        finish_routines(Conversation(send, user_id=uid), "swimming" if uid == FORGETFUL else "cycling")
        written(client)
    other_worker = SQLiteStore(db)
    kept = other_worker.get(FORGETFUL)
    ids = [entry[3].encode() for entry in kept["history"]]
    others = [entry[3].encode() for uid in OTHERS for entry in other_worker.get(uid)["history"]]
    assert len(ids) == ROUTINES and all(i in raw(db) for i in ids), "the files did hold the user's history"
    assert b"swimming" in raw(db) and kept["prefs"]["cardio"] == "swimming"

    said = heard(Conversation(send, user_id=FORGETFUL), ["open recovery coach", "forget my data", "yes"])
    assert "I've deleted everything" in said[-1]

    after = raw(db)
    assert not [i for i in ids if i in after], "a history entry of the forgotten user is still in the files"
    assert b"swimming" not in after, "their preference is still in the files"
    assert all(i in after for i in others), "the other users' data is all there"
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert other_worker.get(FORGETFUL) == {"rev": other_worker.get(FORGETFUL)["rev"]}  # the tombstone, no data


def test_a_long_history_on_pages_of_its_own_is_zeroed_too(tmp_path):
    """Two months of routines do not fit in a row's page: the pages they had are freed, and
    a freed page keeps what it held unless the store overwrites it."""
    db = tmp_path / "coach.sqlite3"
    store = SQLiteStore(db)
    history = [[f"2026-10-{day:02d}", 15, "yoga", f"entry{day:02d}x"] for day in range(1, 31)] * 2
    store.put(FORGETFUL, {"v": 3, "history": history, "prefs": {"cardio": "swimming"}})
    for uid in OTHERS:
        store.put(uid, {"v": 3, "history": [["2026-10-01", 10, "full", f"{uid[-7:]}"]]})
    assert b"entry17x" in raw(db)
    store.delete(FORGETFUL)
    assert b"entry" not in raw(db) and b"swimming" not in raw(db)
    assert all(uid[-7:].encode() in raw(db) for uid in OTHERS)
