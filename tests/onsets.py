"""Find where sounds start in decoded audio, by their energy: the test's ear."""

from __future__ import annotations

import numpy as np

WINDOW = 0.005  # seconds of audio per energy measurement
LOUD = 300  # peak amplitude that counts as sound (speech peaks near 28,000; -40 dB)
QUIET_BEFORE = 0.8  # seconds of quiet before an onset: a Piper take once paused 0.6 s inside a cue


def onsets(samples: np.ndarray, rate: int) -> list[float]:
    """Seconds at which sound starts after at least QUIET_BEFORE of quiet (or at the very start)."""
    n = int(WINDOW * rate)
    peaks = np.abs(samples[: len(samples) // n * n].astype(np.int32)).reshape(-1, n).max(axis=1)
    loud = np.flatnonzero(peaks > LOUD)
    gap = QUIET_BEFORE / WINDOW
    out = []
    for i, w in enumerate(loud):
        if i == 0 or w - loud[i - 1] > gap:
            first = np.flatnonzero(np.abs(samples[w * n : (w + 1) * n].astype(np.int32)) > LOUD)[0]
            out.append((w * n + first) / rate)
    return out


def check_cues(samples: np.ndarray, rate: int, doc: dict, tolerance: float = 0.03) -> list[float]:
    """Every cue in the --cues document starts within `tolerance` of a heard onset, and every
    onset that is not a chime is a cue; returns the errors in seconds."""
    chimes = [(c["at"] - tolerance, c["at"] + c["seconds"]) for t in doc["tracks"] for c in t["chimes"]]
    heard = onsets(samples, rate)
    cue_times = [c["at"] for c in doc["cues"]]
    errors = []
    for at in cue_times:
        nearest = min(heard, key=lambda h: abs(h - at))
        errors.append(nearest - at)
        assert abs(nearest - at) <= tolerance, (at, nearest)
    for h in heard:
        near_cue = min(abs(h - at) for at in cue_times) <= tolerance
        assert near_cue or any(lo <= h <= hi for lo, hi in chimes), f"a sound at {h:.3f} s that is no cue"
    return errors
