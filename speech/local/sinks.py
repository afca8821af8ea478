"""Where playback's speech goes: aplay on this machine's sound card, nowhere (real synthesis,
for measuring), or nothing at all (--no-audio: cues 'last' their estimated time)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from typing import Protocol

from content.phrases import phrase
from speech.local.engine import Engine, SpeechError
from speech.local.pcm import Clip, silence, write_wav
from speech.timing import estimate_seconds

Progress = Callable[[int, int], None]  # progress(done, total) while synthesizing


class NoAudioDevice(SpeechError):
    pass


class Sink(Protocol):
    def prepare(self, texts: Iterable[str]) -> None: ...  # synthesize ahead of time
    def play(self, text: str) -> float: ...  # start saying text, without waiting; its length in seconds
    def stop(self) -> None: ...  # cut off whatever is playing


class SilentSink:
    """--no-audio: nothing is synthesized or played; a cue 'lasts' its estimated time."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed

    def prepare(self, texts: Iterable[str]) -> None:
        pass

    def play(self, text: str) -> float:
        return estimate_seconds(text) / self.speed

    def stop(self) -> None:
        pass


class NullSink:
    """Real synthesis, no sound: for measuring the scheduler without an audio device."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def prepare(self, texts: Iterable[str], progress: Progress | None = None) -> None:
        _prepare(self.engine, texts, progress)

    def play(self, text: str) -> float:
        return self.engine.clip(text).seconds

    def stop(self) -> None:
        pass


def _prepare(engine: Engine, texts: Iterable[str], progress: Progress | None) -> dict[str, Clip]:
    texts = list(texts)
    clips = {}
    for n, text in enumerate(texts, 1):
        clips[text] = engine.clip(text)
        if progress:
            progress(n, len(texts))
    return clips


class AplaySink:
    """Plays each clip with its own `aplay` process (ALSA), from a WAV written while preparing,
    so starting a cue is one process spawn and stopping it is one signal."""

    def __init__(self, engine: Engine, device: str | None = None) -> None:
        self.engine = engine
        self.device = device
        self.dir = tempfile.mkdtemp(prefix="recovery-coach-play-")
        self.files: dict[str, tuple[str, float]] = {}
        self.procs: list[subprocess.Popen[bytes]] = []
        self._check_device()

    def _command(self, path: str) -> list[str]:
        return ["aplay", "-q", *(["-D", self.device] if self.device else []), path]

    def _check_device(self) -> None:
        """Open the device once with a hundredth of a second of silence."""
        if not shutil.which("aplay"):
            raise NoAudioDevice(phrase("offline.error.no_aplay"))
        probe = os.path.join(self.dir, "probe.wav")
        write_wav(probe, silence(0.01))
        try:
            result: subprocess.CompletedProcess[bytes] | None = subprocess.run(
                self._command(probe), capture_output=True, timeout=10
            )
        except subprocess.TimeoutExpired:
            result = None
        if result is None or result.returncode != 0:
            self.close()
            raise NoAudioDevice(phrase("offline.error.no_audio_device"))

    def prepare(self, texts: Iterable[str], progress: Progress | None = None) -> None:
        for text, clip in _prepare(self.engine, texts, progress).items():
            if text not in self.files:
                path = os.path.join(self.dir, f"cue{len(self.files)}.wav")
                write_wav(path, clip.pcm)
                self.files[text] = (path, clip.seconds)

    def play(self, text: str) -> float:
        self.procs = [p for p in self.procs if p.poll() is None]  # reap the cues that have ended
        if text not in self.files:
            self.prepare([text])
        path, seconds = self.files[text]
        self.procs.append(
            subprocess.Popen(
                self._command(path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
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
