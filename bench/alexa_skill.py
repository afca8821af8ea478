"""Alexa skill benchmark: in-process turn latency against an ask-sdk-core hello-world skill,
and POST /alexa throughput under gunicorn (2 workers, verification on) against /health.

Both figures are ratios to a baseline measured in the same run. Load goes to 127.0.0.1 only,
bounded in time and count."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "alexa")]

from ask_sdk_core.dispatch_components import AbstractRequestHandler  # noqa: E402
from ask_sdk_core.serialize import DefaultSerializer  # noqa: E402
from ask_sdk_core.skill_builder import SkillBuilder  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from testca import make_ca  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.alexa.adapter import Skill  # noqa: E402
from skill.alexa.chat import DEV_SKILL_ID, Conversation, envelope, intent_request, match  # noqa: E402

CONVERSATION = [
    "open recovery coach",
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
    "start over",
    "next",
    "next",
    "next",
    "next",
    "next",
    "next",
    "next",
    "yes",
    "no",
]
ROUNDS = 12
LOAD_SECONDS = 4.0
LOAD_THREADS = 4
MAX_REQUESTS = 20_000


class HelloWorld(AbstractRequestHandler):
    """The ask-sdk-core hello-world skill: one handler that says hello."""

    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello World").set_should_end_session(False).response


def hello_world():
    sb = SkillBuilder()
    sb.add_request_handler(HelloWorld())
    sdk, ser = sb.create(), DefaultSerializer()
    return lambda doc: ser.serialize(sdk.invoke(ser.deserialize(json.dumps(doc), RequestEnvelope), None))


def turn_latency(tmp: Path) -> str:
    skill = Skill(tmp / "latency.sqlite3", skill_id=DEV_SKILL_ID)
    hello = hello_world()
    ours, base = [], []
    for r in range(ROUNDS):
        sent: list[dict] = []

        def send(doc, sent=sent):
            sent.append(doc)
            t = time.perf_counter()
            out = skill.respond(doc)
            ours.append(time.perf_counter() - t)
            return 200, out

        conv = Conversation(send, user_id=f"amzn1.ask.account.bench{r}")
        for typed in CONVERSATION:
            m = match(typed)
            conv.request(intent_request(m), new_session=m.new_session)
        for doc in sent:
            t = time.perf_counter()
            hello(doc)
            base.append(time.perf_counter() - t)

    def p99(xs):
        return sorted(xs)[int(len(xs) * 0.99) - 1]

    med, b_med = statistics.median(ours), statistics.median(base)
    rows = [
        "| in-process turn | Recovery Coach | ask-sdk-core hello world | ratio |",
        "| --- | --- | --- | --- |",
        f"| median | {med * 1000:.2f} ms | {b_med * 1000:.2f} ms | {med / b_med:.1f}x |",
        f"| p99 | {p99(ours) * 1000:.2f} ms | {p99(base) * 1000:.2f} ms | {p99(ours) / p99(base):.1f}x |",
    ]
    return (
        f"{ROUNDS} rounds of a {len(CONVERSATION)}-turn conversation (launch, a 10-minute routine with "
        f"pause, resume, back, questions, tips) through `Skill.respond` (JSON in, JSON out, SQLite "
        f"save each turn); the baseline answers the same envelopes.\n\n" + "\n".join(rows)
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load(url: str, body: bytes | None, headers: dict) -> tuple[float, int, int]:
    """Requests per second from LOAD_THREADS clients for LOAD_SECONDS (capped at MAX_REQUESTS)."""
    counts, errors = [0] * LOAD_THREADS, [0] * LOAD_THREADS
    stop = time.perf_counter() + LOAD_SECONDS

    def client(i):
        while time.perf_counter() < stop and sum(counts) < MAX_REQUESTS:
            req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    r.read()
                counts[i] += 1
            except Exception:
                errors[i] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start), sum(counts), sum(errors)


def throughput(tmp: Path) -> str:
    ca = make_ca()
    (tmp / "chain.pem").write_bytes(ca.chain_pem)
    (tmp / "root.pem").write_bytes(ca.root_pem())
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_CA_DIR": str(tmp),
        "RECOVERY_COACH_SKILL_ID": DEV_SKILL_ID,
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "alexa_wsgi:app"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # wait (bounded) until both workers can answer
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        doc = envelope(
            {"type": "LaunchRequest"},
            session_id="amzn1.echo-api.session.bench",
            new=True,
            attributes={},
            user_id="amzn1.ask.account.bench",
            skill_id=DEV_SKILL_ID,
        )
        body = json.dumps(doc).encode()
        headers = ca.headers(body)
        check = urllib.request.urlopen(urllib.request.Request(base + "/alexa", data=body, headers=headers), timeout=10)
        assert "Recovery Coach" in check.read().decode(), "the signed request must be answered"
        health, h_n, h_err = _load(base + "/health", None, {})
        alexa, a_n, a_err = _load(base + "/alexa", body, headers)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    return (
        f"gunicorn, 2 sync workers, verification on (test CA, chain cached after the first request), "
        f"{LOAD_THREADS} client threads for {LOAD_SECONDS:g} s each on 127.0.0.1; every POST is a signed "
        f"LaunchRequest (signature checked, SQLite save).\n\n"
        "| endpoint | requests/s | requests | errors |\n| --- | --- | --- | --- |\n"
        f"| GET /health (baseline) | {health:.0f} | {h_n} | {h_err} |\n"
        f"| POST /alexa | {alexa:.0f} | {a_n} | {a_err} |\n\n"
        f"POST /alexa runs at **{alexa / health:.2f}x** the requests per second of /health."
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        latency = turn_latency(Path(tmp))
        rps = throughput(Path(tmp))
    write_section("Alexa skill", latency + "\n\n" + rps)


if __name__ == "__main__":
    main()
