"""Serving as deployed: gunicorn with deploy/gunicorn.conf.py reached directly (no proxy)
keeps answering /health while clients stall mid-request, and cuts those clients off at its
read deadline; the Caddyfile in deploy/ is valid and is the one the docs point to."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gunicornkit import ROOT, Gunicorn, HealthWatch, config

STALLED = 64
HEALTHY_S = 1.0  # /health answers within this, however many clients stall
CUT = {  # what a stalled client sent before going silent
    "half a request line": b"GET /heal",
    "headers without their end": b"GET /health HTTP/1.1\r\nHost: coach\r\n",
    "a body shorter than it said": (
        b"POST /alexa HTTP/1.1\r\nHost: coach\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{"
    ),
}


def closed_at(sock: socket.socket, limit: float) -> float:
    """When the server closed `sock` (whatever it answered first); waits `limit` s at most."""
    sock.settimeout(limit)
    while sock.recv(4096):
        pass
    return time.monotonic()


def drip(port: int, seconds: list[float]) -> None:
    """A client sending its headers a byte at a time, every tenth of a second, for as long as the
    server reads them: a deadline per read would never cut it off."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        start = time.monotonic()
        try:
            for byte in b"GET /health HTTP/1.1\r\nHost: coach\r\nX-Slow: " + b"a" * 4000:
                sock.send(bytes([byte]))
                time.sleep(0.1)
        except OSError:  # the server shut it
            seconds.append(time.monotonic() - start)


@pytest.mark.slow
def test_stalled_clients_leave_health_answering_and_are_cut_off_at_the_read_deadline(tmp_path):
    deadline = config()["READ_DEADLINE"]
    with Gunicorn({"RECOVERY_COACH_DB": str(tmp_path / "coach.sqlite3")}) as server:
        stalled, opened = [], time.monotonic()
        for n in range(STALLED):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(list(CUT.values())[n % len(CUT)])
            stalled.append(sock)
        dripped: list[float] = []
        dripper = threading.Thread(target=drip, args=(server.port, dripped))
        with HealthWatch(server) as watch:
            dripper.start()
            waited = [closed_at(sock, deadline + 10) - opened for sock in stalled]
            dripper.join(timeout=deadline + 10)
        for sock in stalled:
            sock.close()
    assert not watch.failures and watch.worst < HEALTHY_S, (watch.worst, watch.failures[:3])
    assert len(watch.times) > 10 * deadline  # asked throughout, not once
    assert max(waited) < deadline + 2, f"a stalled client was kept {max(waited):.1f} s"
    assert dripped and dripped[0] < deadline + 2, f"a dripping client was read for {dripped}"


def test_the_caddyfile_is_valid():
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed")
    done = subprocess.run(
        ["caddy", "validate", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "Valid configuration" in done.stdout + done.stderr, done.stderr[-2000:]


def test_the_caddyfile_proxies_the_skill_health_audio_and_cards_and_nothing_else():
    text = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"@skill path /alexa /health /audio/\* /cards/\*\n", text)
    assert "reverse_proxy 127.0.0.1:5000" in text and re.search(r"handle \{\s+respond 404\s+\}", text)


def test_the_docs_use_the_caddyfile_itself_rather_than_a_copy():
    """The proxy example in docs/self-hosting.md is deploy/Caddyfile, named, not pasted: a
    pasted copy would drift from the file the server is run with."""
    doc = (ROOT / "docs" / "self-hosting.md").read_text()
    assert "caddy run --config deploy/Caddyfile" in doc
    for block in re.findall(r"```[a-z]*\n(.*?)```", doc, re.S):
        assert "reverse_proxy" not in block, "a Caddy configuration copied into the doc"


@pytest.mark.parametrize(
    "env, names",
    [
        ({}, "RECOVERY_COACH_SKILL_ID to your skill's id (amzn1.ask.skill...), or RECOVERY_COACH_DEV=1"),
        ({"RECOVERY_COACH_DEV": "1", "RECOVERY_COACH_DYNAMODB_TABLE": "t"}, "also set AWS_DEFAULT_REGION"),
    ],
    ids=["no skill id", "a table without a region"],
)
def test_gunicorn_without_its_settings_refuses_in_one_sentence_before_any_worker(env, names):
    drop = ("RECOVERY_COACH_SKILL_ID", "RECOVERY_COACH_DEV", "AWS_DEFAULT_REGION", "AWS_REGION")
    base = {k: v for k, v in os.environ.items() if k not in drop}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "-b", "127.0.0.1:0"],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1
    assert [line for line in lines if "Starting gunicorn" not in line] == [
        next(line for line in lines if line.startswith("recovery-coach: gunicorn cannot start: "))
    ], done.stderr
    assert names in done.stderr and "Traceback" not in done.stderr and "Booting worker" not in done.stderr
