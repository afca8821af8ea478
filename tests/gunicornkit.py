"""The real server for tests: gunicorn with deploy/gunicorn.conf.py (2 workers) on a free
port, its workers' memory from /proc, and /health timed as an operator's probe would."""

from __future__ import annotations

import http.client
import os
import runpy
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
sys.path.insert(0, str(ROOT / "tests" / "alexa"))
from storekit import free_port  # noqa: E402


def config() -> dict:
    """The names deploy/gunicorn.conf.py sets (READ_DEADLINE, threads, ...)."""
    return runpy.run_path(str(CONFIG))


class Gunicorn:
    """`with Gunicorn(env) as server:` a dev-mode server, answering /health when entered."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "RECOVERY_COACH_DEV": "1", "PYTHONPATH": str(ROOT), **env}
        self.proc: subprocess.Popen[str] | None = None
        self.log: list[str] = []

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        cmd = [str(gunicorn), "-c", str(CONFIG), "-b", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null"]
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()
        deadline = time.monotonic() + 60
        while len(self.workers()) < 2 or not self._answers():
            assert self.proc.poll() is None and time.monotonic() < deadline, "".join(self.log)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def _answers(self) -> bool:
        try:
            self.health()
            return True
        except OSError:
            time.sleep(0.05)  # not listening yet
            return False

    def health(self, timeout: float = 10.0) -> float:
        """Seconds /health took to answer 200 (an exception if it did not within `timeout`)."""
        start = time.monotonic()
        with urllib.request.urlopen(f"{self.url}/health", timeout=timeout) as r:
            assert r.status == 200 and r.read() == b'{"status":"ok"}\n'
        return time.monotonic() - start

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def workers(self) -> list[int]:
        assert self.proc is not None
        out = []
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(
                    self.proc.pid
                ):
                    out.append(int(entry))
            except OSError:  # gone meanwhile
                continue
        return out

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory, in MB (VmRSS)."""
        out = []
        for pid in self.workers():
            with open(f"/proc/{pid}/status") as f:
                out.append(next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024)
        return out


class HealthWatch:
    """/health asked again and again on a thread, each answer timed, until stopped."""

    def __init__(self, server: Gunicorn) -> None:
        self.server, self.times, self.failures = server, [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.times.append(self.server.health(timeout=5))
            except OSError as e:
                self.failures.append(repr(e))
            self._stop.wait(0.02)  # a probe every few hundredths of a second, not a busy loop

    @property
    def worst(self) -> float:
        return max(self.times, default=float("inf"))
