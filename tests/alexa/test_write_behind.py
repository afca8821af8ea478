"""Saves gathered and written in batches by the server (skill/store/write_behind.py):
what another worker reading the same SQLite file sees, and that nothing is lost or
brought back, including when the store refuses for a while, when two workers' saves land
out of order, when another worker forgets the user, and when the server stops; and that
"I've saved your place" is said only when it was. "Another worker" is a second
SQLiteStore (or a second app) on the same file, as a second process has."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from conftest import launch_doc
from storekit import USER, free_port, heard
from test_store_faults import Locker

from skill.alexa.adapter import Skill
from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID, Conversation
from skill.store.base import body
from skill.store.sqlite import SQLiteStore
from skill.store.write_behind import WriteBehind

ROOT = Path(__file__).resolve().parents[2]


class Batches(SQLiteStore):
    """The real SQLite store, keeping the batches it is asked to write."""

    def __init__(self, path):
        super().__init__(path)
        self.batches: list[list[str]] = []
        self.wrote = threading.Event()

    def save_many(self, writes):
        saved = super().save_many(writes)
        self.batches.append([w.uid for w in writes])
        self.wrote.set()
        return saved


def test_a_save_is_read_back_at_once_and_reaches_the_file_in_one_batch(tmp_path):
    db = tmp_path / "coach.sqlite3"
    batches = Batches(db)
    store, other_worker = WriteBehind(batches, window_s=60), SQLiteStore(db)
    for n in range(50):
        store.put(f"user-{n}", {"visits": n})
    store.put("user-7", {"visits": 70})  # a newer save replaces one not yet written
    assert store.get("user-7") == {"visits": 70}  # this worker reads its own saves at once
    assert other_worker.get("user-7") == {}  # not written yet: the writer waits out its window
    assert store.flush()
    assert len(batches.batches) == 1 and len(batches.batches[0]) == 50
    assert body(other_worker.get("user-7")) == {"visits": 70} and body(other_worker.get("user-49")) == {"visits": 49}


def test_the_writer_thread_writes_without_being_asked(tmp_path):
    db = tmp_path / "coach.sqlite3"
    batches = Batches(db)
    store = WriteBehind(batches, window_s=0.001)
    store.put("u", {"visits": 1})
    assert batches.wrote.wait(timeout=10)
    assert body(SQLiteStore(db).get("u")) == {"visits": 1}


def test_forgetting_drops_a_save_not_yet_written(tmp_path):
    db = tmp_path / "coach.sqlite3"
    store = WriteBehind(SQLiteStore(db), window_s=60)
    store.put("u", {"visits": 1})
    assert store.flush()
    store.put("u", {"visits": 2, "prefs": {"minutes": 15}})
    store.delete("u")
    assert body(store.get("u")) == {}
    assert store.flush()
    assert body(SQLiteStore(db).get("u")) == {}  # neither the written save nor the queued one comes back


def test_a_store_that_refuses_keeps_the_saves_queued_until_it_heals(tmp_path):
    db = tmp_path / "coach.sqlite3"
    store = WriteBehind(SQLiteStore(db), window_s=60)
    store.put("u", {"visits": 1})
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock past the 200 ms wait
    try:
        assert not store.flush()
        store.put("v", {"visits": 1})
        assert store.get("u") == {"visits": 1}  # still this worker's to read
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert store.flush()
    assert body(SQLiteStore(db).get("u")) == {"visits": 1} and body(SQLiteStore(db).get("v")) == {"visits": 1}


EXIT_RIGHT_AFTER = """
import json, sys
from skill.server.app import create_app
client = create_app(dev=True, skill_id="{skill}", db_path=sys.argv[1]).test_client()
assert client.post("/alexa", json=json.loads(sys.argv[2]), buffered=True).status_code == 200  # closed: saves
"""


def test_saves_queued_when_the_process_exits_are_written(tmp_path):
    db, doc = tmp_path / "coach.sqlite3", launch_doc()
    code = EXIT_RIGHT_AFTER.format(skill=doc["context"]["System"]["application"]["applicationId"])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(db), json.dumps(doc)], check=True, env=env, timeout=60)
    assert SQLiteStore(db).get(doc["session"]["user"]["userId"])["visits"] == 1


def test_gunicorn_stopped_right_after_an_answer_keeps_the_save(tmp_path):
    db, doc, port = tmp_path / "coach.sqlite3", launch_doc(), free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "RECOVERY_COACH_DEV": "1", "RECOVERY_COACH_DB": str(db), "PYTHONPATH": str(ROOT)}
    cmd = [str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        for line in server.stderr:  # blocks until a worker has booted
            if "Booting worker" in line:
                break
        post = urllib.request.Request(
            f"http://127.0.0.1:{port}/alexa",
            data=json.dumps(doc).encode(),
            headers={"Content-Type": "application/json"},
        )
        answer = json.loads(urllib.request.urlopen(post, timeout=30).read())
        assert "Recovery Coach" in answer["response"]["outputSpeech"]["ssml"]
        server.send_signal(signal.SIGTERM)  # at once: the save may still be queued
        assert "Traceback" not in server.communicate(timeout=30)[1]
    finally:
        if server.poll() is None:
            server.kill()
    assert SQLiteStore(db).get(doc["session"]["user"]["userId"])["visits"] == 1


def test_while_the_store_refuses_the_first_queued_users_are_dropped_past_the_limit(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("skill.store.write_behind.MAX_PENDING", 3)
    store = WriteBehind(SQLiteStore(tmp_path / "coach.sqlite3"), window_s=60)
    for n in range(5):
        store.put(f"user-{n}", {"visits": n})
    assert store.dropped == 2 and "saves waiting; the oldest dropped" in caplog.text
    assert [store.get(f"user-{n}") for n in range(5)] == [{}, {}, {"visits": 2}, {"visits": 3}, {"visits": 4}]


def worker(db, window_s=3600.0) -> WriteBehind:
    """A server worker's store; its writer holds off (a save waited on, or flush, writes)."""
    return WriteBehind(SQLiteStore(db), window_s=window_s, retry_s=window_s)


def through(store: WriteBehind):
    client = create_app(dev=True, skill=Skill(store=store, skill_id=DEV_SKILL_ID)).test_client()
    return lambda doc: (200, client.post("/alexa", json=doc).get_json())


@pytest.mark.parametrize("refusing", [False, True], ids=["written", "refused"])
def test_stop_says_the_place_is_saved_only_once_the_writer_wrote_it(tmp_path, refusing):
    db = tmp_path / "coach.sqlite3"
    store = worker(db)
    conv = Conversation(through(store), user_id=USER)
    heard(conv, ["open recovery coach", "start a ten minute recovery", "next"])  # queued, not written
    locker = Locker(db, "writes") if refusing else None
    try:
        said = heard(conv, ["stop"])  # the request waits for its save: the writer writes at once
    finally:
        if locker:
            locker.release()
    if refusing:
        assert said[0].startswith("Stopping here, on leg swings. I couldn't save your place this time")
        assert body(SQLiteStore(db).get(USER)) == {} and store.queued() == 1, "kept queued for the writer's retry"
        assert store.flush()
    else:
        assert "I've saved your place on leg swings" in said[0]
    assert SQLiteStore(db).get(USER)["pos"]["at"] == [1, 0]


def test_two_workers_saves_landing_out_of_order_keep_the_newer_place(tmp_path):
    db = tmp_path / "coach.sqlite3"
    first, second = worker(db), worker(db)
    conv = Conversation(through(first), user_id=USER)
    heard(conv, ["open recovery coach", "start a ten minute recovery", "next", "next", "next", "next"])
    conv.send = through(second)
    said = heard(conv, ["next", "stop"])  # the second worker has child's pose, and writes it for the stop
    assert "I've saved your place on child's pose" in said[1]
    assert first.flush()  # the first worker's hamstring roll lands last
    assert (
        "Shall we carry on with child's pose?"
        in heard(Conversation(through(worker(db)), user_id=USER), ["open recovery coach"])[0]
    )


def test_two_devices_saves_queued_in_one_worker_are_merged_not_replaced(tmp_path):
    db = tmp_path / "coach.sqlite3"
    store = worker(db)
    kitchen, bedroom = (Conversation(through(store), user_id=USER) for _ in range(2))
    heard(kitchen, ["open recovery coach"])
    heard(bedroom, ["open recovery coach", "I prefer cycling"])
    heard(kitchen, ["make it fifteen minutes from now on"])
    assert store.flush()
    said = heard(Conversation(through(worker(db)), user_id=USER), ["open recovery coach", "yes"])
    assert "Shall I start your 15-minute routine?" in said[0] and "cycling" in said[1]


def test_forgetting_on_one_worker_wins_over_another_workers_queued_retry(tmp_path):
    db = tmp_path / "coach.sqlite3"
    first, second = worker(db), worker(db)
    conv = Conversation(through(first), user_id=USER)
    heard(conv, ["open recovery coach", "I prefer cycling"])
    locker = Locker(db, "writes")
    try:
        assert not first.flush(), "refused: the first worker keeps the save queued, to retry"
    finally:
        locker.release()
    said = heard(Conversation(through(second), user_id=USER), ["open recovery coach", "forget my data", "yes"])
    assert "I've deleted everything" in said[-1]
    assert first.flush()  # the retry, after the forget
    assert body(SQLiteStore(db).get(USER)) == {}
    said = heard(Conversation(through(first), user_id=USER), ["open recovery coach", "yes"])
    assert said[0].startswith("Welcome to Recovery Coach.") and "cycling" not in said[1]


EXIT_REFUSED = """
import sqlite3, sys
from skill.store import write_behind
from skill.store.sqlite import SQLiteStore
write_behind.EXIT_DEADLINE_S = 0.3
store = write_behind.WriteBehind(SQLiteStore(sys.argv[1]), window_s=3600)
for n in range(3):
    store.put(f"user-{n}", {"visits": n})
"""


def test_saves_the_store_refuses_at_exit_are_counted_in_the_log(tmp_path):
    db = tmp_path / "coach.sqlite3"
    SQLiteStore(db).close()
    locker = Locker(db, "writes")
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", EXIT_REFUSED, str(db)], env=env, capture_output=True, text=True)
    finally:
        locker.release()
    assert out.returncode == 0
    assert "3 queued saves could not be written before exit" in out.stderr
