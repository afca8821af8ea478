"""Saves gathered and written in batches by the server (skill/store/write_behind.py):
what another worker reading the same SQLite file sees, and that nothing is lost or
brought back, including when the store refuses for a while and when the server stops.
"Another worker" is a second SQLiteStore on the same file, as a second process has."""

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

from conftest import launch_doc
from storekit import free_port

from skill.store.sqlite import SQLiteStore
from skill.store.write_behind import WriteBehind

ROOT = Path(__file__).resolve().parents[2]


class Batches(SQLiteStore):
    """The real SQLite store, keeping the batches it is asked to write."""

    def __init__(self, path):
        super().__init__(path)
        self.batches: list[list[str]] = []
        self.wrote = threading.Event()

    def put_many(self, saves):
        super().put_many(saves)
        self.batches.append(list(saves))
        self.wrote.set()


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
    assert other_worker.get("user-7") == {"visits": 70} and other_worker.get("user-49") == {"visits": 49}


def test_the_writer_thread_writes_without_being_asked(tmp_path):
    db = tmp_path / "coach.sqlite3"
    batches = Batches(db)
    store = WriteBehind(batches, window_s=0.001)
    store.put("u", {"visits": 1})
    assert batches.wrote.wait(timeout=10)
    assert SQLiteStore(db).get("u") == {"visits": 1}


def test_forgetting_drops_a_save_not_yet_written(tmp_path):
    db = tmp_path / "coach.sqlite3"
    store = WriteBehind(SQLiteStore(db), window_s=60)
    store.put("u", {"visits": 1})
    assert store.flush()
    store.put("u", {"visits": 2, "prefs": {"minutes": 15}})
    store.delete("u")
    assert store.get("u") == {}
    assert store.flush()
    assert SQLiteStore(db).get("u") == {}  # neither the written save nor the queued one comes back


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
    assert SQLiteStore(db).get("u") == {"visits": 1} and SQLiteStore(db).get("v") == {"visits": 1}


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
