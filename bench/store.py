"""Store benchmark: what keeping per-user data costs a turn.

1. p99 turn latency (until the answer is ready; the save after it timed apart) through
   `Skill.respond` with the SQLite store against an in-memory store, each recorded envelope
   answered by both in rotating order (goal: at most 1.2x), and with DynamoDB on moto's
   server for context; and how many of a conversation's turns write.
2. Writes per second of the SQLite store behind gunicorn with 2 workers, driven by wrk:
   every request a LaunchRequest from a new user (one read, one write), against GET /health.
3. Writes per second of the versioned writes (conditional on the version read, merged when
   refused) against the unconditional upsert every release before them used, on the same
   kind of file, in batches as the server's writer makes them, in rotating order.
4. Cold import of the Lambda entry against an ask-sdk-core hello-world skill (goal: at
   most 1.3x), each in a fresh interpreter.
Load goes to 127.0.0.1 only, bounded in time and count."""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "alexa")]

from alexa_skill import answering, p99, recorded_conversations, timed_turns  # noqa: E402
from load import LOAD_SECONDS, WRK_CONNECTIONS, WRK_THREADS, loaded, serve, stop  # noqa: E402
from storekit import AWS_ENV, MotoServer, free_port  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.alexa.adapter import Skill  # noqa: E402
from skill.coach.kept import merge  # noqa: E402
from skill.sim.chat import DEV_SKILL_ID, Conversation, envelope, intent_request, match  # noqa: E402
from skill.store.base import MemoryStore, Store, Write  # noqa: E402
from skill.store.sqlite import SQLiteStore, _transaction  # noqa: E402
from skill.store.write_behind import WriteBehind  # noqa: E402

CONVERSATION = [
    "open recovery coach",
    "I don't have a foam roller",
    "start a ten minute recovery",
    "what's next",
    "next",
    "pause",
    "resume",
    "how much is left",
    "go back",
    "next",
    "how do I do hip circles",
    "next",
    "repeat",
    "help",
    "what's in my routine",
    "next",
    "give me a tip",
    "next",
    "next",
    "next",
    "next",
    "what have I done this week",
    "start over",
    "next",
    "next",
    "stop",
]
ROUNDS = 40
DYNAMO_ROUNDS = 4
IMPORTS = 7
WRITE_USERS, WRITE_BATCH, WRITE_ROUNDS = 2000, 20, 5


class Counting(Store):
    """Counts the writes a store is asked for."""

    def __init__(self, inner: Store):
        self.inner, self.faults, self.writes = inner, inner.faults, 0

    def get(self, uid):
        return self.inner.get(uid)

    def save_many(self, writes):
        self.writes += len(writes)
        return self.inner.save_many(writes)

    def delete(self, uid):
        self.inner.delete(uid)


def conversation(skill: Skill, user: str, times: list[float]) -> None:
    def send(doc):
        t = time.perf_counter()
        out = skill.respond(doc)
        times.append(time.perf_counter() - t)
        return 200, out

    conv = Conversation(send, user_id=user)
    for typed in CONVERSATION:
        m = match(typed)
        conv.request(intent_request(m), new_session=m.new_session)


def latency(tmp: Path) -> str:
    sqlite, memory = Counting(SQLiteStore(tmp / "latency.sqlite3")), Counting(MemoryStore())
    docs = recorded_conversations(tmp, CONVERSATION, ROUNDS)
    times = timed_turns(
        {
            "SQLite": answering(Skill(store=WriteBehind(sqlite), skill_id=DEV_SKILL_ID)),
            "memory": answering(Skill(store=memory, skill_id=DEV_SKILL_ID)),
        },
        docs,
    )
    rows = [
        f"| {name} | {statistics.median(times[name]) * 1000:.2f} ms | {p99(times[name]) * 1000:.2f} ms |"
        for name in ("SQLite", "memory")
    ]
    dynamo = dynamo_latency()
    if dynamo:
        rows.append(
            f"| DynamoDB on moto (context; saving before the answer) | {statistics.median(dynamo) * 1000:.2f} ms | "
            f"{p99(dynamo) * 1000:.2f} ms |"
        )
    ratio = p99(times["SQLite"]) / p99(times["memory"])
    stop = [(d["request"].get("intent") or {}).get("name") == "AMAZON.StopIntent" for d in docs]
    others = {name: [t for t, s in zip(times[name], stop, strict=True) if not s] for name in times}
    stops = {name: statistics.median(t for t, s in zip(times[name], stop, strict=True) if s) for name in times}
    others_ratio = p99(others["SQLite"]) / p99(others["memory"])
    return (
        f"{ROUNDS} rounds of a {len(CONVERSATION)}-turn conversation (launch, a preference, a 10-minute routine with "
        "pause, resume, back, questions, tips, the week's history), recorded from the chat simulator, then answered "
        "through `Skill.respond` by the skill with the SQLite store and with the in-memory one, each envelope by both "
        "in rotating order (SQLite through the server's batched writer). A turn is timed until its answer is ready, "
        "its save handed to the store included. DynamoDB (the Lambda's store, which saves before answering): "
        f"{DYNAMO_ROUNDS} rounds against moto's server over HTTP.\n\n"
        "| store | median turn | p99 turn |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        f"p99 with SQLite is **{ratio:.2f}x** the in-memory store's (goal: at most 1.2x). The stop "
        '("I\'ve saved your place") waits for its write to land, so that it is said only when true: '
        f"its median is {stops['SQLite'] * 1000:.2f} ms with SQLite against {stops['memory'] * 1000:.2f} ms in "
        f"memory, and it is {sum(stop)} of {len(stop)} turns, more than the 1% p99 leaves out. Without the stops, "
        f"p99 with SQLite is **{others_ratio:.2f}x** the in-memory store's. "
        f"Writes: {sqlite.writes // ROUNDS} of {len(CONVERSATION)} turns write (only when something worth keeping "
        "changed: a visit, a preference, the place, a tip, a finished routine)."
    )


def dynamo_latency() -> list[float]:
    moto = MotoServer().start()
    saved = {k: os.environ.get(k) for k in [*AWS_ENV, "AWS_ENDPOINT_URL_DYNAMODB"]}
    try:
        os.environ.update({**AWS_ENV, "AWS_ENDPOINT_URL_DYNAMODB": moto.url})
        import boto3

        from skill.store.dynamo import DynamoStore, create_table

        table = f"bench-{uuid.uuid4().hex[:8]}"
        create_table(boto3.resource("dynamodb"), table)
        skill, times = Skill(store=DynamoStore(table), skill_id=DEV_SKILL_ID), []
        for r in range(DYNAMO_ROUNDS):
            conversation(skill, f"amzn1.ask.account.dyn{r}", times)
        return times
    finally:
        moto.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# Each request a LaunchRequest from a user never seen before: the envelope's user id has a
# counter of the wrk thread's own spliced in (the template holds USER_ID where it goes).
LAUNCHES_LUA = """
local template = %s
local n = 0
request = function()
  n = n + 1
  local body = template:gsub("USER_ID", string.format("amzn1.ask.account.%%s-%%d", tostring(wrk.thread):sub(-8), n))
  return wrk.format("POST", "/alexa", {["Content-Type"] = "application/json"}, body)
end
"""


def writes_per_second(tmp: Path) -> str:
    db, port = tmp / "gunicorn.sqlite3", free_port()
    env = {"RECOVERY_COACH_DEV": "1", "RECOVERY_COACH_DB": str(db), "RECOVERY_COACH_SKILL_ID": DEV_SKILL_ID}
    proc = serve("skill.server.app:create_app()", env, port)
    base = f"http://127.0.0.1:{port}"
    doc = envelope({"type": "LaunchRequest"}, session_id="s", new=True, attributes={}, user_id="USER_ID")
    lua = tmp / "launches.lua"
    lua.write_text(LAUNCHES_LUA % json.dumps(json.dumps(doc)))
    try:
        health, writes = loaded(proc.pid, base + "/health"), loaded(proc.pid, base + "/alexa", lua)
    finally:
        stop(proc)
    with sqlite3.connect(db) as c:
        (kept,) = c.execute("SELECT count(*) FROM attributes").fetchone()
    return (
        f"gunicorn with deploy/gunicorn.conf.py (2 gthread workers), dev mode, driven by wrk ({WRK_THREADS} threads, "
        f"{WRK_CONNECTIONS} connections, {LOAD_SECONDS} s; a run in which one worker sat idle is done again, "
        "bench/load.py) on 127.0.0.1; each POST is a LaunchRequest from a new "
        "user: one read and one write of the SQLite store (the write after the answer is sent).\n\n"
        "| endpoint | requests/s | requests | errors |\n| --- | --- | --- | --- |\n"
        f"| GET /health (baseline) | {health.rps:.0f} | {health.requests} | {health.errors} |\n"
        f"| POST /alexa, one write each | {writes.rps:.0f} | {writes.requests} | {writes.errors} |\n\n"
        f"**{writes.rps:.0f} writes/s** ({writes.rps / health.rps:.2f}x the requests per second of /health); "
        f"rows kept afterwards: {kept}, for the {writes.requests} answers wrk counted in its window (requests "
        "still in flight when it stopped were answered and saved too)."
    )


HELLO = """
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
class Hello(AbstractRequestHandler):
    def can_handle(self, handler_input): return True
    def handle(self, handler_input): return handler_input.response_builder.speak("Hello World").response
sb = SkillBuilder(); sb.add_request_handler(Hello()); skill = sb.create()
"""


def cold_import(tmp: Path) -> str:
    env = {**os.environ, "RECOVERY_COACH_DB": str(tmp / "lambda.sqlite3"), "PYTHONPATH": ""}
    env.pop("RECOVERY_COACH_DYNAMODB_TABLE", None)
    cases = {"Lambda entry (`import lambda_function`)": "import lambda_function", "hello world": HELLO}
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(IMPORTS):
        for name, code in cases.items():
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT / "deploy" / "lambda", env=env, check=True)
            times[name].append(time.perf_counter() - t)
    ours, hello = (statistics.median(t) for t in times.values())
    return (
        f"A fresh interpreter imports the Lambda entry (which builds the skill and opens its store, as Lambda's "
        f"init phase does) against one that builds an ask-sdk-core hello-world skill; medians of {IMPORTS}.\n\n"
        "| cold start | median |\n| --- | --- |\n"
        f"| hello world (baseline) | {hello * 1000:.0f} ms |\n| Lambda entry | {ours * 1000:.0f} ms |\n\n"
        f"The Lambda entry's cold import is **{ours / hello:.2f}x** the hello world's (goal: at most 1.3x)."
    )


# What every release before versions wrote: the whole record, whatever was there.
UNCONDITIONAL = (
    "INSERT INTO attributes (user_id, data, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT(user_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at"
)
SAMPLE_KEPT = {
    "v": 3,
    "visits": 12,
    "tips": 3,
    "prefs": {"roller": False, "minutes": 15, "cardio": "cycling"},
    "pos": {"v": 1, "plan": [15, "full", 1], "at": [4, 0], "state": "paused"},
    "pos_at": 1_795_000_000,
    "history": [[f"2026-11-{d:02d}", 15, "full", f"{d:08x}"] for d in range(1, 11)],
    "changed": {"place": [1_795_000_000, 9], "prefs.cardio": [1_794_000_000, 2]},
}


def _unconditional(path: Path) -> float:
    """Today's put_many before versions, through the same store: each row encoded, one
    executemany of the upsert per batch, in the store's transaction and lock handling."""
    store = SQLiteStore(path)
    users = [f"user-{n}" for n in range(WRITE_USERS)]
    started = time.perf_counter()
    for i in range(0, WRITE_USERS, WRITE_BATCH):
        rows = [(uid, json.dumps(SAMPLE_KEPT, separators=(",", ":")), 0) for uid in users[i : i + WRITE_BATCH]]
        store._retried(lambda db, rows=rows: _transaction(db, lambda: db.executemany(UNCONDITIONAL, rows)))
    took = time.perf_counter() - started
    store.close()
    return took


def _versioned(path: Path, case: str) -> float:
    store = SQLiteStore(path)
    rev = {"new users": None, "the version read": [1, 0], "refused, read, merged": [1, 0]}[case]
    if rev is not None:  # the rows are there (version 1); for a refused write, another write came between
        for bump in range(2 if case == "refused, read, merged" else 1):
            store.save_many([Write(f"user-{n}", {**SAMPLE_KEPT, "rev": [bump, 0]}) for n in range(WRITE_USERS)])
    data = {**SAMPLE_KEPT, "rev": rev} if rev else SAMPLE_KEPT
    writes = [Write(f"user-{n}", data, merge) for n in range(WRITE_USERS)]
    started = time.perf_counter()
    for i in range(0, WRITE_USERS, WRITE_BATCH):
        store.save_many(writes[i : i + WRITE_BATCH])
    took = time.perf_counter() - started
    store.close()
    return took


def versioned_writes(tmp: Path) -> str:
    cases = ["unconditional", "new users", "the version read", "refused, read, merged"]
    times: dict[str, list[float]] = {c: [] for c in cases}
    for r in range(WRITE_ROUNDS):
        for k in range(len(cases)):
            case = cases[(r + k) % len(cases)]
            path = tmp / f"writes-{r}-{k}.sqlite3"
            times[case].append(_unconditional(path) if case == "unconditional" else _versioned(path, case))
    rate = {c: WRITE_USERS / statistics.median(t) for c, t in times.items()}
    merged = rate["refused, read, merged"] / rate["unconditional"]
    rows = [
        f"| versioned: {case} | {rate[case]:.0f} | {rate[case] / rate['unconditional']:.2f}x |" for case in cases[1:]
    ]
    return (
        f"{WRITE_USERS} users' kept data (about {len(json.dumps(SAMPLE_KEPT))} bytes each) written to a new SQLite "
        f"file in batches of {WRITE_BATCH}, one transaction each, as the server's writer does; medians of "
        f"{WRITE_ROUNDS} rounds, the cases in rotating order. Unconditional is the upsert of every release before "
        "versions; a versioned write is an `UPDATE ... WHERE version = ?` (an INSERT for a new user), and a "
        "refused one reads the row and writes the coach's merge, in the same transaction.\n\n"
        "| writes | writes/s | against unconditional |\n| --- | --- | --- |\n"
        f"| unconditional upsert (baseline) | {rate['unconditional']:.0f} | 1.00x |\n" + "\n".join(rows) + "\n\n"
        f"Versioned writes of the version read run at **{rate['the version read'] / rate['unconditional']:.2f}x** "
        f"the unconditional upsert's rate; refused and merged, **{merged:.2f}x**."
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parts = [latency(Path(tmp)), writes_per_second(Path(tmp)), versioned_writes(Path(tmp)), cold_import(Path(tmp))]
        body = "\n\n".join(parts)
    write_section("Store", body)


if __name__ == "__main__":
    main()
