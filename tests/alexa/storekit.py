"""Helpers for the store tests: moto's DynamoDB server as a real process on a free port,
and a conversation through the real Flask app reduced to what the user heard."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from skill.sim.chat import Conversation, in_process, ssml_to_text

MOTO = Path(sys.executable).parent / "moto_server"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    """`moto_server` on 127.0.0.1; started() returns once it says it is listening."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> MotoServer:
        self.proc = subprocess.Popen(
            [str(MOTO), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **AWS_ENV},
        )
        assert self.proc.stderr is not None
        for line in self.proc.stderr:  # blocks until werkzeug reports it is serving
            if "Running on" in line:
                threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # keep the pipe drained
                return self
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def heard(conv: Conversation, typed: list[str]) -> list[str]:
    """What the user hears for each thing typed ("" is silence)."""
    out = []
    for words in typed:
        if words:
            conv.say(words)
            out.append(ssml_to_text(conv.speech))
        else:
            out.append(ssml_to_text(conv.silence()))
    return out


USER = "amzn1.ask.account.store-test"
ROOT_PATHS = [str(Path(__file__).parent), *sys.path]  # a child process's PYTHONPATH: this repository's code


def talk_to(db_path: Path | None, user: str = USER) -> Conversation:
    return Conversation(in_process(db_path), user_id=user)


ROUTINE = [
    "open recovery coach",
    "start a ten minute recovery",
    "next",
    "next",
    "go back",
    "what's next",
    "pause",
    "resume",
    "stop",
]


def run_elsewhere(db_path: Path, shell_setup: str = "") -> list[str]:
    """ROUTINE through the real app in a child process, after `shell_setup` ran in a
    mount namespace of its own (`unshare -m`, as root: read-only binds, a tiny tmpfs)."""
    child = "import json, sys, storekit as k; print(json.dumps(k.heard(k.talk_to(k.Path(sys.argv[1])), k.ROUTINE)))"
    cmd = [sys.executable, "-c", child, str(db_path)]
    if shell_setup:
        cmd = ["unshare", "-m", "sh", "-c", f'{shell_setup} && exec "$0" "$@"', *cmd]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(ROOT_PATHS)}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))
