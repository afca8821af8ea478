"""espeak-ng from many threads at once, as the server's /audio route uses it when requests
name different voices: no error, no hang, every clip what that voice says for that text when
rendered on its own, and the process's own stdout and stderr still where they were."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from speech.local.engine import Engine, EngineMissing, SpeechError, list_voices

THREADS = 24
TEXTS = ("Let's start your leg recovery.", "Switch legs and hold the stretch.", "Ten seconds left.")
STORM_BOUND = 120  # seconds for all of it: a hang fails the test instead of stalling the suite


def spread_voices(n: int) -> list[str]:
    """`n` different voices, taken evenly across espeak-ng's language families."""
    ids = [v.id for v in list_voices()]
    return ids[:: len(ids) // n][:n]


def fd_files() -> list[tuple[int, int, int]]:
    """What file descriptors 1 and 2 point at."""
    return [(s.st_dev, s.st_ino, s.st_mode) for s in map(os.fstat, (1, 2))]


def espeak_children() -> list[int]:
    """This process's espeak-ng child processes that are still there (zombies included)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:  # ended while we looked
            continue
        name, fields = rest.rsplit(") ", 1)
        if name == "espeak-ng" and int(fields.split()[1]) == os.getpid():
            found.append(int(pid))
    return found


def test_24_voices_at_once_sound_as_each_alone_and_leave_stdout_and_stderr_alone(capfd):
    voices = spread_voices(THREADS)
    assert len(set(voices)) == THREADS
    alone = {(v, t): Engine(v).clip(t).pcm for v in voices for t in TEXTS}  # one after another
    assert len({alone[(v, TEXTS[0])] for v in voices}) == THREADS  # each voice sounds like itself
    before = fd_files()

    heard: dict[tuple[str, str], bytes] = {}
    failed: list[tuple[str, BaseException]] = []
    start = threading.Barrier(THREADS)

    def speak(voice: str) -> None:
        try:
            start.wait(STORM_BOUND)
            engine = Engine(voice)
            for text in TEXTS:
                heard[(voice, text)] = engine.clip(text).pcm
        except BaseException as exc:  # reported below, with the voice
            failed.append((voice, exc))

    threads = [threading.Thread(target=speak, args=(v,), daemon=True) for v in voices]
    deadline = time.monotonic() + STORM_BOUND
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))

    assert not [t for t in threads if t.is_alive()], "a render hung"
    assert failed == []
    assert sorted(k for k in alone if heard.get(k) != alone[k]) == []
    assert all(len(pcm) > 0.3 * 22050 * 2 for pcm in heard.values())  # speech, not an empty clip
    assert fd_files() == before
    capfd.readouterr()
    os.write(1, b"still on stdout\n")
    os.write(2, b"still on stderr\n")
    out, err = capfd.readouterr()
    assert (out, err) == ("still on stdout\n", "still on stderr\n")
    assert espeak_children() == []


def test_a_text_past_its_time_limit_fails_in_one_sentence_and_its_process_is_gone():
    engine = Engine(timeout=0.05)
    text = "Breathe in slowly and let your legs relax completely. " * 2000  # many seconds of work
    started = time.monotonic()
    with pytest.raises(SpeechError, match="produced no audio for 'Breathe in slowly"):
        engine.clip(text)
    assert time.monotonic() - started < 30
    assert espeak_children() == []
    assert Engine().clip("Ten seconds left.").seconds > 0.5  # and the next text is spoken as usual


def test_without_the_espeak_ng_program_each_render_says_how_to_install_it(monkeypatch, tmp_path):
    engine = Engine()
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine with the library but not the program
    with pytest.raises(EngineMissing, match="sudo apt-get install espeak-ng"):
        engine.clip("Ten seconds left.")
    out = tmp_path / "r.wav"
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "render", "--minutes", "5", "--voice", "gmw/en-us", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PATH": str(tmp_path),
            "RECOVERY_COACH_CACHE_DIR": str(tmp_path / "cache"),
        },  # nothing cached
    )
    assert result.returncode == 1 and "sudo apt-get install espeak-ng" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
