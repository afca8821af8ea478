"""Sound as the local renderer makes it: 16-bit little-endian mono PCM at 22,050 Hz,
what pyttsx3's espeak driver writes. The one place that knows the format: clips, silence,
and WAV files (read, written whole, or streamed)."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

SAMPLE_RATE = 22050  # what the espeak driver writes: 16-bit mono at 22,050 Hz
SAMPLE_WIDTH = 2


@dataclass(frozen=True)
class Clip:
    """Speech (or silence) as 16-bit little-endian mono samples at SAMPLE_RATE."""

    pcm: bytes

    @property
    def frames(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE


def frames(seconds: float) -> int:
    """The number of whole frames nearest to `seconds`."""
    return round(seconds * SAMPLE_RATE)


def silence(seconds: float) -> bytes:
    """Exact digital silence, `seconds` long (to the nearest frame)."""
    return bytes(frames(seconds) * SAMPLE_WIDTH)


@contextmanager
def wav_writer(file: str | IO[bytes]) -> Iterator[wave.Wave_write]:
    """A WAV writer in this format, for writing PCM a piece at a time."""
    with wave.open(file, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(SAMPLE_RATE)
        yield w


def write_wav(path: str, pcm: bytes) -> None:
    with wav_writer(path) as w:
        w.writeframes(pcm)


def read_wav(path: str) -> bytes:
    """The PCM in a WAV file (as the engine writes it); raises OSError, EOFError or wave.Error."""
    with wave.open(path, "rb") as w:
        return w.readframes(w.getnframes())
