"""What a recognizer must do for the coach: audio frames in, (text, confidence) out.

Any engine that keeps to this can replace pocketsphinx: feed it 16-bit little-endian mono
PCM at SAMPLE_RATE as it arrives, and it answers each utterance once it has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SAMPLE_RATE = 16_000  # what the recognizer hears; sources convert to it


@dataclass(frozen=True)
class Heard:
    """One utterance: the words recognised (lower case, "" for none), how sure the engine is
    (0..1), and when it started and ended, in seconds of the audio stream."""

    text: str
    confidence: float
    start: float
    end: float


class Listener(Protocol):
    def feed(self, pcm: bytes) -> list[Heard]: ...  # audio in; the utterances that ended in it
    def close(self) -> list[Heard]: ...  # the stream ended; an utterance still open ends with it
