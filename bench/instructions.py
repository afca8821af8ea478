"""Instructions per request, counted by valgrind (Debian package valgrind; `make bench`
installs it): the same count on every run, where timings on these shared 2 cores move by
2x. Each figure is the instructions of a process making N requests through the WSGI app
less those of one making none (bench/wsgi_calls.py), divided by N. Baseline: GET /health
in the same run. Kernel time (sockets) and gunicorn's own work are not in these counts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "alexa")]

from testca import make_ca  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.sim.chat import envelope  # noqa: E402

CALLS = 200
MODES = {
    "health": "GET /health (baseline)",
    "dev": "POST /alexa, dev mode (LaunchRequest, SQLite read and save)",
    "verified": "POST /alexa, signature checked (test CA)",
}


def instructions(folder: Path, mode: str, n: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    out = subprocess.run(
        [*cmd, str(ROOT / "bench" / "wsgi_calls.py"), str(folder), mode, str(n)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def main() -> None:
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (Debian package valgrind; `make bench` installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        folder, ca = Path(tmp), make_ca()
        doc = envelope({"type": "LaunchRequest"}, session_id="s", new=True, attributes={}, user_id="u")
        body = json.dumps(doc)
        (folder / "chain.pem").write_bytes(ca.chain_pem)
        (folder / "root.pem").write_bytes(ca.root_pem())
        (folder / "request.json").write_text(json.dumps({"body": body, "headers": ca.headers(body.encode())}))
        per = {m: (instructions(folder, m, CALLS) - instructions(folder, m, 0)) / CALLS for m in MODES}
    rows = [f"| {label} | {per[m] / 1000:.0f} K | {per[m] / per['health']:.2f}x |" for m, label in MODES.items()]
    write_section(
        "Instructions per request",
        f"valgrind's count of user-space instructions per request through the WSGI app in-process ({CALLS} "
        "requests less none; the save after the answer included). Not in it: gunicorn's per-request work and "
        "the kernel's, which under wrk add roughly as much again to every request (worker CPU per /health "
        "request was about 0.8 ms), so the req/s ratio above is kinder than this one.\n\n"
        "| request | instructions | × /health |\n| --- | ---: | ---: |\n" + "\n".join(rows),
    )


if __name__ == "__main__":
    main()
