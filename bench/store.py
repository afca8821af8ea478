"""Store benchmark: what keeping per-user data costs a turn.

1. p99 turn latency (until the answer is ready; the save after it timed apart) through
   `Skill.respond` with the SQLite store against an in-memory store, each recorded envelope
   answered by both in rotating order (goal: at most 1.2x), and with DynamoDB on moto's
   server for context; and how many of a conversation's turns write.
2. Writes per second of the SQLite store behind gunicorn with 2 workers, driven by wrk:
   every request a LaunchRequest from a new user (one read, one write), against GET /health.
3. Cold import of the Lambda entry against an ask-sdk-core hello-world skill (goal: at
   most 1.3x), each in a fresh interpreter.
Load goes to 127.0.0.1 only, bounded in time and count."""

from __future__ import annotations

import json
import os
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
from skill.sim.chat import DEV_SKILL_ID, Conversation, envelope, intent_request, match  # noqa: E402
from skill.store.base import MemoryStore, Store  # noqa: E402
from skill.store.sqlite import SQLiteStore  # noqa: E402
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


class Counting(Store):
    """Counts the writes a store is asked for."""

    def __init__(self, inner: Store):
        self.inner, self.faults, self.writes = inner, inner.faults, 0

    def get(self, uid):
        return self.inner.get(uid)

    def put(self, uid, data):
        self.writes += 1
        self.inner.put(uid, data)

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
    return (
        f"{ROUNDS} rounds of a {len(CONVERSATION)}-turn conversation (launch, a preference, a 10-minute routine with "
        "pause, resume, back, questions, tips, the week's history), recorded from the chat simulator, then answered "
        "through `Skill.respond` by the skill with the SQLite store and with the in-memory one, each envelope by both "
        "in rotating order (SQLite through the server's batched writer). A turn is timed until its answer is ready, "
        "its save handed to the store included. DynamoDB (the Lambda's store, which saves before answering): "
        f"{DYNAMO_ROUNDS} rounds against moto's server over HTTP.\n\n"
        "| store | median turn | p99 turn |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        f"p99 with SQLite is **{ratio:.2f}x** the in-memory store's (goal: at most 1.2x). "
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
    kept = len(SQLiteStore(db)._run("SELECT user_id FROM attributes", ()))
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        body = "\n\n".join([latency(Path(tmp)), writes_per_second(Path(tmp)), cold_import(Path(tmp))])
    write_section("Store", body)


if __name__ == "__main__":
    main()
