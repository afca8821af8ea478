"""Steady sound taken out before the recognizer hears it: a fan, or music's held chords.

Each frequency's noise is the quietest its (smoothed) power has been over the last FLOOR_SPAN
seconds: speech comes and goes within that, a fan or a held note does not. That much power
(times OVER) is taken out of each frequency, never more than down to KEEP of what was there,
so speech keeps its shape and the little residue sounds like the noise, not like chirps.
Frames overlap by half (a square-root Hann window both ways), so the frames out are the frames
in, one frame late.

Must stay true: what it hands on has the length and format of what it took (16-bit mono PCM
frames of FRAME seconds); the endpointer still measures the frames as they came, so an
utterance's start and end do not depend on it. Measured in bench/listen.py: mild settings
help (music-like noise), strong ones lose words.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from skill.listen.endpoint import FRAME
from skill.listen.listener import SAMPLE_RATE

FLOOR_SPAN = 0.4  # seconds over which a frequency's quietest power is its noise
SMOOTH = 0.7  # of a frequency's smoothed power, the share that is the frame before
OVER = 1.5  # the noise taken out: this many times its floor
KEEP = 0.5  # of each frequency's amplitude, at least this much stays


class Denoiser:
    """PCM frames in; each frame back with the noise floor taken out, one frame late (the
    first frame out is silence)."""

    def __init__(self) -> None:
        import numpy as np

        self._np: Any = np
        self._hop = int(FRAME * SAMPLE_RATE)
        self._window = np.sqrt(np.hanning(2 * self._hop + 1)[:-1])
        self._before = np.zeros(self._hop)
        self._tail = np.zeros(self._hop)
        self._smooth: Any = None
        self._quiet: deque[Any] = deque(maxlen=max(1, round(FLOOR_SPAN / FRAME)))

    def process(self, frame: bytes) -> bytes:
        np = self._np
        now = np.frombuffer(frame, "<i2").astype(np.float64)
        if len(now) != self._hop:
            return frame  # a short last frame: as it is
        spectrum = np.fft.rfft(np.concatenate([self._before, now]) * self._window)
        power = np.abs(spectrum) ** 2
        self._smooth = power if self._smooth is None else SMOOTH * self._smooth + (1 - SMOOTH) * power
        self._quiet.append(self._smooth)
        noise = np.min(self._quiet, axis=0) * OVER
        gain = np.sqrt(np.maximum(1 - noise / np.maximum(power, 1e-9), KEEP**2))
        out = np.fft.irfft(spectrum * gain, 2 * self._hop) * self._window
        done = self._tail + out[: self._hop]
        self._tail, self._before = out[self._hop :], now
        return bytes(np.clip(done, -32768, 32767).astype("<i2").tobytes())
