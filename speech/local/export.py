"""Render a whole routine to one WAV file, and the cue list that says where each cue starts.

Each cue's clip (speech trimmed of espeak's own leading and trailing silence) is placed at
the audio frame nearest its offset, with exact digital silence between clips. If a cue's
speech is still going when the next cue is due, the next cue is pushed back (`speech.schedule`) to the frame
where the speech ends: nothing is cut off, and the cue list records where each cue really
starts (`at`), how late that is (`late`), so the cue list always matches the file.

The file is written whole or not at all: audio goes to a temporary file beside the target,
which replaces the target only when complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from content.phrases import phrase
from speech import schedule
from speech.local.engine import Engine, SpeechError
from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH, silence, wav_writer
from speech.script import Script

Progress = Callable[[float, float], None]  # progress(done, total), in seconds of audio


class OutputError(SpeechError):
    pass


@dataclass(frozen=True)
class Placed:
    """A cue as it is in the file: where it was due and where its speech starts and ends (frames)."""

    step: int
    text: str
    due: int
    start: int
    end: int

    @property
    def at(self) -> float:
        return self.start / SAMPLE_RATE

    @property
    def late(self) -> float:
        return (self.start - self.due) / SAMPLE_RATE


@dataclass(frozen=True)
class Rendered:
    path: str
    frames: int
    cues: tuple[Placed, ...]

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE

    @property
    def pushed(self) -> list[Placed]:
        return [c for c in self.cues if c.start != c.due]


def cue_list(script: Script, rendered: Rendered) -> list[dict[str, Any]]:
    """The --cues document: every cue with `at` (seconds from the start of the file) and `text`."""
    return [
        {
            "at": round(c.at, 5),
            "text": c.text,
            "step": c.step,
            "movement": script.steps[c.step].name,
            "late": round(c.late, 5),
        }
        for c in rendered.cues
    ]


def _temp_beside(path: str, suffix: str) -> IO[bytes]:
    """A new temporary file in the target's directory (so os.replace is atomic), or OutputError."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        return tempfile.NamedTemporaryFile(
            dir=folder, prefix=f".{os.path.basename(path)}.", suffix=suffix, delete=False
        )
    except OSError as exc:
        raise OutputError(phrase("offline.error.cannot_write", path=path, reason=exc.strerror or exc)) from exc


def render(
    script: Script, engine: Engine, path: str, cues_path: str | None = None, progress: Progress | None = None
) -> Rendered:
    """Write the routine to `path` (and its cue list to `cues_path`); progress(done, total) in seconds."""
    if os.path.isdir(path):
        raise OutputError(phrase("offline.error.cannot_write", path=path, reason="it is a directory"))
    temps = [_temp_beside(path, ".part")]
    try:
        if cues_path:
            temps.append(_temp_beside(cues_path, ".part"))
        rendered = _write_audio(script, engine, temps[0], path, progress)
        if cues_path:
            with temps[1] as f:
                f.write(json.dumps(cue_list(script, rendered), indent=2).encode() + b"\n")
        for temp in temps:
            os.chmod(temp.name, 0o644)
        os.replace(temps[0].name, path)
        if cues_path:
            os.replace(temps[1].name, cues_path)
        return rendered
    except BaseException:
        for temp in temps:
            temp.close()
            with contextlib.suppress(OSError):
                os.remove(temp.name)
        raise


class _Track:
    """The WAV being written, and how many frames it has (reported to `progress`)."""

    def __init__(self, wav: wave.Wave_write, total: int, progress: Progress | None) -> None:
        self.wav, self.total, self.progress = wav, total, progress
        self.written = 0

    def silence_until(self, frame: int) -> None:
        while self.written < frame:
            n = min(frame - self.written, SAMPLE_RATE)
            self.wav.writeframes(_SECOND[: n * SAMPLE_WIDTH])
            self.written += n
            if self.progress:
                self.progress(min(self.written, self.total) / SAMPLE_RATE, self.total / SAMPLE_RATE)

    def write(self, pcm: bytes) -> None:
        self.wav.writeframes(pcm)
        self.written += len(pcm) // SAMPLE_WIDTH


_SECOND = silence(1.0)  # silence is written a second at a time at most


def _write_audio(script: Script, engine: Engine, file: IO[bytes], path: str, progress: Progress | None) -> Rendered:
    total = round(script.total_seconds * SAMPLE_RATE)
    timeline = script.timeline()

    def due_and_length() -> Iterator[tuple[int, int]]:  # each clip is synthesized as it is placed
        for at, _, cue in timeline:
            yield round(at * SAMPLE_RATE), engine.clip(cue.text).frames

    placed: list[Placed] = []
    with file, wav_writer(file) as w:
        track = _Track(w, total, progress)
        for (_, step, cue), slot in zip(timeline, schedule.place(due_and_length(), 0)):
            track.silence_until(slot.start)
            track.write(engine.clip(cue.text).pcm)  # cached when placed
            placed.append(Placed(step, cue.text, slot.due, slot.start, slot.end))
        track.silence_until(total)
    return Rendered(path, track.written, tuple(placed))
