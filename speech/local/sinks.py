"""Where playback's speech goes: the routine's step tracks streamed to aplay on the computer's
sound card, nowhere (real synthesis, for measuring), or nothing at all (--no-audio: cues
'last' their estimated time)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

from content.phrases import phrase
from speech.local import tracks
from speech.local.engine import SpeechError
from speech.local.pcm import SAMPLE_RATE, Clip, silence, write_wav
from speech.local.voices import Speaker
from speech.script import Script
from speech.timing import estimate_seconds

Progress = Callable[[int, int], None]  # progress(done, total) while synthesizing


class NoAudioDevice(SpeechError):
    pass


class Sink(Protocol):
    """What playback needs of a sink (each kind prepares ahead in its own way)."""

    # start saying the cue (text; `n`th cue of `step`) without waiting; its length in seconds
    def play(self, text: str, step: int = 0, n: int = 0) -> float: ...
    def stop(self) -> None: ...  # cut off whatever is playing


class SilentSink:
    """--no-audio: nothing is synthesized or played; a cue 'lasts' its estimated time."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed

    def prepare(self, texts: Iterable[str]) -> None:
        pass

    def play(self, text: str, step: int = 0, n: int = 0) -> float:
        return estimate_seconds(text) / self.speed

    def stop(self) -> None:
        pass


class NullSink:
    """Real synthesis, no sound: for measuring the scheduler without an audio device."""

    def __init__(self, engine: Speaker) -> None:
        self.engine = engine

    def prepare(self, texts: Iterable[str], progress: Progress | None = None) -> None:
        _prepare(self.engine, texts, progress)

    def play(self, text: str, step: int = 0, n: int = 0) -> float:
        return self.engine.clip(text).seconds

    def stop(self) -> None:
        pass


def _prepare(engine: Speaker, texts: Iterable[str], progress: Progress | None) -> dict[str, Clip]:
    texts = list(texts)
    clips = {}
    for n, text in enumerate(texts, 1):
        clips[text] = engine.clip(text)
        if progress:
            progress(n, len(texts))
    return clips


class TrackSink:
    """Streams the routine's step tracks into `aplay` (raw PCM on its stdin), so what plays is
    exactly what `render` writes. A cue starts the stream of its track from the cue's frame
    unless that stream is already playing it; stop() ends the aplay process at once (a cue in
    progress is cut). At a clock speed other than 1 only the cue itself is played."""

    def __init__(self, script: Script, speaker: Speaker, speed: float = 1.0, device: str | None = None) -> None:
        self.script, self.speaker, self.speed, self.device = script, speaker, speed, device
        self.layouts: dict[int, tracks.Track] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.feeder: threading.Thread | None = None
        self.streaming: int | None = None  # the step whose track is playing
        self._check_device()

    def _command(self, *args: str) -> list[str]:
        return ["aplay", "-q", *(["-D", self.device] if self.device else []), *args]

    def _check_device(self) -> None:
        """Open the device once with a hundredth of a second of silence."""
        if not shutil.which("aplay"):
            raise NoAudioDevice(phrase("offline.error.no_aplay"))
        with tempfile.TemporaryDirectory(prefix="recovery-coach-play-") as folder:
            probe = os.path.join(folder, "probe.wav")
            write_wav(probe, silence(0.01))
            try:
                result: subprocess.CompletedProcess[bytes] | None = subprocess.run(
                    self._command(probe), capture_output=True, timeout=10
                )
            except subprocess.TimeoutExpired:
                result = None
        if result is None or result.returncode != 0:
            raise NoAudioDevice(phrase("offline.error.no_audio_device"))

    def prepare(self, progress: Progress | None = None) -> None:
        """Lay out every track (synthesizing the clips not in the cache), reporting cues done."""
        total = sum(len(s.cues) for s in self.script.steps)
        done = 0
        for step in self.script.steps:
            self.layouts[step.index] = tracks.layout(self.script, step.index, self.speaker)
            done += len(step.cues)
            if progress:
                progress(done, total)

    def play(self, text: str, step: int = 0, n: int = 0) -> float:
        if step not in self.layouts:
            self.layouts[step] = tracks.layout(self.script, step, self.speaker)
        cue = self.layouts[step].cues[n]
        alive = self.proc is not None and self.proc.poll() is None
        if self.speed != 1 or not alive or self.streaming != step:
            self.stop()
            self._stream(step, cue.start, None if self.speed == 1 else cue.end)
        return (cue.end - cue.start) / SAMPLE_RATE

    def _stream(self, step: int, start: int, stop: int | None) -> None:
        self.proc = subprocess.Popen(
            self._command("-t", "raw", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", "1", "-B", "100000", "-"),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        self.streaming = step
        blocks = tracks.blocks(self.layouts[step], self.speaker, start, stop)
        self.feeder = threading.Thread(target=_feed, args=(self.proc, blocks), daemon=True)
        self.feeder.start()

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
            self.proc.wait()
        if self.feeder is not None:
            self.feeder.join()
        self.proc = self.feeder = self.streaming = None

    def close(self) -> None:
        self.stop()


def _feed(proc: subprocess.Popen[bytes], blocks: Iterable[bytes]) -> None:
    """Write a track's blocks to aplay as fast as it takes them; ends when aplay does."""
    assert proc.stdin is not None
    with contextlib.suppress(OSError, ValueError):  # BrokenPipeError: aplay was stopped
        for block in blocks:
            if proc.poll() is not None:
                break
            proc.stdin.write(block)
        proc.stdin.close()
