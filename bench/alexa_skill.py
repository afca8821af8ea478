"""Alexa skill benchmark, every figure a ratio to a baseline measured in the same run:
in-process turn latency (with the SQLite store and with an in-memory one) against an
ask-sdk-core hello-world skill answering the same envelopes; POST /alexa (verification on
with the test CA, and dev mode) against GET /health under gunicorn with 2 workers, driven by
`wrk` (Debian package; `make bench` installs it); cold import of the skill core and of the
app against the hello-world skill's imports; the first request's latency after start.
Load goes to 127.0.0.1 only, bounded in time."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "alexa")]

import load  # noqa: E402  (bench/load.py: gunicorn and wrk)
from ask_sdk_core.dispatch_components import AbstractRequestHandler  # noqa: E402
from ask_sdk_core.serialize import DefaultSerializer  # noqa: E402
from ask_sdk_core.skill_builder import SkillBuilder  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from storekit import free_port  # noqa: E402
from testca import make_ca  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.alexa.adapter import Skill  # noqa: E402
from skill.sim.chat import DEV_SKILL_ID, Conversation, envelope, intent_request, match  # noqa: E402
from skill.store.base import MemoryStore  # noqa: E402
from skill.store.sqlite import SQLiteStore  # noqa: E402
from skill.store.write_behind import WriteBehind  # noqa: E402

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
ROUNDS = 100  # x 30 turns = 3,000 turns
PASSES = 5
IMPORT_RUNS = 21
SERVERS = (("verification on (test CA)", False), ("dev mode", True))
USERS = 64  # distinct users the throughput POSTs come from


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


def p99(xs):
    return sorted(xs)[int(len(xs) * 0.99) - 1]


def latency_rows(label: str, ours: list[list[float]], base: list[list[float]]) -> list[str]:
    """Median and p99 table rows: ours, the hello world's, and their ratio, each the median
    over the passes (one pass's p99 moves with whatever else the machine did meanwhile)."""

    def over_passes(stat: Callable[[list[float]], float]) -> tuple[float, float, float]:
        mine, theirs = [stat(p) for p in ours], [stat(p) for p in base]
        ratios = [m / b for m, b in zip(mine, theirs, strict=True)]
        return statistics.median(mine), statistics.median(theirs), statistics.median(ratios)

    med, b_med, r_med = over_passes(statistics.median)
    tail, b_tail, r_tail = over_passes(p99)
    return [
        f"| median, {label} | {med * 1000:.3f} ms | {b_med * 1000:.3f} ms | {r_med:.2f}x |",
        f"| p99, {label} | {tail * 1000:.3f} ms | {b_tail * 1000:.3f} ms | **{r_tail:.2f}x** |",
    ]


def recorded_conversations(tmp: Path, conversation: list[str] = CONVERSATION, rounds: int = ROUNDS) -> list[dict]:
    """Every envelope of ROUNDS conversations, as the chat simulator sends them to a skill
    of its own: the timed skills then answer the very same requests in the same order, so
    their stores see the same visits and places the recording's did."""
    recorder, sent = Skill(tmp / "recording.sqlite3", skill_id=DEV_SKILL_ID), []

    def send(doc):
        sent.append(json.loads(json.dumps(doc)))
        return 200, recorder.respond(doc)

    for r in range(rounds):
        conv = Conversation(send, user_id=f"amzn1.ask.account.bench{r}")
        for typed in conversation:
            m = match(typed)
            conv.request(intent_request(m), new_session=m.new_session)
    return sent


def timed_turns(sides: dict[str, Callable[[dict], object]], docs: list[dict]) -> dict[str, list[float]]:
    """Each envelope answered by every side in turn, the order rotating from one envelope
    to the next, so all meet the same states of the machine's caches and clock. A turn is
    timed until its answer is ready, its save handed to the store included. Before each
    turn the loop lets go of the interpreter once, as a server's thread does while it reads
    the next request from its socket: the batched writer thread writes then, as it does in
    the server, rather than being let in by force in the middle of a turn."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides.items())
    for i, doc in enumerate(docs):
        for name, answer in order[i % len(order) :] + order[: i % len(order)]:
            mine = json.loads(json.dumps(doc))  # respond() may tidy what it is given: each its own
            time.sleep(0)  # the socket read between requests, where other threads run
            t = time.perf_counter()
            answer(mine)
            times[name].append(time.perf_counter() - t)
    return times


def answering(skill: Skill) -> Callable[[dict], object]:
    """The skill answering as the server has it answer (its save handed to its store)."""
    return skill.respond


def turn_latency(tmp: Path) -> str:
    docs = recorded_conversations(tmp)
    passes: dict[str, list[list[float]]] = {"sqlite": [], "memory": [], "hello": []}
    for n in range(PASSES):  # each pass with skills and stores of its own, as a fresh process has
        sqlite = Skill(store=WriteBehind(SQLiteStore(tmp / f"latency{n}.sqlite3")), skill_id=DEV_SKILL_ID)
        memory = Skill(skill_id=DEV_SKILL_ID, store=MemoryStore())
        sides = {"sqlite": answering(sqlite), "memory": answering(memory), "hello": hello_world()}
        for name, times in timed_turns(sides, docs).items():
            passes[name].append(times)
    rows = [
        "| in-process turn | Recovery Coach | ask-sdk-core hello world | ratio |",
        "| --- | --- | --- | --- |",
        *latency_rows("SQLite store", passes["sqlite"], passes["hello"]),
        *latency_rows("in-memory store", passes["memory"], passes["hello"]),
    ]
    worst = [p99(p) for p in passes["memory"]], [p99(p) for p in passes["hello"]]
    spread = sorted(m / h for m, h in zip(*worst, strict=True))
    pairs = zip(passes["sqlite"], passes["memory"], strict=True)
    sqlite_vs_memory = statistics.median(p99(s) / p99(m) for s, m in pairs)
    return (
        f"{ROUNDS} rounds of a {len(CONVERSATION)}-turn conversation ({len(docs)} turns: launch, a "
        "10-minute routine with pause, resume, back, questions, tips), recorded from the chat simulator, "
        "then answered through `Skill.respond` (parsed envelope in, response dict out) by the skill saving "
        "to SQLite through the server's batched writer, by the skill saving to a dict, and by the hello-world "
        "skill (the SDK's own Lambda path: JSON text to models, its handler, models to a dict), each envelope "
        "by all three, in rotating order, the interpreter let go between turns as a server's thread does "
        f"while it reads the next request; {PASSES} passes, each with fresh skills and stores, and every "
        "figure the median over the passes. A turn is timed until its answer is ready, its save handed to "
        "the store included.\n\n" + "\n".join(rows) + "\n\n"
        f"The in-memory p99 ratio of each pass, lowest to highest: {', '.join(f'{r:.2f}x' for r in spread)}. "
        f"p99 with SQLite is {sqlite_vs_memory:.2f}x the in-memory store's."
    )


def launches() -> list[bytes]:
    """LaunchRequests from USERS users, stamped now: each is read and saved, as real traffic is."""
    return [
        json.dumps(
            envelope(
                {"type": "LaunchRequest"},
                session_id=f"amzn1.echo-api.session.bench-{n}",
                new=True,
                attributes={},
                user_id=f"amzn1.ask.account.bench-{n}",
                skill_id=DEV_SKILL_ID,
            )
        ).encode()
        for n in range(USERS)
    ]


def post_headers(ca, body: bytes, dev: bool) -> dict[str, str]:
    return {"Content-Type": "application/json"} if dev else ca.headers(body)


def throughput(tmp: Path) -> str:
    ca = make_ca()
    (tmp / "chain.pem").write_bytes(ca.chain_pem)
    (tmp / "root.pem").write_bytes(ca.root_pem())
    rows = []
    for label, dev in SERVERS:
        port = free_port()
        env = {
            "BENCH_CA_DIR": str(tmp),
            "RECOVERY_COACH_SKILL_ID": DEV_SKILL_ID,
            "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
            "BENCH_DEV": "1" if dev else "",
        }
        proc = load.serve("alexa_wsgi:app", env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            first = launches()[0]
            check = urllib.request.Request(base + "/alexa", data=first, headers=post_headers(ca, first, dev))
            assert "Recovery Coach" in urllib.request.urlopen(check, timeout=10).read().decode()

            def script(dev: bool = dev) -> Path:  # made for each pair: fresh timestamps and signatures
                posts = [(body, post_headers(ca, body, dev)) for body in launches()]
                return load.post_script(tmp, "dev" if dev else "signed", posts)

            rows.append(load.compare(proc.pid, base, script).row(label))
        finally:
            load.stop(proc)
    return (
        f"gunicorn with deploy/gunicorn.conf.py (2 gthread workers), driven by wrk ({load.WRK_THREADS} threads, "
        f"{load.WRK_CONNECTIONS} connections, {load.LOAD_SECONDS} s a run) on 127.0.0.1 of the same 2 cores; "
        f"the POSTs are LaunchRequests from {USERS} users in turn (signature checked when on, SQLite read and "
        "save, the saves written in batches as the server does). "
        f"/health and /alexa runs alternate, {load.PAIRS} pairs; the ratio is POST /alexa to GET /health "
        "requests per second, the median of the pairs' (req/s columns: medians). A run in which one worker "
        "sat idle (wrk's connections all went to the other, bench/load.py) is done again and counted. Worker "
        "CPU per request (user + system, medians) is the capacity each request takes once the cores are "
        "busy.\n\n" + load.HEADER + "\n" + "\n".join(rows)
    )


HELLO_IMPORTS = "import ask_sdk_core.skill_builder, ask_sdk_core.dispatch_components, ask_sdk_model"
IMPORT_CODE = "import time; t = time.perf_counter(); {imports}; print(time.perf_counter() - t)"
FIRST_CODE = """
import json, sys, time, tempfile
t0 = time.perf_counter()
from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID, envelope, intent_request, match
app = create_app(dev=True, db_path=tempfile.mkdtemp() + "/first.sqlite3").test_client()
t1 = time.perf_counter()
doc = envelope({"type": "LaunchRequest"}, session_id="s", new=True, attributes={}, user_id="u")
app.post("/alexa", json=doc)
t2 = time.perf_counter()
doc = envelope(intent_request(match("start a ten minute recovery")), session_id="s", new=False,
               attributes={}, user_id="u")
t2b = time.perf_counter()  # the chat simulator's matching above is not the skill's time
app.post("/alexa", json=doc)
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2b]))
"""


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout


def cold_start() -> str:
    # Byte-compiled first, as a wheel install or a Lambda package is (the hello world's are, by pip).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "content", "speech", "skill"], cwd=ROOT, check=True)
    runs: dict[str, list[float]] = {HELLO_IMPORTS: [], "import skill.alexa.adapter": [], "import skill.server.app": []}
    for _ in range(IMPORT_RUNS):  # alternated, so a slow spell of the machine falls on every side
        for imports, times in runs.items():
            times.append(float(_python(IMPORT_CODE.format(imports=imports))))
    # The fastest of each, as timeit reports (an import's own cost, without the machine's
    # spells); and the median of each run's ratio to the hello world's run beside it, which
    # one lucky run of either cannot move (the fastest alone swung 1.02x-1.40x on one day).
    hello, core, app = (min(times) for times in runs.values())
    hello_runs, core_runs, app_runs = runs.values()
    core_pairs = statistics.median(c / h for c, h in zip(core_runs, hello_runs, strict=True))
    app_pairs = statistics.median(a / h for a, h in zip(app_runs, hello_runs, strict=True))
    firsts = [json.loads(_python(FIRST_CODE)) for _ in range(IMPORT_RUNS)]
    start, launch, routine = (statistics.median(f[i] for f in firsts) for i in range(3))
    return (
        f"Fresh interpreters, byte-compiled sources; imports: {IMPORT_RUNS} alternated runs, the fastest of each "
        f"and the median of the runs' ratios to the hello world's run beside them; first requests: medians of "
        f"{IMPORT_RUNS}.\n\n"
        "| cold start | fastest | ratio of the fastest | median of paired ratios |\n| --- | --- | --- | --- |\n"
        f"| import ask-sdk-core hello world (baseline) | {hello * 1000:.0f} ms | 1.00x | 1.00x |\n"
        f"| import skill.alexa.adapter (the skill core, a Lambda's path) | {core * 1000:.0f} ms | "
        f"{core / hello:.2f}x | **{core_pairs:.2f}x** |\n"
        f"| import skill.server.app (Flask, cryptography) | {app * 1000:.0f} ms | {app / hello:.2f}x | "
        f"{app_pairs:.2f}x |\n"
        f"| import + create_app (dev), median | {start * 1000:.0f} ms | {start / hello:.2f}x | |\n"
        f"| first request after start: LaunchRequest, median | {launch * 1000:.1f} ms | | |\n"
        f"| then the first routine (plan, script, SSML), median | {routine * 1000:.1f} ms | | |"
    )


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk; `make bench` installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        latency = turn_latency(Path(tmp))
        rps = throughput(Path(tmp))
    write_section("Alexa skill", latency + "\n\n" + rps + "\n\n" + cold_start())


if __name__ == "__main__":
    main()
