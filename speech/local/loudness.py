"""Speech at one loudness, fit for a phone speaker in a gym: every clip, in every voice, is
brought to TARGET_LUFS (integrated loudness, ITU-R BS.1770-4; a rendered routine then
measures about -16.5 LUFS) with its peaks held under SPEECH_PEAK by a plain limiter, so a
chime mixed under it still peaks below -1 dBFS.

The meter is BS.1770-4 written out with numpy, the only numeric library the voice extra
installs (scipy would be a large dependency for two filters): the K-weighting's two biquads
(pyloudnorm's coefficients for any sample rate) are applied by their magnitude response in
the frequency domain. That is a zero-phase version of the same filters: block energies, and
so the loudness, agree with a causal meter to a few hundredths of a dB on speech (the tests
measure the result with pyloudnorm itself).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

from speech.local.pcm import SAMPLE_RATE

if TYPE_CHECKING:  # numpy comes with the voice extra; importing this module needs none (identities use VERSION)
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.float64]

VERSION = "loudness-16-2"  # in every voice's identity: bump when clips would come out at another level
# Each clip at -15.5 LUFS: a routine, its cues with the short pauses inside and between them,
# then measures about -16.5 LUFS as a whole (BS.1770's gate keeps only the long silences out).
# Not louder: the harder speech is limited, the more the MP3 encoder (48 kbps) raises its peaks
# once decoded (clips at -15 LUFS made a routine of -16.0 LUFS whose MP3 peaked at -0.5 dBFS).
TARGET_LUFS = -15.5
# Speech peaks 2.5 dB under -1 dBFS, for that overshoot (up to about 2 dB measured at this
# level); a chime under speech adds at most 0.03 of full scale (tracks.chime: the bell peaks
# near -30 dBFS). Speech and chimes, as decoded from the MP3, stay under -1 dBFS.
SPEECH_PEAK = 10 ** (-3.5 / 20)
MAX_GAIN_DB = 24.0  # a clip this much too quiet is left short of the target rather than made of noise
BLOCK_S, STEP_S = 0.4, 0.1  # BS.1770 gating blocks: 400 ms, overlapping by 75%
ABSOLUTE_GATE, RELATIVE_GATE = -70.0, -10.0
HOLD = 64  # samples (about 3 ms): the limiter's gain is held over a block and its neighbours


def _biquad_gain(freqs: Samples, b: tuple[float, ...], a: tuple[float, ...]) -> Samples:
    import numpy as np

    z = np.exp(-2j * np.pi * freqs / SAMPLE_RATE)
    gain: Samples = np.abs((b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z))
    return gain


def _k_weighting(freqs: Samples) -> Samples:
    """|H(f)| of BS.1770's pre-filter (a +4 dB shelf above about 1.5 kHz) and RLB high-pass (38 Hz)."""
    gain_db, q, fc = 4.0, 1 / math.sqrt(2), 1500.0
    amp, w0 = 10 ** (gain_db / 40), 2 * math.pi * fc / SAMPLE_RATE
    alpha, cos, root = math.sin(w0) / (2 * q), math.cos(w0), math.sqrt(10 ** (gain_db / 40))
    shelf_b = (
        amp * ((amp + 1) + (amp - 1) * cos + 2 * root * alpha),
        -2 * amp * ((amp - 1) + (amp + 1) * cos),
        amp * ((amp + 1) + (amp - 1) * cos - 2 * root * alpha),
    )
    shelf_a = (
        (amp + 1) - (amp - 1) * cos + 2 * root * alpha,
        2 * ((amp - 1) - (amp + 1) * cos),
        (amp + 1) - (amp - 1) * cos - 2 * root * alpha,
    )
    w1 = 2 * math.pi * 38.0 / SAMPLE_RATE
    alpha1, cos1 = math.sin(w1) / (2 * 0.5), math.cos(w1)
    high_b = ((1 + cos1) / 2, -(1 + cos1), (1 + cos1) / 2)
    high_a = (1 + alpha1, -2 * cos1, 1 - alpha1)
    return _biquad_gain(freqs, shelf_b, shelf_a) * _biquad_gain(freqs, high_b, high_a)


def fft_size(n: int) -> int:
    """The smallest length of at least n whose only prime factors are 2, 3 and 5: numpy's FFT
    is fast at those and many times slower at a length with a large prime factor."""
    best = 1 << max(n - 1, 0).bit_length()
    threes = 1
    while threes < best:
        fives = threes
        while fives < best:
            size = fives << max(0, (n - 1) // fives).bit_length()  # fives * the power of two reaching n
            best = min(best, size)
            fives *= 5
        threes *= 3
    return best


@functools.lru_cache(maxsize=8)
def _weighting(pad: int) -> Samples:
    import numpy as np

    return _k_weighting(np.fft.rfftfreq(pad, 1 / SAMPLE_RATE).astype(np.float64))


def lufs(x: Samples) -> float:
    """Integrated loudness of mono samples in [-1, 1] (LUFS; -inf for silence). A clip
    shorter than one block is measured as one block."""
    import numpy as np

    if not len(x):
        return -math.inf
    pad = fft_size(len(x) + SAMPLE_RATE // 10)  # the filters' ring has room before the FFT wraps around
    spectrum = np.fft.rfft(x, pad) * _weighting(pad)
    y = np.fft.irfft(spectrum, pad)[: len(x)]
    size, step = round(BLOCK_S * SAMPLE_RATE), round(STEP_S * SAMPLE_RATE)
    power = np.concatenate(([0.0], np.cumsum(y * y)))
    starts = np.arange(0, max(len(y) - size, 0) + 1, step)
    ends = np.minimum(starts + size, len(y))
    blocks = (power[ends] - power[starts]) / (ends - starts)
    blocks = blocks[-0.691 + 10 * np.log10(np.maximum(blocks, 1e-20)) > ABSOLUTE_GATE]
    if not len(blocks):
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(blocks.mean())) + RELATIVE_GATE
    kept = blocks[-0.691 + 10 * np.log10(blocks) > relative]
    return -0.691 + 10 * math.log10(float(kept.mean()))


def limit(x: Samples, ceiling: float) -> Samples:
    """x with every peak brought under `ceiling`: a gain that dips smoothly (over HOLD samples
    either side, never above what the loudest sample near it needs) where x would exceed it."""
    import numpy as np

    need = np.minimum(1.0, ceiling / np.maximum(np.abs(x), 1e-12))
    if need.min() >= 1.0:
        return x
    blocks = np.pad(need, (0, -len(need) % HOLD), constant_values=1.0).reshape(-1, HOLD).min(axis=1)
    held = np.minimum(blocks, np.minimum(np.r_[1.0, blocks[:-1]], np.r_[blocks[1:], 1.0]))
    window = np.hanning(2 * HOLD + 1)
    gain = np.convolve(np.repeat(held, HOLD)[: len(x)], window / window.sum(), mode="same")
    return np.clip(x * np.minimum(gain, need), -ceiling, ceiling)


def normalize(pcm: bytes) -> bytes:
    """16-bit speech at TARGET_LUFS with peaks under SPEECH_PEAK, and no all-zero samples at
    either end (a gain below one can round the quietest first samples to zero)."""
    import numpy as np

    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768
    level = lufs(x)
    if not math.isfinite(level):
        return pcm
    gain_db = min(TARGET_LUFS - level, MAX_GAIN_DB)
    for _ in range(8):  # the limiter takes a little loudness off: measure again and make it up
        y = limit(x * 10 ** (gain_db / 20), SPEECH_PEAK)
        off = TARGET_LUFS - lufs(y)
        if abs(off) < 0.1 or gain_db >= MAX_GAIN_DB:
            break
        gain_db = min(gain_db + off, MAX_GAIN_DB)
    out = np.trim_zeros(np.round(y * 32767).astype("<i2"))
    return bytes(out.tobytes())
