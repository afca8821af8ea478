"""Local text-to-speech for the offline coach: pyttsx3 driving espeak-ng, one cue at a time,
into 16-bit mono PCM in memory.

Built around the espeak driver's quirks, rather than papering over them:
- One utterance per runAndWait(): each text is saved to its own WAV, then read back.
- say() is never used: the driver keeps the last save path, and a later say() would
  overwrite that file instead of speaking.
- It prints "Audio saved to ..." on stdout: stdout and stderr are silenced at the file
  descriptor level while it runs (espeak-ng's C code writes there too).
- It reads SSML tags aloud: callers pass the plain cue text (or `render_segments` for SSML's
  text and silences).
- runAndWait() cancels espeak's command queue, which can still hold a rate change made just
  before it; we wait for espeak to apply settings (Synchronize) before synthesizing.
Each clip is trimmed of the silence espeak puts before and after speech, so a clip starts
with its first spoken sample and its length is the length of the speech.

espeak-ng initializes once per process and takes one synthesis callback, so every Engine
holds the same pyttsx3 engine (pyttsx3.init shares it while anyone holds it). Each Engine
puts its own voice and rate back before synthesizing whenever espeak is set otherwise.
"""

from __future__ import annotations

import array
import contextlib
import io
import os
import shutil
import sys
import tempfile
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from content.phrases import phrase
from speech.local.pcm import SAMPLE_WIDTH, Clip, read_wav, silence
from speech.timing import WORDS_PER_MINUTE

DEFAULT_RATE = WORDS_PER_MINUTE  # the pace the scripts are timed for
DEFAULT_VOICE = "gmw/en-us"
MIN_RATE, MAX_RATE = 80, 450  # espeak-ng's usable range, words per minute


class SpeechError(Exception):
    """A problem the user can fix; the message is one sentence for them."""


class EngineMissing(SpeechError):
    pass


class UnknownVoice(SpeechError):
    pass


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


def trim(pcm: bytes) -> bytes:
    """Drop the all-zero samples before and after the speech."""
    samples = array.array("h", pcm)
    first = next((i for i, s in enumerate(samples) if s), len(samples))
    last = next((i for i in range(len(samples) - 1, first - 1, -1) if samples[i]), first - 1)
    return pcm[first * SAMPLE_WIDTH : (last + 1) * SAMPLE_WIDTH]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence stdout and stderr, Python's and the C library's (file descriptors 1 and 2)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with (
            open(os.devnull, "w") as null,
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def espeak() -> Any:
    """pyttsx3's engine on espeak-ng (shared, see above), or EngineMissing."""
    try:
        with quiet():
            import pyttsx3  # type: ignore[import-untyped]

            return pyttsx3.init("espeak")
    except Exception as exc:  # ImportError, OSError, RuntimeError: the library or its data is missing
        raise EngineMissing(phrase("offline.error.no_engine")) from exc


def list_voices(tts: Any = None) -> list[Voice]:
    voices = (tts or espeak()).getProperty("voices")
    return sorted((Voice(v.id, v.name, tuple(v.languages or ())) for v in voices), key=lambda v: v.id)


def find_voice(wanted: str, tts: Any = None) -> Voice:
    """A voice by id ("gmw/en-us") or name ("English (America)"), case-insensitively."""
    key = wanted.strip().lower()
    for v in list_voices(tts):
        if key in (v.id.lower(), v.name.lower()):
            return v
    raise UnknownVoice(phrase("offline.error.unknown_voice", voice=wanted))


def default_voice(tts: Any = None) -> str:
    """American English, like Alexa's default voice, when espeak-ng has it."""
    ids = [v.id for v in list_voices(tts)]
    return DEFAULT_VOICE if DEFAULT_VOICE in ids else ids[0]


class Engine:
    """Text to clips with one voice and rate; clips are cached per text. Owns a scratch
    directory for the driver's WAV files: close() (or leaving a `with` block) removes it."""

    kind = "espeak"

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE) -> None:
        self._tts = espeak()
        self.voice = find_voice(voice, self._tts).id if voice else default_voice(self._tts)
        if not MIN_RATE <= rate <= MAX_RATE:
            raise SpeechError(phrase("offline.error.bad_rate", rate=rate, low=MIN_RATE, high=MAX_RATE))
        self.rate = rate
        self._cache: dict[str, Clip] = {}
        self._workdir: str | None = None
        self._warmed_up = False

    @property
    def identity(self) -> str:
        """What makes this engine's audio what it is (for cache keys)."""
        return f"espeak:{self.voice}:{self.rate}"

    def clip(self, text: str) -> Clip:
        if text not in self._cache:
            self._cache[text] = Clip(trim(self._synthesize(text)))
        return self._cache[text]

    def close(self) -> None:
        """Remove the scratch directory (made again if the engine is used after this)."""
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _synthesize(self, text: str) -> bytes:
        self._apply_settings()
        return self._run(text)

    def _apply_settings(self) -> None:
        if self._warmed_up and (self._tts.getProperty("voice"), self._tts.getProperty("rate")) == (
            self.voice,
            self.rate,
        ):
            return
        from pyttsx3.drivers import _espeak as espeak_lib  # type: ignore[import-untyped]

        if not self._warmed_up:
            self._run("Ready.")  # the driver queues its own initial settings until the first run
            self._warmed_up = True
        self._tts.setProperty("voice", self.voice)
        self._tts.setProperty("rate", self.rate)
        espeak_lib.Synchronize()  # or runAndWait may cancel the rate change still queued in espeak

    def _run(self, text: str) -> bytes:
        if self._workdir is None:
            self._workdir = tempfile.mkdtemp(prefix="recovery-coach-tts-")
        path = os.path.join(self._workdir, "utterance.wav")
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        with quiet():
            self._tts.save_to_file(text, path)
            self._tts.runAndWait()
        try:
            return read_wav(path)
        except (OSError, EOFError, wave.Error) as exc:
            raise SpeechError(phrase("offline.error.no_audio_made", text=text[:40])) from exc


def render_segments(segments: Iterable[str | float], engine: Engine) -> Clip:
    """What a listener hears (`speech.ssml.segments`: text, and silences in seconds) as one
    clip: each text synthesized as one utterance, each silence exact."""
    pcm = bytearray()
    for piece in segments:
        if isinstance(piece, str):
            if piece.strip():
                pcm += engine.clip(piece.strip()).pcm
        else:
            pcm += silence(piece)
    return Clip(bytes(pcm))
