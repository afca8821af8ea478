"""`recovery-coach chat` and `serve` as a user runs them: typed words matched to intents,
a whole conversation through the command, and a real server refusing unsigned requests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import body_of, launch_doc

from skill.sim.chat import match, ssml_to_text

MATCHES = [
    ("Alexa, open Recovery Coach", "LaunchRequest", {}),
    ("start my leg recovery", "StartRoutineIntent", {}),
    ("start a fifteen minute recovery", "StartRoutineIntent", {"duration": "fifteen minute"}),
    ("let's do yoga", "StartRoutineIntent", {"focus": "yoga"}),
    (
        "stretches for twenty minutes without a roller",
        "StartRoutineIntent",
        {"focus": "stretches", "duration": "twenty minutes", "roller": "without a roller"},
    ),
    ("start a ten minute stretching routine", "StartRoutineIntent", {"duration": "ten minute", "focus": "stretching"}),
    ("how do I do the downward dog?", "HowToIntent", {"movement": "downward dog"}),
    ("ask recovery coach to pause", "AMAZON.PauseIntent", {}),
    ("my knee is swollen", "SwellingIntent", {"body_part": "knee"}),
    ("it hurts more", "WorseningPainIntent", {}),
    ("What's next?", "WhatsNextIntent", {}),
    ("go back", "AMAZON.PreviousIntent", {}),
    ("purple monkey dishwasher", "AMAZON.FallbackIntent", {}),
]


@pytest.mark.parametrize("typed, intent, slots", MATCHES, ids=[m[0] for m in MATCHES])
def test_typed_words_match_the_models_samples(typed, intent, slots):
    m = match(typed)
    assert (m.intent, m.slots) == (intent, slots)


def test_pauses_print_as_marks():
    ssml = '<speak>Begin.<break time="10s"/><break time="4500ms"/> Halfway &amp; on.</speak>'
    assert ssml_to_text(ssml) == "Begin. [pause 14.5s] Halfway & on."


DONE_WHEN = """open recovery coach
start a ten minute recovery
next
pause
resume
go back
next
next
next
next
next
next
next
yes
no
open recovery coach
yes
I have sharp pain
"""


def test_chat_goes_from_launch_through_a_whole_routine_to_a_safety_stop(tmp_path):
    env = {**os.environ, "RECOVERY_COACH_DB": str(tmp_path / "chat.sqlite3")}
    out = subprocess.run(
        [sys.executable, "-m", "skill.cli", "chat"],
        input=DONE_WHEN,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    ).stdout
    answers = [line for line in out.splitlines() if line.startswith("alexa> ")]
    assert len(answers) == len(DONE_WHEN.splitlines())
    assert "not medical advice" in answers[0]
    assert "First up, brisk walking" in answers[1] and "[pause" in answers[1]
    assert "Paused during leg swings" in answers[3]
    assert "You've finished your routine" in answers[12] and "Here's a tip" in answers[13]
    assert "Shall I start your 20-minute routine" in answers[15]
    assert "consult a healthcare professional" in answers[17]
    assert out.count("(session ended)") == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`recovery-coach serve` without --dev, as a real process on 127.0.0.1."""
    port = _free_port()
    env = {
        **os.environ,
        "RECOVERY_COACH_DB": str(tmp_path / "serve.sqlite3"),
        "RECOVERY_COACH_SKILL_ID": "amzn1.ask.skill.recovery-coach-dev",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    url = f"http://127.0.0.1:{port}"
    for line in proc.stdout:  # wait for the server to say it is up, then for it to accept
        if "Running on" in line:
            break
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_a_server_without_dev_refuses_unsigned_and_tampered_requests(server, ca):
    with urllib.request.urlopen(server + "/health", timeout=10) as r:
        assert json.loads(r.read()) == {"status": "ok"}
    body = body_of(launch_doc())
    assert post(server + "/alexa", body, {"Content-Type": "application/json"}) == (
        400,
        {"error": "missing SignatureCertChainUrl header"},
    )
    headers = ca.headers(body, "https://evil.example.com/echo.api/cert.pem")
    status, doc = post(server + "/alexa", body.replace(b"Launch", b"Lunch"), headers)
    assert status == 400 and "host" in doc["error"]
    assert post(server + "/alexa", b"{oops", {})[0] == 400


def test_chat_talks_to_a_running_dev_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "RECOVERY_COACH_DB": str(tmp_path / "dev.sqlite3")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "serve", "--dev", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        banner = []
        for line in proc.stdout:
            banner.append(line)
            if "Running on" in line:
                break
        assert any("DEV MODE" in line for line in banner), "--dev says so on start"
        out = subprocess.run(
            [sys.executable, "-m", "skill.cli", "chat", "--url", f"http://127.0.0.1:{port}/alexa"],
            input="open recovery coach\nyes\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        ).stdout
        assert "Let's start your 20-minute leg recovery" in out
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_speak_synthesizes_the_answer_with_the_local_engine(tmp_path):
    """Real pyttsx3 + espeak-ng; only the audio device is fake: an `aplay` that keeps the WAV."""
    bin_dir, heard = tmp_path / "bin", tmp_path / "heard"
    bin_dir.mkdir(), heard.mkdir()
    aplay = bin_dir / "aplay"
    aplay.write_text(f'#!/bin/sh\nfor a; do f="$a"; done\ncp "$f" "{heard}/$(date +%s%N).wav"\n')
    aplay.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "RECOVERY_COACH_DB": str(tmp_path / "s.db")}
    subprocess.run(
        [sys.executable, "-m", "skill.cli", "chat", "--speak"],
        input="open recovery coach\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    wavs = list(heard.glob("*.wav"))
    assert len(wavs) == 1
    audio = wavs[0].read_bytes()
    assert audio[:4] == b"RIFF"
    assert len(audio) > 22050 * 2 * 10, "the welcome takes well over ten seconds to say"
