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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from speech import schedule
from speech.local import sentences
from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH, Clip
from speech.local.voices import Speaker
from speech.script import Cue, Script

BLOCK = SAMPLE_RATE  # frames per block of audio handed out (one second)
CHIME_CUES = ("begin", "switch")  # cue kinds a chime marks
COUNTDOWN = (3, 2, 1)  # seconds before a step's end that get a tick
FOREVER = 1 << 62  # a frame past any track's end


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


def _cues(script: Script, index: int, speaker: Speaker, free_at: int) -> Iterator[tuple[Placed, Clip]]:
    """Step `index`'s cues placed by the rule, in order, each with its clip; lazy: a cue's
    clip is synthesized (or read) only when the cue is placed."""
    cues = script.steps[index].cues
    clips = (speaker.clip(c.text) for c in cues)
    lengths: list[Clip] = []

    def timed() -> Iterator[tuple[int, int]]:
        for c, clip in zip(cues, clips):
            lengths.append(clip)
            yield round(c.at * SAMPLE_RATE), clip.frames

    for c, slot in zip(cues, schedule.place(timed(), free_at)):
        yield Placed(index, c.text, c.kind, slot.due, slot.start, slot.end), lengths[-1]


def _ticks(script: Script, index: int) -> list[Chime]:
    step = script.steps[index]
    return [Chime(step.seconds * SAMPLE_RATE - s * SAMPLE_RATE, "tick") for s in COUNTDOWN if s < step.seconds]


def _end(step_frames: int, placed: Iterable[Placed], chimes: Iterable[Chime]) -> int:
    """A track lasts its step, or until its last cue or chime ends if that is later."""
    return max([step_frames, *(p.end for p in placed), *(c.start + len(chime(c.sound)) for c in chimes)])


def layout(script: Script, index: int, speaker: Speaker, free_at: int = 0) -> Track:
    """Where every cue and chime of step `index` falls (synthesizing, or reading, its clips).
    free_at: the first frame speech may start (an MP3 stream cannot sound in its first frames)."""
    placed = tuple(p for p, _ in _cues(script, index, speaker, free_at))
    chimes = [Chime(p.start, "bell") for p in placed if p.kind in CHIME_CUES] + _ticks(script, index)
    end = _end(script.steps[index].seconds * SAMPLE_RATE, placed, chimes)
    return Track(index, end, placed, tuple(sorted(chimes, key=lambda c: c.start)))


def _pieces(track: Track, speaker: Speaker) -> list[tuple[int, np.ndarray]]:
    out = [(p.start, np.frombuffer(speaker.clip(p.text).pcm, dtype="<i2")) for p in track.cues]
    out += [(c.start, chime(c.sound)) for c in track.chimes]
    return sorted(out, key=lambda piece: piece[0])


_ZERO = bytes(BLOCK * SAMPLE_WIDTH)


def _mix(pieces: list[tuple[int, np.ndarray]], b: int, e: int) -> bytes:
    """Frames b to e of the sounds in `pieces` (sorted by start), mixed and clipped to 16 bits."""
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
        return _ZERO[: (e - b) * SAMPLE_WIDTH]
    mixed: bytes = np.clip(mix, -32768, 32767).astype("<i2").tobytes()
    return mixed


def blocks(track: Track, speaker: Speaker, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The track's PCM from frame `start` to `stop` (default its end), a block at a time;
    overlapping sounds are mixed (and clipped to 16 bits)."""
    stop = track.frames if stop is None else min(stop, track.frames)
    pieces = _pieces(track, speaker)
    for b in range(start, stop, BLOCK):
        yield _mix(pieces, b, min(b + BLOCK, stop))


class _Saying:
    """The cue being said in a track made as it goes: its sentences are handed out as the
    blocks they sound in come (speech.local.sentences), so a long first cue's first
    sentence goes out before its last is synthesized."""

    def __init__(self, index: int, cue: Cue, start: int, speaker: Speaker) -> None:
        self.index, self.cue, self.start, self.end = index, cue, start, start
        self.speaker, self._to_say, self._at = speaker, sentences.parts(speaker.kind, cue.text), 0

    @property
    def done(self) -> bool:
        return not self._to_say

    def until(self, frame: int, pieces: list[tuple[int, np.ndarray]]) -> None:
        """Add to `pieces` every sentence that starts before `frame`, synthesizing it then."""
        while self._to_say and self.start + self._at < frame:
            clip = self.speaker.clip(self._to_say.pop(0))
            pieces.append((self.start + self._at, np.frombuffer(clip.pcm, dtype="<i2")))
            pieces.sort(key=lambda piece: piece[0])
            self.end = self.start + self._at + clip.frames
            self._at += clip.frames + sentences.GAP_FRAMES

    def placed(self) -> Placed:
        """The cue where it fell, once said whole."""
        due = round(self.cue.at * SAMPLE_RATE)
        return Placed(self.index, self.cue.text, self.cue.kind, due, self.start, self.end)


def progressive(script: Script, index: int, speaker: Speaker, free_at: int = 0) -> Iterator[bytes]:
    """The same PCM as blocks(layout(...)), block by block, made as it goes: a cue's speech
    is synthesized a sentence at a time, when the first block it may sound in comes (no cue
    sounds before it is due), so the first block is out once the first sentence is."""
    cues = script.steps[index].cues
    step_frames = script.steps[index].seconds * SAMPLE_RATE
    chimes = _ticks(script, index)
    pieces = sorted(((c.start, chime(c.sound)) for c in chimes), key=lambda piece: piece[0])
    placed: list[Placed] = []
    saying: _Saying | None = None
    b = 0
    while True:
        e = b + BLOCK
        while (n := len(placed) + (saying is not None)) < len(cues) and round(cues[n].at * SAMPLE_RATE) < e:
            if saying is not None:  # the cue before must be said whole: where it ends decides this one's start
                saying.until(FOREVER, pieces)
                placed.append(saying.placed())
                free_at = saying.end
            saying = _Saying(n, cues[n], schedule.start(round(cues[n].at * SAMPLE_RATE), free_at), speaker)
            if cues[n].kind in CHIME_CUES:
                chimes.append(Chime(saying.start, "bell"))
                pieces.append((saying.start, chime("bell")))
                pieces.sort(key=lambda piece: piece[0])
        if saying is not None:
            last = len(placed) + 1 == len(cues)
            saying.until(FOREVER if last else e, pieces)  # the last cue whole: the track's end is known
            if last:
                placed.append(saying.placed())
                saying = None
        if len(placed) == len(cues):  # every cue placed: the end is known
            e = min(e, _end(step_frames, placed, chimes))
            if b >= e:
                return
        yield _mix(pieces, b, e)
        b = e
