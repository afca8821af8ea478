"""Step tracks: one step of a script as one piece of audio, the unit every place that plays
local audio uses (render to WAV or MP3, `play`, the server's /audio route).

In a track each cue's speech starts at the audio frame nearest its offset in the step, pushed
back only by the one shared rule (`speech.schedule`) when the cue before is still speaking.
Soft synthesized chimes sound under the speech at the start of a movement (its "begin" cue),
at "switch sides/legs" cues, and once a second for the last three seconds of the step; the
rest is exact digital silence. A track lasts its step, or longer only if its last cue's
speech runs past the end (nothing is cut off).

Audio comes out in blocks (`blocks`), so a track, or a routine of them, is never held whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from speech import schedule
from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH
from speech.local.voices import Speaker
from speech.script import Script

BLOCK = SAMPLE_RATE  # frames per block of audio handed out (one second)
CHIME_CUES = ("begin", "switch")  # cue kinds a chime marks
COUNTDOWN = (3, 2, 1)  # seconds before a step's end that get a tick


@dataclass(frozen=True)
class Placed:
    """A cue in its track: frames from the track's start (due by the script, and real)."""

    step: int
    text: str
    kind: str
    due: int
    start: int
    end: int


@dataclass(frozen=True)
class Chime:
    start: int  # frame in the track
    sound: str  # "bell" or "tick"


@dataclass(frozen=True)
class Track:
    step: int
    frames: int
    cues: tuple[Placed, ...]
    chimes: tuple[Chime, ...]

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE


@functools.cache
def chime(sound: str) -> np.ndarray:
    """A soft chime: sine partials under a smooth envelope that is exactly zero at both ends."""
    seconds, partials, level = {
        "bell": (0.45, ((880.0, 1.0), (1320.0, 0.35)), 0.12),
        "tick": (0.12, ((1046.5, 1.0),), 0.08),
    }[sound]
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    envelope = np.sin(np.pi * t / seconds) ** 2 * np.exp(-4.0 * t / seconds)
    wave = sum(weight * np.sin(2 * np.pi * freq * t) for freq, weight in partials)
    out = np.round(32767 * level * envelope * wave / max(w for _, w in partials)).astype(np.int16)
    out[0] = out[-1] = 0
    return out


def layout(script: Script, index: int, speaker: Speaker, free_at: int = 0) -> Track:
    """Where every cue and chime of step `index` falls (synthesizing, or reading, its clips).
    free_at: the first frame speech may start (an MP3 stream cannot sound in its first frames)."""
    step = script.steps[index]
    step_frames = step.seconds * SAMPLE_RATE
    cues = list(step.cues)
    lengths = [speaker.clip(c.text).frames for c in cues]
    slots = schedule.place(((round(c.at * SAMPLE_RATE), n) for c, n in zip(cues, lengths)), free_at)
    placed = tuple(Placed(index, c.text, c.kind, s.due, s.start, s.end) for c, s in zip(cues, slots))
    chimes = [Chime(p.start, "bell") for p in placed if p.kind in CHIME_CUES]
    chimes += [Chime(step_frames - s * SAMPLE_RATE, "tick") for s in COUNTDOWN if s < step.seconds]
    end = max([step_frames, *(p.end for p in placed), *(c.start + len(chime(c.sound)) for c in chimes)])
    return Track(index, end, placed, tuple(sorted(chimes, key=lambda c: c.start)))


def _pieces(track: Track, speaker: Speaker) -> list[tuple[int, np.ndarray]]:
    out = [(p.start, np.frombuffer(speaker.clip(p.text).pcm, dtype="<i2")) for p in track.cues]
    out += [(c.start, chime(c.sound)) for c in track.chimes]
    return sorted(out, key=lambda piece: piece[0])


_ZERO = bytes(BLOCK * SAMPLE_WIDTH)


def blocks(track: Track, speaker: Speaker, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The track's PCM from frame `start` to `stop` (default its end), a block at a time;
    overlapping sounds are mixed (and clipped to 16 bits)."""
    stop = track.frames if stop is None else min(stop, track.frames)
    pieces = _pieces(track, speaker)
    for b in range(start, stop, BLOCK):
        e = min(b + BLOCK, stop)
        mix: np.ndarray | None = None
        for at, samples in pieces:  # a few dozen at most
            if at >= e:
                break
            lo, hi = max(b, at), min(e, at + len(samples))
            if lo >= hi:
                continue
            if mix is None:
                mix = np.zeros(e - b, dtype=np.int32)
            mix[lo - b : hi - b] += samples[lo - at : hi - at]
        if mix is None:
            yield _ZERO[: (e - b) * SAMPLE_WIDTH]
        else:
            yield np.clip(mix, -32768, 32767).astype("<i2").tobytes()
