"""The SQLite store under load: several processes writing the same and different users
lose nothing; a server answering many turns from many threads keeps its two connections
(one reads, one writes: its file descriptors stay flat) instead of piling them up; and a
turn's read does not wait for a batch being written."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storekit import heard, talk_to

from skill.sim.chat import Conversation, in_process
from skill.store.base import StoreError
from skill.store.sqlite import SQLiteStore

WRITERS = 4
WRITES = 150


def write_many(path: str, writer: int) -> int:
    """Each writer saves its own user and a shared one; returns how many writes failed."""
    store, failed = SQLiteStore(path), 0
    for n in range(WRITES):
        for uid in (f"user-{writer}", "shared"):
            try:
                store.put(uid, {"writer": writer, "n": n, "history": [["2026-11-23", 10, "full"]] * (n % 5)})
            except StoreError:
                failed += 1
    return failed


def test_several_processes_writing_lose_nothing(tmp_path):
    path = str(tmp_path / "coach.sqlite3")
    SQLiteStore(path).close()
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        failed = pool.starmap(write_many, [(path, w) for w in range(WRITERS)])
    assert failed == [0] * WRITERS
    store = SQLiteStore(path)
    for w in range(WRITERS):
        assert store.get(f"user-{w}")["n"] == WRITES - 1
    assert store.get("shared")["n"] == WRITES - 1  # whoever wrote last, their last write is whole


def open_files(path: Path) -> int:
    """File descriptors of this process open on the database and its WAL and index."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") in names
        except OSError:
            continue
    return count


def test_connections_stay_flat_under_load(tmp_path):
    db = tmp_path / "coach.sqlite3"
    send = in_process(db)

    def user(n: int) -> None:
        conv = Conversation(send, user_id=f"amzn1.ask.account.load-{n}")
        said = heard(conv, ["open recovery coach", "start a five minute recovery", "next", "next", "stop"])
        assert "saved your place" in said[-1]

    user(0)
    after_one = open_files(db)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(user, range(1, 81)))
    # two connections (one reads, one writes): the file and its WAL each, and the shared index
    assert open_files(db) == after_one <= 5
    assert "partway through your routine" in heard(talk_to(db, "amzn1.ask.account.load-40"), ["open recovery coach"])[0]


def test_a_turn_reads_while_a_batch_is_being_written(tmp_path):
    """The server's writer thread holds a write transaction open while it writes a batch;
    a turn's read must not wait for it (reads have a connection of their own, and WAL
    lets them see the last committed data meanwhile)."""
    store = SQLiteStore(tmp_path / "coach.sqlite3")
    store.put("amzn1.ask.account.reader", {"visits": 3})
    in_batch, finish = threading.Event(), threading.Event()

    def slow_batch(db):
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE attributes SET data = '{\"visits\": 4}' WHERE user_id = 'amzn1.ask.account.reader'")
        in_batch.set()
        finish.wait(10)
        db.execute("COMMIT")

    writer = threading.Thread(target=store._retried, args=(slow_batch,))
    writer.start()
    try:
        assert in_batch.wait(10)
        with ThreadPoolExecutor(1) as pool:
            read = pool.submit(store.get, "amzn1.ask.account.reader")
            assert read.result(timeout=5)["visits"] == 3  # answered while the batch is open
    finally:
        finish.set()
        writer.join()
    assert store.get("amzn1.ask.account.reader")["visits"] == 4
