"""Store faults with the real file system: whatever is wrong with the SQLite file, the user
hears what a healthy store would have said (no apology), the routine moves as it should,
and the server starts; only "I've saved your place" becomes the truth: "I couldn't save
your place this time". A store that heals is used again without a restart. As root,
read-only and disk-full are real: a read-only bind mount and a tiny tmpfs in a mount
namespace of the child's own (`unshare -m`); as any other user, file modes."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from storekit import ROOT_PATHS, ROUTINE, USER, heard, run_elsewhere, talk_to

from skill.alexa.adapter import Skill
from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID, Conversation
from skill.store.base import FaultLog, StoreError
from skill.store.sqlite import FILE_CHECK_S, SQLiteStore
from skill.store.write_behind import WriteBehind

ROOT = os.geteuid() == 0
root_only = pytest.mark.skipif(not ROOT, reason="needs a mount namespace (root)")


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    """What a user hears with a working store, from a new user's first launch."""
    said = heard(talk_to(tmp_path_factory.mktemp("healthy") / "coach.sqlite3"), ROUTINE)
    assert said[2].startswith("Find a wall or a chair") and "Next, leg swings." in said[2]
    assert "saved your place" in said[-1]
    return said


def no_apology(said: list[str]) -> None:
    assert not any("sorry" in s.lower() for s in said), said


NOT_SAVED = "Stopping here, on leg swings. I couldn't save your place this time"


def as_usual_but_unsaved(said: list[str], healthy: list[str]) -> None:
    """Every answer as a healthy store's, but the last: it does not claim the place was saved."""
    no_apology(said)
    assert said[:-1] == healthy[:-1]
    assert said[-1].startswith(NOT_SAVED), said[-1]


def readonly(path) -> str:
    return f"mount --bind {path} {path} && mount -o remount,ro,bind {path} {path}"


def test_a_read_only_file_coaches_as_usual(tmp_path, healthy):
    db = tmp_path / "ro" / "coach.sqlite3"
    SQLiteStore(db).close()
    if ROOT:
        said = run_elsewhere(db, readonly(db.parent))
    else:
        db.chmod(0o444)
        db.parent.chmod(0o555)
        said = heard(talk_to(db), ROUTINE)
    as_usual_but_unsaved(said, healthy)
    assert SQLiteStore(db).get(USER) == {}, "the file really was read-only"


def test_an_unwritable_directory_without_a_file_coaches_as_usual(tmp_path, healthy):
    (tmp_path / "ro").mkdir()
    db = tmp_path / "ro" / "coach.sqlite3"
    if ROOT:
        said = run_elsewhere(db, readonly(db.parent))
    else:
        db.parent.chmod(0o555)
        said = heard(talk_to(db), ROUTINE)
    as_usual_but_unsaved(said, healthy)
    assert not db.exists()


def test_a_missing_directory_is_made_and_the_place_is_kept(tmp_path, healthy):
    db = tmp_path / "not" / "yet" / "coach.sqlite3"
    assert heard(talk_to(db), ROUTINE) == healthy  # it ends after "go back", on leg swings
    assert "Shall we carry on with leg swings?" in heard(talk_to(db), ["open recovery coach"])[0]


@root_only
def test_a_full_disk_coaches_as_usual(tmp_path, healthy):
    (tmp_path / "full").mkdir()
    db = tmp_path / "full" / "coach.sqlite3"
    fill = f"mount -t tmpfs -o size=64k tmpfs {db.parent} && (cat /dev/zero > {db.parent}/filler 2>/dev/null; true)"
    said = run_elsewhere(db, fill)
    as_usual_but_unsaved(said, healthy)


def test_a_file_that_is_not_a_database_is_left_alone(tmp_path, healthy, caplog):
    db = tmp_path / "coach.sqlite3"
    junk = b"these are someone's notes, not a database\n" * 200
    db.write_bytes(junk)
    with caplog.at_level(logging.WARNING, logger="recovery_coach.store"):
        said = heard(talk_to(db), ROUTINE)
    as_usual_but_unsaved(said, healthy)
    assert db.read_bytes() == junk
    faults = [r for r in caplog.records if "store fault (not-a-database)" in r.getMessage()]
    assert len(faults) == 1, "a fault is logged once per kind per minute, not once per turn"


class Locker:
    """Another process holding an exclusive lock on the file until told to stop: the whole
    file (`PRAGMA locking_mode=EXCLUSIVE`: no reader gets in either), or the write lock."""

    CODE = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None); "
        "sys.argv[2] == 'file' and db.execute('PRAGMA locking_mode=EXCLUSIVE'); db.execute('BEGIN EXCLUSIVE'); "
        "db.execute('CREATE TABLE IF NOT EXISTS hold (x)'); print('locked', flush=True); sys.stdin.readline()"
    )

    def __init__(self, path, what="file"):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(path), what],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self):
        self.proc.communicate("\n", timeout=10)


def test_a_lock_held_by_another_process_coaches_as_usual(tmp_path, healthy):
    db = tmp_path / "coach.sqlite3"
    SQLiteStore(db).close()
    locker = Locker(db)
    try:
        said = heard(talk_to(db), ROUTINE)
    finally:
        locker.release()
    as_usual_but_unsaved(said, healthy)
    assert SQLiteStore(db).get(USER) == {}, "the lock really kept every write out"


@pytest.mark.parametrize("server", [True, False], ids=["server, the batched writer", "Lambda, saving first"])
def test_a_failed_write_does_not_move_the_routine_and_is_saved_later(tmp_path, server):
    db = tmp_path / "coach.sqlite3"
    # The server's store as gunicorn's has it, batched; its writer thread held off, so this test says when it writes.
    store = WriteBehind(SQLiteStore(db), window_s=3600, retry_s=3600) if server else SQLiteStore(db)
    skill = Skill(store=store, skill_id=DEV_SKILL_ID)
    client = create_app(dev=True, skill=skill).test_client()
    conv = Conversation(lambda doc: (200, client.post("/alexa", json=doc).get_json()), user_id=USER)
    heard(conv, ["open recovery coach", "start a ten minute recovery"])
    if server:
        assert store.flush()
    locker = Locker(db, "writes")
    try:
        said = heard(conv, ["next", "next"])
        if server:
            assert not store.flush(), "the store refused the batch; it stays queued"
    finally:
        locker.release()
    assert "Next, leg swings." in said[0] and said[1].startswith("Now, hip circles.")
    assert conv.attributes["pos"]["at"] == [2, 0]
    assert SQLiteStore(db).get(USER)["pos"]["at"] == [0, 0], "the lock really kept both writes out"
    # Saving first, the session says it is owed a save; on the server, the writer owns the retry.
    assert conv.attributes.get("unsaved") == (None if server else 1)
    if server:
        assert store.flush(), "the lock is gone: the writer's retry writes what waited"
    else:
        said = heard(conv, ["what's next"])  # the lock is gone: this turn saves what the last two could not
        assert "After hip circles" in said[0] and "unsaved" not in conv.attributes
    assert SQLiteStore(db).get(conv.user_id)["pos"]["at"] == [2, 0]


def test_a_file_deleted_while_running_heals_within_a_second(tmp_path):
    db, now = tmp_path / "coach.sqlite3", [1000.0]
    skill = Skill(store=SQLiteStore(db, clock=lambda: now[0]), skill_id=DEV_SKILL_ID)
    client = create_app(dev=True, skill=skill).test_client()
    conv = Conversation(lambda doc: (200, client.post("/alexa", json=doc).get_json()), user_id=USER)
    heard(conv, ["open recovery coach", "start a ten minute recovery"])
    for p in tmp_path.glob("coach.sqlite3*"):
        p.unlink()
    now[0] += FILE_CHECK_S  # the store looks at the path again once a second
    said = heard(conv, ["next", "next", "stop"])
    assert "Next, leg swings." in said[0] and "saved your place on hip circles" in said[2]
    assert "Shall we carry on with hip circles?" in heard(talk_to(db), ["open recovery coach"])[0]


def test_faults_are_logged_once_per_kind_per_minute(caplog):
    now = [1000.0]
    faults = FaultLog(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="recovery_coach.store"):
        logged = [faults.report(StoreError("locked")) for _ in range(5)]
        logged.append(faults.report(StoreError("read-only")))
        now[0] += 61
        logged.append(faults.report(StoreError("locked")))
    assert logged == [True, False, False, False, False, True, True]
    assert len(caplog.records) == 3


def test_a_newer_schema_is_not_touched(tmp_path, healthy):
    db = tmp_path / "coach.sqlite3"
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA user_version = 99")
    as_usual_but_unsaved(heard(talk_to(db), ROUTINE), healthy)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA user_version").fetchone() == (99,)


def lambda_like(db) -> tuple[Conversation, SQLiteStore]:
    """A conversation with a store that writes before it answers, as the Lambda's does."""
    store = SQLiteStore(db)
    skill = Skill(store=store, skill_id=DEV_SKILL_ID)
    return Conversation(lambda doc: (200, skill.respond(doc)), user_id=USER), store


def test_saving_first_a_fault_to_the_end_of_the_session_is_said_within_a_second(tmp_path):
    db = tmp_path / "coach.sqlite3"
    conv, _ = lambda_like(db)
    heard(conv, ["open recovery coach", "start a ten minute recovery"])
    locker = Locker(db, "writes")
    try:
        said = heard(conv, ["next"])
        started = time.monotonic()
        said += heard(conv, ["stop"])  # tried again within the request, then told
        took = time.monotonic() - started
    finally:
        locker.release()
    assert "Next, leg swings." in said[0] and said[1].startswith(NOT_SAVED)
    assert took < 2.0, "the retries are bounded (half a second, and a 200 ms wait for the lock each)"
    assert SQLiteStore(db).get(USER)["pos"]["at"] == [0, 0]


def test_saving_first_a_fault_that_heals_within_the_request_is_saved_and_said(tmp_path):
    db = tmp_path / "coach.sqlite3"
    conv, store = lambda_like(db)
    heard(conv, ["open recovery coach", "start a ten minute recovery"])
    locker = Locker(db, "writes")
    heard(conv, ["next"])  # refused: the session carries it, unsaved
    report = store.faults.report

    def let_go_when_refused(error):  # the other process lets go once the stop's first write is refused
        if locker.proc.poll() is None:
            locker.release()
        return report(error)

    store.faults.report = let_go_when_refused
    try:
        said = heard(conv, ["stop"])
    finally:
        if locker.proc.poll() is None:
            locker.release()
    assert "I've saved your place on leg swings" in said[0]
    assert SQLiteStore(db).get(USER)["pos"]["at"] == [1, 0]


READ_ONLY_THEN_WRITABLE = """
import json, subprocess, sys
from skill.store.base import StoreError
from skill.store.sqlite import REOPEN_FIRST_S, SQLiteStore
now = [1000.0]
store, out = SQLiteStore(sys.argv[1], clock=lambda: now[0]), []
try:
    store.put("u", {"visits": 1})
    out.append("written")
except StoreError as e:
    out.append(e.kind)
subprocess.run(["sh", "-c", sys.argv[2]], check=True)  # the file is writable again
now[0] += REOPEN_FIRST_S  # the pause before the store opens the file again
store.put("u", {"visits": 2})
print(json.dumps([*out, "written", store.get("u")["visits"]]))
"""


def test_a_store_opened_read_only_writes_again_once_the_file_is_writable(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    db = d / "coach.sqlite3"
    other_worker = SQLiteStore(db)  # has the file open, so its -wal and -shm are there: it opens, read-only
    assert other_worker.get("u") == {}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(ROOT_PATHS)}
    cmd = [sys.executable, "-c", READ_ONLY_THEN_WRITABLE, str(db)]
    if ROOT:
        cmd = ["unshare", "-m", "sh", "-c", f'{readonly(d)} && exec "$0" "$@"', *cmd, f"mount -o remount,rw,bind {d}"]
    else:
        db.chmod(0o444)
        d.chmod(0o555)
        cmd.append(f"chmod 755 {d} && chmod 644 {db}")
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout)
    assert out == ["read-only", "written", 2], out
    assert other_worker.get("u")["visits"] == 2, "no restart: the same process wrote it"
