"""Render a whole routine to one file, WAV or MP3 by its extension, and the cue list that
says where each cue starts.

A routine is its step tracks (`tracks`) in order, streamed to the file a block at a time
(never held whole). Each cue's speech starts at the frame nearest its offset, pushed back
only by the rule in `speech.schedule`; the cue list records where each cue really starts
(`at`) and how late that is (`late`), so the list always matches the file. An MP3 render is
also kept whole in the disk cache, keyed by everything that makes its audio: rendering the
same routine again copies it from there.

The file is written whole or not at all: audio goes to a temporary file beside the target,
which replaces the target only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from content.phrases import phrase
from content.planner import PlanInputs
from speech.local import mp3, tracks
from speech.local.cache import DiskCache
from speech.local.engine import SpeechError
from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH, wav_writer
from speech.local.trackkey import RENDER_VERSION, track_path
from speech.local.voices import Speaker
from speech.script import Script

Progress = Callable[[float, float], None]  # progress(done, total), in seconds of audio
FORMATS = (".wav", ".mp3")


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
    tracks: tuple[tracks.Track, ...] = ()
    starts: tuple[int, ...] = ()  # each track's first frame in the file
    cached: bool = False  # the audio came from the cache

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE

    @property
    def pushed(self) -> list[Placed]:
        return [c for c in self.cues if c.start != c.due]


def cue_document(
    script: Script, rendered: Rendered, voice: str, inputs: PlanInputs | None = None, rate: int | None = None
) -> dict[str, Any]:
    """The --cues document: the voice, every cue (`at` seconds from the start of the file,
    `text`, `step`, `movement`, `late`) and every track (where it starts, how long, its chimes)."""
    cues = [
        {
            "at": round(c.at, 5),
            "text": c.text,
            "step": c.step,
            "movement": script.steps[c.step].name,
            "late": round(c.late, 5),
        }
        for c in rendered.cues
    ]
    out_tracks = []
    for track, start in zip(rendered.tracks, rendered.starts):
        entry: dict[str, Any] = {
            "step": track.step,
            "movement": script.steps[track.step].name,
            "at": round(start / SAMPLE_RATE, 5),
            "seconds": round(track.seconds, 5),
            "chimes": [
                {
                    "at": round((start + c.start) / SAMPLE_RATE, 5),
                    "sound": c.sound,
                    "seconds": round(len(tracks.chime(c.sound)) / SAMPLE_RATE, 5),
                }
                for c in track.chimes
            ],
        }
        if inputs is not None and rate is not None:
            entry["track"] = track_path(inputs, track.step, voice, rate)
        out_tracks.append(entry)
    return {"voice": voice, "cues": cues, "tracks": out_tracks}


def _temp_beside(path: str, suffix: str) -> IO[bytes]:
    """A new temporary file in the target's directory (so os.replace is atomic), or OutputError."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        return tempfile.NamedTemporaryFile(
            dir=folder, prefix=f".{os.path.basename(path)}.", suffix=suffix, delete=False
        )
    except OSError as exc:
        raise OutputError(phrase("offline.error.cannot_write", path=path, reason=exc.strerror or exc)) from exc


def file_format(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise OutputError(phrase("offline.error.bad_format", path=path))
    return ext


def layout(script: Script, speaker: Speaker, lead: int = 0) -> Rendered:
    """Every track of the routine, and where each cue falls in the whole file (no audio yet);
    no speech starts before frame `lead` (an MP3's encoder delay)."""
    laid = tuple(tracks.layout(script, i, speaker, lead if i == 0 else 0) for i in range(len(script.steps)))
    starts, placed, at = [], [], 0
    for track in laid:
        starts.append(at)
        placed += [Placed(c.step, c.text, at + c.due, at + c.start, at + c.end) for c in track.cues]
        at += track.frames
    return Rendered("", at, tuple(placed), laid, tuple(starts))


def routine_key(script: Script, speaker: Speaker, ext: str) -> str:
    steps = [[s.seconds, [[c.at, c.text] for c in s.cues]] for s in script.steps]
    doc = json.dumps([RENDER_VERSION, speaker.identity, ext, mp3.BITRATE, steps], ensure_ascii=False)
    return hashlib.sha256(doc.encode()).hexdigest()


def render(
    script: Script,
    speaker: Speaker,
    path: str,
    cues_path: str | None = None,
    progress: Progress | None = None,
    cache: DiskCache | None = None,
    inputs: PlanInputs | None = None,
) -> Rendered:
    """Write the routine to `path` (and its cue document to `cues_path`); progress(done, total) in seconds."""
    if os.path.isdir(path):
        raise OutputError(phrase("offline.error.cannot_write", path=path, reason="it is a directory"))
    ext = file_format(path)
    temps = [_temp_beside(path, ".part")]
    try:
        if cues_path:
            temps.append(_temp_beside(cues_path, ".part"))
        done = layout(script, speaker, mp3.ENCODER_DELAY if ext == ".mp3" else 0)
        with temps[0] as f:
            cached = _write_audio(script, speaker, done, f, ext, progress, cache)
        done = Rendered(path, done.frames, done.cues, done.tracks, done.starts, cached)
        if cues_path:
            doc = cue_document(script, done, speaker.voice, inputs, speaker.rate)
            with temps[1] as f:
                f.write(json.dumps(doc, indent=2).encode() + b"\n")
        for temp in temps:
            os.chmod(temp.name, 0o644)
        os.replace(temps[0].name, path)
        if cues_path:
            os.replace(temps[1].name, cues_path)
        return done
    except BaseException:
        for temp in temps:
            temp.close()
            with contextlib.suppress(OSError):
                os.remove(temp.name)
        raise


def pcm_blocks(done: Rendered, speaker: Speaker, progress: Progress | None = None) -> Iterator[bytes]:
    """The routine's PCM, track after track, a block at a time."""
    written = 0
    for track in done.tracks:
        for block in tracks.blocks(track, speaker):
            yield block
            written += len(block) // SAMPLE_WIDTH
            if progress:
                progress(written / SAMPLE_RATE, done.frames / SAMPLE_RATE)


def _write_audio(
    script: Script,
    speaker: Speaker,
    done: Rendered,
    file: IO[bytes],
    ext: str,
    progress: Progress | None,
    cache: DiskCache | None,
) -> bool:
    """Write the audio; True when it came whole from the cache."""
    if ext == ".wav":
        with wav_writer(file) as w:
            for block in pcm_blocks(done, speaker, progress):
                w.writeframes(block)
        return False
    key = routine_key(script, speaker, ext)
    found = cache.find("renders", key, "mp3") if cache else None
    if found:
        with open(found, "rb") as src:
            shutil.copyfileobj(src, file)
        if progress:
            progress(done.seconds, done.seconds)
        return True
    for piece in mp3.encode(pcm_blocks(done, speaker, progress)):
        file.write(piece)
    if cache:
        file.flush()
        with open(file.name, "rb") as src:
            cache.put("renders", key, "mp3", iter(lambda: src.read(1 << 20), b""))
    return False
