"""Where the listener's audio comes from: the microphone (sounddevice, PortAudio), or a WAV
file read at real-time pace, as a microphone would deliver it. Both give 16-bit mono PCM
at the listener's SAMPLE_RATE in blocks of BLOCK seconds.

A missing PortAudio, no input device, or a file that is not audio is `NoMicrophone`, whose
message is one sentence for the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from content.phrases import phrase
from skill.listen.listener import SAMPLE_RATE

BLOCK = 0.03  # seconds of audio a source hands on at a time (the endpointer's frame)


class NoMicrophone(Exception):
    """Listening cannot start; the message says why in one sentence."""


def to_pcm(samples: Any, rate: int) -> bytes:
    """Float samples in -1..1 (mono or the first channel) at `rate` as 16-bit PCM at SAMPLE_RATE."""
    import numpy as np

    x = np.asarray(samples, dtype=np.float64)
    if x.ndim > 1:
        x = x[:, 0]
    if rate != SAMPLE_RATE and len(x):
        n = round(len(x) * SAMPLE_RATE / rate)
        spectrum = np.fft.rfft(x)[: n // 2 + 1]
        x = np.fft.irfft(spectrum, n) * n / len(x)
    return bytes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def file_blocks(
    path: str | Path, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
) -> Iterator[bytes]:
    """The file's audio in blocks, each handed on when a microphone would have: at real-time
    pace from the first block (a test passes a fake clock and sleep)."""
    try:
        import soundfile
    except (ImportError, OSError) as exc:
        raise NoMicrophone(phrase("listen.error.not_installed")) from exc
    try:
        data, rate = soundfile.read(str(path), dtype="float64", always_2d=False)
    except Exception as exc:  # a missing file, not audio
        raise NoMicrophone(phrase("listen.error.bad_file", path=str(path))) from exc
    pcm = to_pcm(data, int(rate))
    step = int(BLOCK * SAMPLE_RATE) * 2
    start = clock()
    for n, at in enumerate(range(0, len(pcm), step)):
        wait = start + n * BLOCK - clock()
        if wait > 0:
            sleep(wait)
        yield pcm[at : at + step]


def microphone_blocks(device: str | int | None = None) -> Iterator[bytes]:
    """The default microphone's audio in blocks, as it is recorded (blocking)."""
    stream = open_microphone(device)
    with stream:
        while True:
            data, _overflowed = stream.read(int(BLOCK * SAMPLE_RATE))
            yield bytes(data)


def open_microphone(device: str | int | None = None) -> Any:
    """An input stream at SAMPLE_RATE, not yet started; NoMicrophone when there is none."""
    try:
        import sounddevice
    except OSError as exc:  # the package is there, the PortAudio library is not
        raise NoMicrophone(phrase("listen.error.no_portaudio")) from exc
    except ImportError as exc:
        raise NoMicrophone(phrase("listen.error.not_installed")) from exc
    try:
        return sounddevice.RawInputStream(samplerate=SAMPLE_RATE, channels=1, dtype="int16", device=device)
    except Exception as exc:  # sounddevice.PortAudioError: no input device, or it refuses the format
        raise NoMicrophone(phrase("listen.error.no_microphone")) from exc
