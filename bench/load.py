"""Requests per second under gunicorn (deploy/gunicorn.conf.py, 2 workers), driven by `wrk`
(Debian package; `make bench` installs it) on 127.0.0.1: POST /alexa against GET /health.

Two things move single runs here, and each run is checked for them:
- wrk opens its connections once, at the start of a run, and a gthread worker keeps the
  connections it accepted. Now and then one worker accepts all of them and the other idles
  for the whole run (seen: worker CPU split 432 to 0 ticks, 41% of the machine idle,
  throughput halved). Such a run measures that accept race, not the server: it is done
  again (at most RETRIES times) and counted.
- Other work on these 2 shared cores moved single runs by 2x. So /health and /alexa runs
  alternate, PAIRS times, and the headline is the median of each pair's ratio. Beside it,
  the workers' CPU time per request (user + system, from /proc), whose ratio is the
  capacity ratio once the cores are saturated, whatever the split.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_SECONDS = 4
WRK_THREADS, WRK_CONNECTIONS = 2, 16
PAIRS = 5  # alternated /health and /alexa runs per server (a pair's ratio swings by ±0.08 here)
RETRIES = 3  # runs done again at most, per measurement, when one worker sat idle
LOPSIDED = 0.2  # a worker with less than this share of the workers' CPU in a run sat (nearly) idle


@dataclass
class Run:
    rps: float
    requests: int
    errors: int  # non-2xx answers and socket errors
    cpu_per_request: float  # seconds of worker CPU (all workers, user + system)
    redone: int  # lopsided runs before this one


def wrk(url: str, lua: Path | None = None) -> tuple[float, int, int]:
    """Requests/s, requests and non-2xx answers (plus socket errors) from wrk."""
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{LOAD_SECONDS}s", url]
    if lua:
        cmd[1:1] = ["-s", str(lua)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=LOAD_SECONDS + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    n = int(re.search(r"(\d+) requests in", out).group(1))
    bad = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, n, bad


POSTS_LUA = """
local bodies = {%s}
local headers = {%s}
local requests, i = {}, 0
init = function(args)
  for k = 1, #bodies do requests[k] = wrk.format("POST", nil, headers[k], bodies[k]) end
end
request = function()
  i = i %% #requests + 1
  return requests[i]
end
"""


def post_script(tmp: Path, name: str, posts: list[tuple[bytes, dict]]) -> Path:
    """A wrk script sending the POSTs in turn, each request made once per wrk thread
    (in init), so wrk spends no more on a POST than on a GET. (JSON string literals are
    Lua ones too, for ASCII bodies.)"""
    bodies = ", ".join(json.dumps(body.decode("ascii")) for body, _ in posts)
    tables = ("{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in h.items()) + "}" for _, h in posts)
    path = tmp / f"{name}.lua"
    path.write_text(POSTS_LUA % (bodies, ", ".join(tables)))
    return path


def worker_cpu(arbiter: int) -> dict[int, float]:
    """CPU seconds (user + system, every thread) used so far by each child of `arbiter`."""
    tick, used = os.sysconf("SC_CLK_TCK"), {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == arbiter:  # fields after the name: state, ppid, ..., utime (11), stime (12)
            used[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def loaded(arbiter: int, url: str, lua: Path | None = None) -> Run:
    """One wrk run against `url`, done again while one worker sat idle through it."""
    redone = 0
    while True:
        before = worker_cpu(arbiter)
        rps, n, bad = wrk(url, lua)
        after = worker_cpu(arbiter)
        used = [after[pid] - before.get(pid, 0.0) for pid in after]
        if min(used) >= LOPSIDED * sum(used) or redone == RETRIES:
            return Run(rps, n, bad, sum(used) / max(n, 1), redone)
        redone += 1


def serve(app: str, env: dict[str, str], port: int) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py serving `app` ("module:name") on 127.0.0.1:port,
    once it answers /health (bounded wait)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}"]
    cmd += ["--log-level", "warning", "--access-logfile", "/dev/null", app]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)


@dataclass
class Comparison:
    """PAIRS alternated runs of /health and of /alexa against one server."""

    health: list[Run]
    alexa: list[Run]

    def ratios(self) -> list[float]:
        return sorted(a.rps / h.rps for h, a in zip(self.health, self.alexa, strict=True))

    def row(self, label: str) -> str:
        h_rps = statistics.median(r.rps for r in self.health)
        a_rps = statistics.median(r.rps for r in self.alexa)
        h_cpu = statistics.median(r.cpu_per_request for r in self.health)
        a_cpu = statistics.median(r.cpu_per_request for r in self.alexa)
        errors = sum(r.errors for r in self.health + self.alexa)
        redone = sum(r.redone for r in self.health + self.alexa)
        pairs = ", ".join(f"{r:.2f}" for r in self.ratios())
        return (
            f"| {label} | {h_rps:.0f} | {a_rps:.0f} | {errors} | {redone} | {pairs} | "
            f"**{statistics.median(self.ratios()):.2f}x** | {h_cpu * 1000:.2f} / {a_cpu * 1000:.2f} ms "
            f"({h_cpu / a_cpu:.2f}x) |"
        )


def compare(arbiter: int, base: str, script: Callable[[], Path]) -> Comparison:
    """PAIRS pairs of runs; `script` makes each pair's wrk script afresh (signed requests
    carry a timestamp Alexa's rules allow only 150 s)."""
    runs = [(loaded(arbiter, base + "/health"), loaded(arbiter, base + "/alexa", script())) for _ in range(PAIRS)]
    return Comparison([h for h, _ in runs], [a for _, a in runs])


HEADER = (
    "| server | GET /health req/s | POST /alexa req/s | errors | lopsided runs redone | ratio of each pair "
    "| ratio, median | worker CPU per request, /health / /alexa |\n"
    "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
)
