"""Where utterances start and end, by loudness over the room's own noise floor.

pocketsphinx's voice activity detector held an utterance open for as long as a fan or music
played under it at 10 dB SNR (both sound voiced to it), so no command ever ended. This one
follows the noise floor (the first frame's level to begin with; it drops at once to a
quieter frame and rises slowly, FLOOR_RISE dB a second, so steady noise becomes the floor
and speech does not) and calls a frame speech when it is ABOVE_FLOOR dB louder. An
utterance starts after START_FRAMES speech frames of the last START_OF, keeps LOOKBACK
frames from before it (the start of the first word), and ends after END_FRAMES frames
without speech (0.3 s).
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import dataclass, field

FRAME = 0.03  # seconds a frame
ABOVE_FLOOR = 9.0  # dB over the noise floor that is speech
FLOOR_RISE = 3.0  # dB a second the floor may rise
QUIETEST = -60.0  # dBFS: the floor never goes below this (digital silence)
START_FRAMES, START_OF = 3, 5
END_FRAMES = 10
LOOKBACK = 8


def level(frame: bytes) -> float:
    """A frame's loudness in dBFS."""
    samples = array("h", frame)
    power = sum(s * s for s in samples) / max(1, len(samples)) / 32768.0**2
    return 10 * math.log10(power) if power > 0 else -120.0


@dataclass
class Endpointer:
    """Frames in; for each, the frames to hand the recognizer (those of an utterance), and
    whether an utterance starts or ends with it."""

    floor: float | None = None  # dBFS; None until the first frame, which sets it
    speaking: bool = False
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=START_OF))
    before: deque[bytes] = field(default_factory=lambda: deque(maxlen=LOOKBACK))
    quiet: int = 0
    frames: int = 0  # frames seen: the stream's clock

    def process(self, frame: bytes, heard: bytes | None = None) -> tuple[list[bytes], bool, bool]:
        """(frames for the recognizer, started, ended) for one frame: its loudness is measured
        on `frame`, and what the recognizer gets of it is `heard` (the frame itself if None)."""
        self.frames += 1
        db = level(frame)
        frame = frame if heard is None else heard
        floor = db if self.floor is None else self.floor + FLOOR_RISE * FRAME
        self.floor = max(QUIETEST, min(db, floor))
        loud = db > self.floor + ABOVE_FLOOR
        self.recent.append(loud)
        if not self.speaking:
            self.before.append(frame)
            if sum(self.recent) >= START_FRAMES:
                self.speaking, self.quiet = True, 0
                out = list(self.before)
                self.before.clear()
                return out, True, False
            return [], False, False
        self.quiet = 0 if loud else self.quiet + 1
        if self.quiet >= END_FRAMES:
            self.speaking = False
            self.recent.clear()
            return [frame], False, True
        return [frame], False, False

    @property
    def now(self) -> float:
        return self.frames * FRAME
