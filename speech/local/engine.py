"""Local text-to-speech for the offline coach: espeak-ng, one cue at a time, into 16-bit
mono PCM in memory, from any number of threads at once.

Each text is spoken by its own `espeak-ng --stdout` process (the program, where the design
card names pyttsx3, the library's Python binding):
- espeak-ng carries noise and pitch-flutter state from one utterance to the next, so in a
  synthesizer that lives on, a text's audio depends on what was said before it. A fresh
  synthesizer per text makes a clip depend on its voice, rate and text alone, whichever
  thread asks and in whatever order (clips are cached by exactly those).
- Through pyttsx3 a fresh synthesizer per text is a Python process per text that must
  speak a warm-up utterance first (its driver's first run can return before the audio is
  written): much slower than the program, for no better audio.
- The library, loaded here, prints to file descriptors 1 and 2 and has one voice per
  process: from threads it mixed voices, and silencing it meant pointing the whole
  process's fds 1 and 2 at /dev/null. This process never loads it and never touches fds
  1 and 2; each espeak-ng process gets its own pipes.
pyttsx3 still lists the voices, in a child process once per process, so voice ids and
names are what they were. Each clip is trimmed of the silence espeak puts before and after
speech, so a clip starts with its first spoken sample and its length is the speech's.
"""

from __future__ import annotations

import array
import functools
import io
import json
import subprocess
import sys
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

from content.phrases import phrase
from speech.local import loudness
from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH, Clip, silence
from speech.timing import WORDS_PER_MINUTE

DEFAULT_RATE = WORDS_PER_MINUTE  # the pace the scripts are timed for
DEFAULT_VOICE = "gmw/en-us"
MIN_RATE, MAX_RATE = 80, 450  # espeak-ng's usable range, words per minute
PROGRAM = "espeak-ng"
# How the audio is made: part of every cache key for it. Change it whenever the same voice,
# rate and text would give other bytes, so that no cached clip or track from before is used.
SYNTHESIS = "espeak-ng-each-text"
TEXT_TIMEOUT = 60.0  # seconds for one text: far more than any cue takes
LIST_TIMEOUT = 60.0  # seconds for pyttsx3 to load espeak-ng and list its voices
LIST_VOICES = (  # run with -P: nothing from the current folder shadows what it imports
    "import json, pyttsx3\n"
    "voices = pyttsx3.init('espeak').getProperty('voices')\n"
    "print(json.dumps([[v.id, v.name, list(v.languages or ())] for v in voices]))\n"
)


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


@functools.cache
def _voices() -> tuple[Voice, ...]:
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-c", LIST_VOICES], capture_output=True, timeout=LIST_TIMEOUT, check=True
        )
        listed = json.loads(done.stdout.splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:  # no pyttsx3, library or data
        raise EngineMissing(phrase("offline.error.no_engine")) from exc
    return tuple(sorted((Voice(v[0], v[1], tuple(v[2])) for v in listed), key=lambda v: v.id))


def list_voices() -> list[Voice]:
    """espeak-ng's voices by id (EngineMissing without espeak-ng); listed once per process."""
    return list(_voices())


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


def synthesize(voice: str, rate: int, text: str, timeout: float = TEXT_TIMEOUT) -> bytes:
    """`text` as one utterance by a fresh espeak-ng: its PCM, untrimmed. SpeechError if none
    comes within `timeout` seconds (the process is killed), EngineMissing without the program."""
    try:
        done = subprocess.run(
            [PROGRAM, "-b", "1", "-v", voice, "-s", str(rate), "--stdout"],  # -b 1: the text is UTF-8
            input=text.encode(),
            capture_output=True,
            timeout=timeout,
            check=True,
        )
        with wave.open(io.BytesIO(done.stdout), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, SAMPLE_WIDTH, SAMPLE_RATE):
                raise ValueError(f"{PROGRAM} wrote {w.getparams()}")
            return w.readframes(w.getnframes())
    except FileNotFoundError as exc:
        raise EngineMissing(phrase("offline.error.no_engine")) from exc
    except (OSError, subprocess.SubprocessError, EOFError, wave.Error, ValueError) as exc:
        raise SpeechError(phrase("offline.error.no_audio_made", text=text[:40])) from exc


class Engine:
    """Text to clips with one voice and rate; clips are cached per text. Any thread may use it."""

    kind = "espeak"

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE, timeout: float = TEXT_TIMEOUT) -> None:
        self.voice = find_voice(voice).id if voice else default_voice()
        if not MIN_RATE <= rate <= MAX_RATE:
            raise SpeechError(phrase("offline.error.bad_rate", rate=rate, low=MIN_RATE, high=MAX_RATE))
        self.rate = rate
        self.timeout = timeout
        self._cache: dict[str, Clip] = {}

    @property
    def identity(self) -> str:
        """What makes this engine's audio what it is (for cache keys)."""
        return f"{SYNTHESIS}:{self.voice}:{self.rate}:{loudness.VERSION}"

    def clip(self, text: str) -> Clip:
        if text not in self._cache:
            self._cache[text] = Clip(loudness.normalize(trim(synthesize(self.voice, self.rate, text, self.timeout))))
        return self._cache[text]

    def close(self) -> None:
        """Nothing to release: each text's process has ended by the time its clip is returned."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


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
