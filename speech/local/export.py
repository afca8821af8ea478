"""Render a whole routine to one WAV file, and the cue list that says where each cue starts.

Each cue's clip (speech trimmed of espeak's own leading and trailing silence) is placed at
the audio frame nearest its offset, with exact digital silence between clips. If a cue's
speech is still going when the next cue is due, the next cue is pushed back to the frame
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
from collections.abc import Callable
from dataclasses import dataclass

from content.phrases import phrase
from speech.local.engine import SAMPLE_RATE, SAMPLE_WIDTH, SpeechError, Synthesizer
from speech.script import Script

SILENCE_CHUNK = bytes(SAMPLE_RATE * SAMPLE_WIDTH)  # one second


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


def cue_list(script: Script, rendered: Rendered) -> list[dict]:
    """The --cues document: every cue with `at` (seconds from the start of the file) and `text`."""
    return [{"at": round(c.at, 5), "text": c.text, "step": c.step,
             "movement": script.steps[c.step].name, "late": round(c.late, 5)} for c in rendered.cues]


def _temp_beside(path: str, suffix: str):
    """A new temporary file in the target's directory (so os.replace is atomic), or OutputError."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        return tempfile.NamedTemporaryFile(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=suffix,
                                           delete=False)
    except OSError as exc:
        raise OutputError(phrase("offline.error.cannot_write", path=path, reason=exc.strerror or exc)) from exc


def render(script: Script, synth: Synthesizer, path: str, cues_path: str | None = None,
           progress: Callable[[float, float], None] | None = None) -> Rendered:
    """Write the routine to `path` (and its cue list to `cues_path`); progress(done, total) in seconds."""
    if os.path.isdir(path):
        raise OutputError(phrase("offline.error.cannot_write", path=path, reason="it is a directory"))
    temps = [_temp_beside(path, ".part")]
    try:
        if cues_path:
            temps.append(_temp_beside(cues_path, ".part"))
        rendered = _write_audio(script, synth, temps[0], path, progress)
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


def _write_audio(script: Script, synth: Synthesizer, file, path: str, progress) -> Rendered:
    total = round(script.total_seconds * SAMPLE_RATE)
    placed: list[Placed] = []
    written = 0

    def silence_until(frame: int) -> None:
        nonlocal written
        while written < frame:
            n = min(frame - written, SAMPLE_RATE)
            w.writeframes(SILENCE_CHUNK[:n * SAMPLE_WIDTH])
            written += n
            if progress:
                progress(min(written, total) / SAMPLE_RATE, total / SAMPLE_RATE)

    with file, wave.open(file, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(SAMPLE_RATE)
        for at, step, cue in script.timeline():
            clip = synth.clip(cue.text)
            due = round(at * SAMPLE_RATE)
            start = max(due, written)
            silence_until(start)
            w.writeframes(clip.pcm)
            written += clip.frames
            placed.append(Placed(step, cue.text, due, start, written))
        silence_until(total)
    return Rendered(path, written, tuple(placed))
