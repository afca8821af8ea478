"""Play a script in real time: every cue's speech is synthesized before the routine starts
(so its length is known), and each cue starts at its offset on a monotonic clock.

Deadlines are absolute (routine start + offset / speed), so waking late for one cue never
delays the ones after it. The one exception is physical: a cue still speaking when the next
is due pushes that next cue back to the moment it ends (reported as a "pushed" event).

Control goes through the session sequencer the Alexa skill uses: pause/resume, next, back,
repeat (restart the step), quit. Pausing mid-cue cuts it off and rewinds to its start, so
resuming says it again in full.

The clock, the key source and the audio sink are passed in: real runs use time.monotonic,
the keyboard and aplay; tests use a fake clock, scripted keys and a recording sink.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from content.phrases import phrase
from speech import sequencer
from speech.local.engine import SAMPLE_RATE, SAMPLE_WIDTH, Clip, SpeechError, Synthesizer
from speech.script import Script
from speech.sequencer import Position
from speech.timing import estimate_seconds

PUSH_TOLERANCE = 0.001  # seconds; a cue starting later than this behind its deadline was pushed

PAUSE, NEXT, BACK, REPEAT, QUIT = " ", "n", "b", "r", "q"


class NoAudioDevice(SpeechError):
    pass


class Sink(Protocol):
    def prepare(self, texts: Iterable[str]) -> None: ...  # synthesize ahead of time
    def play(self, text: str) -> float: ...  # start saying text, without waiting; its length in seconds
    def stop(self) -> None: ...  # cut off whatever is playing


@dataclass(frozen=True)
class Event:
    """Something the listener should see: kind is step|cue|pushed|paused|resumed|jumped|finished|quit|tick."""

    kind: str
    step: int
    at: float  # where the routine is, in script seconds from its start
    text: str = ""
    late: float = 0.0  # for "pushed": how far behind its deadline the cue started, wall seconds


@dataclass(frozen=True)
class Status:
    """What the terminal shows: the movement, time left in it and in the routine, what is next."""

    step: int
    steps: int
    name: str
    step_left: float
    routine_left: float
    next_name: str | None


def status(script: Script, step: int, at: float) -> Status:
    start = script.step_start(step)
    s = script.steps[step]
    at = min(max(at, start), start + s.seconds)
    nxt = script.steps[step + 1].name if step + 1 < len(script.steps) else None
    return Status(step, len(script.steps), s.name, start + s.seconds - at, script.total_seconds - at, nxt)


def play(pos: Position, sink: Sink, clock: Callable[[], float], keys: Callable[[float | None], str | None],
         show: Callable[[Event], None], speed: float = 1.0, tick: float | None = None,
         until: float | None = None) -> Position:
    """Play from `pos` (a started sequencer position) to the end or until quit; returns where it stopped.

    keys(timeout) waits up to timeout seconds (None: until a key) and returns a key or None.
    tick: wall seconds between "tick" events, for a live status line; None for none.
    until: stop this many script seconds into the routine (a preview; the benchmark's 2-minute plan).
    """
    script = pos.script
    end_at = script.total_seconds if until is None else min(until, script.total_seconds)
    timeline = [t for t in script.timeline() if t[0] < end_at]
    first_cue = {}
    for n, (_, step, _) in enumerate(timeline):
        first_cue.setdefault(step, n)

    origin = clock() - script.step_start(pos.step) / speed  # wall time of routine second 0
    nxt = first_cue.get(pos.step, len(timeline))  # index of the next cue to start
    playing: int | None = None  # index of the cue speaking now
    busy_until = clock()
    paused_at: float | None = None  # script time to resume from
    step_shown: int | None = None

    def now_at(wall: float) -> float:
        return (wall - origin) * speed

    def jump(to: Position, wall: float) -> None:
        nonlocal origin, nxt, playing, busy_until, paused_at, step_shown
        sink.stop()
        origin = wall - script.step_start(to.step) / speed
        nxt, playing, busy_until, paused_at, step_shown = first_cue.get(to.step, len(timeline)), None, wall, None, None

    next_tick = clock() if tick else None
    while True:
        wall = clock()
        if paused_at is not None:
            key = keys(None)
        else:
            if playing is not None and wall >= busy_until:
                playing = None
            if nxt < len(timeline):
                deadline = origin + timeline[nxt][0] / speed
                start = max(deadline, busy_until)
                if wall >= start:
                    at, step, cue = timeline[nxt]
                    if step != step_shown:
                        while pos.step < step:  # the clock has reached the next step
                            pos, _ = sequencer.next_step(pos)
                        step_shown = step
                        show(Event("step", step, at))
                    if start - deadline > PUSH_TOLERANCE:
                        show(Event("pushed", step, at, cue.text, start - deadline))
                    length = sink.play(cue.text)
                    show(Event("cue", step, at, cue.text, wall - deadline))
                    playing, busy_until, nxt = nxt, wall + length, nxt + 1
                    continue
                wake = start
            else:
                wake = max(busy_until, origin + end_at / speed)
                if wall >= wake:
                    pos, _ = sequencer.next_step(pos)
                    show(Event("finished", pos.step, end_at))
                    return pos
            if next_tick is not None:
                if wall >= next_tick:
                    show(Event("tick", pos.step, now_at(wall)))
                    next_tick = wall + tick
                wake = min(wake, next_tick)
            key = keys(max(0.0, wake - wall))
        if key is None:
            continue
        wall = clock()
        if key == PAUSE and paused_at is None:
            pos, _ = sequencer.pause(pos)
            sink.stop()
            if playing is not None and wall < busy_until:  # cut off mid-cue: say it again on resume
                nxt, paused_at = playing, timeline[playing][0]
            else:
                paused_at = now_at(wall)
            playing = None
            show(Event("paused", pos.step, paused_at))
        elif key == PAUSE:
            pos, _ = sequencer.resume(pos)
            origin, busy_until = wall - paused_at / speed, wall
            show(Event("resumed", pos.step, paused_at))
            paused_at = None
        elif key in (NEXT, BACK, REPEAT):
            move = {NEXT: sequencer.next_step, BACK: sequencer.previous_step, REPEAT: sequencer.repeat}[key]
            pos, outcome = move(pos)
            if outcome == "finished":
                sink.stop()
                show(Event("finished", pos.step, end_at))
                return pos
            jump(pos, wall)
            show(Event("jumped", pos.step, script.step_start(pos.step), key))
        elif key == QUIT:
            sink.stop()
            show(Event("quit", pos.step, paused_at if paused_at is not None else now_at(wall)))
            return pos


def cue_texts(script: Script) -> list[str]:
    """Each distinct cue text, in the order they are first said."""
    return list(dict.fromkeys(cue.text for _, _, cue in script.timeline()))


class SilentSink:
    """--no-audio: nothing is synthesized or played; a cue 'lasts' its estimated time."""

    def __init__(self, speed: float = 1.0):
        self.speed = speed

    def prepare(self, texts: Iterable[str]) -> None:
        pass

    def play(self, text: str) -> float:
        return estimate_seconds(text) / self.speed

    def stop(self) -> None:
        pass


class NullSink:
    """Real synthesis, no sound: for measuring the scheduler without an audio device."""

    def __init__(self, synth: Synthesizer):
        self.synth = synth

    def prepare(self, texts: Iterable[str], progress: Callable[[int, int], None] | None = None) -> None:
        _prepare(self.synth, texts, progress)

    def play(self, text: str) -> float:
        return self.synth.clip(text).seconds

    def stop(self) -> None:
        pass


def _prepare(synth: Synthesizer, texts: Iterable[str], progress) -> dict[str, Clip]:
    texts = list(texts)
    clips = {}
    for n, text in enumerate(texts, 1):
        clips[text] = synth.clip(text)
        if progress:
            progress(n, len(texts))
    return clips


def write_wav(path: str, pcm: bytes) -> None:
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)


class AplaySink:
    """Plays each clip with its own `aplay` process (ALSA), from a WAV written while preparing,
    so starting a cue is one process spawn and stopping it is one signal."""

    def __init__(self, synth: Synthesizer, device: str | None = None):
        self.synth = synth
        self.device = device
        self.dir = tempfile.mkdtemp(prefix="recovery-coach-play-")
        self.files: dict[str, tuple[str, float]] = {}
        self.procs: list[subprocess.Popen] = []
        self._check_device()

    def _command(self, path: str) -> list[str]:
        return ["aplay", "-q", *(["-D", self.device] if self.device else []), path]

    def _check_device(self) -> None:
        """Open the device once with a hundredth of a second of silence."""
        if not shutil.which("aplay"):
            raise NoAudioDevice(phrase("offline.error.no_aplay"))
        probe = os.path.join(self.dir, "probe.wav")
        write_wav(probe, bytes(SAMPLE_RATE // 100 * SAMPLE_WIDTH))
        try:
            result = subprocess.run(self._command(probe), capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            result = None
        if result is None or result.returncode != 0:
            self.close()
            raise NoAudioDevice(phrase("offline.error.no_audio_device"))

    def prepare(self, texts: Iterable[str], progress: Callable[[int, int], None] | None = None) -> None:
        for text, clip in _prepare(self.synth, texts, progress).items():
            if text not in self.files:
                path = os.path.join(self.dir, f"cue{len(self.files)}.wav")
                write_wav(path, clip.pcm)
                self.files[text] = (path, clip.seconds)

    def play(self, text: str) -> float:
        self.procs = [p for p in self.procs if p.poll() is None]  # reap the cues that have ended
        if text not in self.files:
            self.prepare([text])
        path, seconds = self.files[text]
        self.procs.append(subprocess.Popen(self._command(path), stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return seconds

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
            p.wait()
        self.procs = []

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
