"""Store benchmark (issue 11): what keeping per-user data costs a turn.

1. p99 turn latency through `Skill.respond` with the SQLite store against an in-memory
   store, interleaved in the same run (goal: at most 1.2x), and with DynamoDB on moto's
   server for context; and how many of a conversation's turns write.
2. Writes per second of the SQLite store behind gunicorn with 2 workers: every request a
   LaunchRequest from a new user (one read, one write), against GET /health.
3. Cold import of the Lambda entry against an ask-sdk-core hello-world skill (goal: at
   most 1.3x), each in a fresh interpreter.
Load goes to 127.0.0.1 only, bounded in time and count."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "alexa")]

from storekit import AWS_ENV, MotoServer, free_port  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.alexa.adapter import Skill  # noqa: E402
from skill.alexa.chat import DEV_SKILL_ID, Conversation, envelope, intent_request, match  # noqa: E402
from skill.alexa.store import MemoryStore, SQLiteStore, Store  # noqa: E402

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
LOAD_SECONDS = 4.0
LOAD_THREADS = 4
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


def p99(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.99) - 1)]


def latency(tmp: Path) -> str:
    sqlite, memory = Counting(SQLiteStore(tmp / "latency.sqlite3")), Counting(MemoryStore())
    skills = {
        "SQLite": Skill(store=sqlite, skill_id=DEV_SKILL_ID),
        "memory": Skill(store=memory, skill_id=DEV_SKILL_ID),
    }
    times: dict[str, list[float]] = {name: [] for name in skills}
    for r in range(ROUNDS):  # interleaved, so drift on a noisy machine hits both alike
        for name, skill in skills.items():
            conversation(skill, f"amzn1.ask.account.bench{r}", times[name])
    rows = [f"| {name} | {statistics.median(t) * 1000:.2f} ms | {p99(t) * 1000:.2f} ms |" for name, t in times.items()]
    dynamo = dynamo_latency()
    if dynamo:
        rows.append(
            f"| DynamoDB on moto (context) | {statistics.median(dynamo) * 1000:.2f} ms | {p99(dynamo) * 1000:.2f} ms |"
        )
    ratio = p99(times["SQLite"]) / p99(times["memory"])
    return (
        f"{ROUNDS} rounds of a {len(CONVERSATION)}-turn conversation (launch, a preference, a 10-minute routine with "
        "pause, resume, back, questions, tips, the week's history) through `Skill.respond`, the SQLite and in-memory "
        f"stores interleaved; DynamoDB: {DYNAMO_ROUNDS} rounds against moto's server over HTTP.\n\n"
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

        from skill.alexa.dynamo import DynamoStore, create_table

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


def _load(url: str, body_for, threads: int = LOAD_THREADS) -> tuple[float, int, int]:
    counts, errors = [0] * threads, [0] * threads
    stop = time.perf_counter() + LOAD_SECONDS

    def client(i):
        while time.perf_counter() < stop:
            body = body_for()
            req = urllib.request.Request(url, data=body, method="POST" if body else "GET")
            req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    r.read()
                counts[i] += 1
            except OSError:
                errors[i] += 1

    start = time.perf_counter()
    pool = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - start), sum(counts), sum(errors)


def writes_per_second(tmp: Path) -> str:
    db, port = tmp / "gunicorn.sqlite3", free_port()
    app = f"skill.alexa.app:create_app(dev=True, skill_id='{DEV_SKILL_ID}', db_path='{db}')"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "error", app],
        cwd=ROOT,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # wait (bounded) until the workers answer
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)

        def launch() -> bytes:
            doc = envelope(
                {"type": "LaunchRequest"},
                session_id="s",
                new=True,
                attributes={},
                user_id=f"amzn1.ask.account.{uuid.uuid4().hex}",
            )
            return json.dumps(doc).encode()

        health, h_n, _ = _load(base + "/health", lambda: None)
        writes, w_n, w_err = _load(base + "/alexa", launch)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    kept = len(SQLiteStore(db)._run("SELECT user_id FROM attributes", ()))
    return (
        f"gunicorn, 2 sync workers, dev mode, {LOAD_THREADS} client threads for {LOAD_SECONDS:g} s on 127.0.0.1; "
        "each POST is a LaunchRequest from a new user: one read and one write of the SQLite store.\n\n"
        "| endpoint | requests/s | requests | errors |\n| --- | --- | --- | --- |\n"
        f"| GET /health (baseline) | {health:.0f} | {h_n} | 0 |\n"
        f"| POST /alexa, one write each | {writes:.0f} | {w_n} | {w_err} |\n\n"
        f"**{writes:.0f} writes/s** ({writes / health:.2f}x the requests per second of /health); "
        f"rows kept afterwards: {kept} of {w_n} answered launches."
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
    write_section("Store (issue 11)", body)


if __name__ == "__main__":
    main()
