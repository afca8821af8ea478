"""Local text-to-speech for the offline coach: pyttsx3 driving espeak-ng, one cue at a time,
into 16-bit mono PCM in memory.

Built around the espeak driver's quirks (DESIGN.md), rather than papering over them:
- One utterance per runAndWait(): each text is saved to its own WAV, then read back.
- say() is never used: the driver keeps the last save path, and a later say() would
  overwrite that file instead of speaking.
- It prints "Audio saved to ..." on stdout: stdout and stderr are silenced at the file
  descriptor level while it runs (espeak-ng's C code writes there too).
- It reads SSML tags aloud: callers pass the plain cue text.
- runAndWait() cancels espeak's command queue, which can still hold a rate change made just
  before it; we wait for espeak to apply settings (Synchronize) before synthesizing.
Each clip is trimmed of the silence espeak puts before and after speech, so a clip starts
with its first spoken sample and its length is the length of the speech.
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
from dataclasses import dataclass

from content.phrases import phrase
from speech.timing import WORDS_PER_MINUTE

SAMPLE_RATE = 22050  # what the espeak driver writes: 16-bit mono at 22,050 Hz
SAMPLE_WIDTH = 2
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
class Clip:
    """Speech as 16-bit little-endian mono samples at SAMPLE_RATE."""

    pcm: bytes

    @property
    def frames(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE


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
    return pcm[first * SAMPLE_WIDTH:(last + 1) * SAMPLE_WIDTH]


@contextlib.contextmanager
def quiet():
    """Silence stdout and stderr, Python's and the C library's (file descriptors 1 and 2)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


_engine = None
_settings: tuple[str, int] | None = None  # (voice id, rate) espeak is set to
_cache: dict[tuple[str, int, str], Clip] = {}
_workdir: str | None = None


def _espeak():
    """The pyttsx3 engine on espeak-ng (one per process: espeak initializes once)."""
    global _engine
    if _engine is None:
        try:
            with quiet():
                import pyttsx3

                engine = pyttsx3.init("espeak")
        except Exception as exc:  # ImportError, OSError, RuntimeError: the library or its data is missing
            raise EngineMissing(phrase("offline.error.no_engine")) from exc
        _engine = engine
    return _engine


def list_voices() -> list[Voice]:
    voices = _espeak().getProperty("voices")
    return sorted((Voice(v.id, v.name, tuple(v.languages or ())) for v in voices), key=lambda v: v.id)


def find_voice(wanted: str) -> Voice:
    """A voice by id ("gmw/en-us") or name ("English (America)"), case-insensitively."""
    key = wanted.strip().lower()
    for v in list_voices():
        if key in (v.id.lower(), v.name.lower()):
            return v
    raise UnknownVoice(phrase("offline.error.unknown_voice", voice=wanted))


def default_voice() -> str:
    """American English, like Alexa's default voice, when espeak-ng has it."""
    ids = [v.id for v in list_voices()]
    return DEFAULT_VOICE if DEFAULT_VOICE in ids else ids[0]


class Synthesizer:
    """Text to clips with one voice and rate; clips are cached per (voice, rate, text)."""

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE):
        _espeak()
        self.voice = find_voice(voice).id if voice else default_voice()
        if not MIN_RATE <= rate <= MAX_RATE:
            raise SpeechError(phrase("offline.error.bad_rate", rate=rate, low=MIN_RATE, high=MAX_RATE))
        self.rate = rate

    def clip(self, text: str) -> Clip:
        key = (self.voice, self.rate, text)
        if key not in _cache:
            _cache[key] = Clip(trim(self._synthesize(text)))
        return _cache[key]

    def _apply_settings(self) -> None:
        global _settings
        if _settings == (self.voice, self.rate):
            return
        from pyttsx3.drivers import _espeak as espeak_lib

        engine = _espeak()
        if _settings is None:
            self._run("Ready.")  # the driver queues its own initial settings until the first run
        engine.setProperty("voice", self.voice)
        engine.setProperty("rate", self.rate)
        espeak_lib.Synchronize()  # or runAndWait may cancel the rate change still queued in espeak
        _settings = (self.voice, self.rate)

    def _run(self, text: str) -> bytes:
        global _workdir
        if _workdir is None:
            _workdir = tempfile.mkdtemp(prefix="recovery-coach-tts-")
        path = os.path.join(_workdir, "utterance.wav")
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        engine = _espeak()
        with quiet():
            engine.save_to_file(text, path)
            engine.runAndWait()
        try:
            with wave.open(path, "rb") as w:
                pcm = w.readframes(w.getnframes())
        except (OSError, EOFError, wave.Error) as exc:
            raise SpeechError(phrase("offline.error.no_audio_made", text=text[:40])) from exc
        return pcm

    def _synthesize(self, text: str) -> bytes:
        self._apply_settings()
        return self._run(text)


def cleanup() -> None:
    """Remove the scratch directory the engine writes into (made again when needed)."""
    global _workdir
    if _workdir:
        shutil.rmtree(_workdir, ignore_errors=True)
        _workdir = None
