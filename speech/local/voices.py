"""Every voice behind one small interface: a Speaker turns text into trimmed Clips.

Two kinds: the neural voice (Piper, `piper_engine`), the default wherever it is installed,
and espeak-ng through pyttsx3 (`engine`), the fallback and every espeak voice id. `open_speaker`
picks one; when the neural voice cannot load, it says why in one sentence (through `warn`)
and the coach carries on with espeak-ng. `CachedSpeaker` keeps clips in the disk cache,
keyed by the voice's identity (voice, rate, model) and the text.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Protocol

from content.phrases import phrase
from speech.local import engine as espeak_engine
from speech.local import piper_engine, sentences
from speech.local.cache import DiskCache
from speech.local.pcm import Clip


class Speaker(Protocol):
    kind: str  # "neural" or "espeak"
    voice: str  # the voice id
    rate: int  # words a minute

    @property
    def identity(self) -> str: ...  # voice, rate and model: what makes the audio what it is
    def clip(self, text: str) -> Clip: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    kind: str


def list_voices(warn: Callable[[str], None] | None = None) -> list[VoiceInfo]:
    """The neural voice (when installed) first, then espeak-ng's voices. Without espeak-ng
    the neural voice alone, with `warn` saying so (EngineMissing if there is no voice at all)."""
    out = []
    if piper_engine.installed():
        out.append(VoiceInfo(piper_engine.VOICE_ID, piper_engine.VOICE_NAME, "neural"))
    try:
        out += [VoiceInfo(v.id, v.name, "espeak") for v in espeak_engine.list_voices()]
    except espeak_engine.EngineMissing as exc:
        if not out:
            raise
        if warn:
            warn(str(exc))
    return out


def default_voice_id() -> str:
    """The voice used when none is asked for (without loading it)."""
    return piper_engine.VOICE_ID if piper_engine.installed() else espeak_engine.DEFAULT_VOICE


def is_neural(voice: str | None) -> bool:
    return voice is not None and voice.strip().lower() == piper_engine.VOICE_ID.lower()


def open_speaker(
    voice: str | None = None,
    rate: int = espeak_engine.DEFAULT_RATE,
    warn: Callable[[str], None] | None = None,
    cache: DiskCache | None = None,
) -> Speaker:
    """The asked-for voice (None: the neural one if it loads, else espeak-ng's default).
    Asking for the neural voice by id when it cannot load is an error; by default, a warning."""
    if not espeak_engine.MIN_RATE <= rate <= espeak_engine.MAX_RATE:
        raise espeak_engine.SpeechError(
            phrase("offline.error.bad_rate", rate=rate, low=espeak_engine.MIN_RATE, high=espeak_engine.MAX_RATE)
        )
    speaker: Speaker
    if voice is None or is_neural(voice):
        try:
            speaker = piper_engine.PiperEngine(rate)
        except piper_engine.VoiceUnavailable as exc:
            if voice is not None:
                raise espeak_engine.SpeechError(str(exc)) from exc
            if warn:
                warn(phrase("offline.neural_fallback", reason=str(exc)))
            speaker = espeak_engine.Engine(None, rate)
    else:
        speaker = espeak_engine.Engine(voice, rate)
    return CachedSpeaker(speaker, cache) if cache else speaker


class CachedSpeaker:
    """A Speaker whose clips come from the disk cache when they are there (and go there when not)."""

    def __init__(self, inner: Speaker, cache: DiskCache) -> None:
        self.inner, self.cache = inner, cache
        self.kind, self.voice, self.rate = inner.kind, inner.voice, inner.rate
        self._memo: dict[str, Clip] = {}
        self.hits = self.misses = 0

    @property
    def identity(self) -> str:
        return self.inner.identity

    def clip(self, text: str) -> Clip:
        """A text's clip; the neural voice's sentences are cached one by one (shared by cues)."""
        if text in self._memo:
            return self._memo[text]
        parts = sentences.parts(self.kind, text)
        if len(parts) > 1:
            self._memo[text] = sentences.join(list(map(self.clip, parts)))
            return self._memo[text]
        key = f"{self.identity}\x1f{text}"
        pcm = self.cache.get("clips", key, "pcm")
        if pcm is None:
            self.misses += 1
            pcm = self.inner.clip(text).pcm
            self.cache.put("clips", key, "pcm", pcm)
        else:
            self.hits += 1
        self._memo[text] = Clip(pcm)
        return self._memo[text]

    def cached(self, text: str) -> Clip | None:
        """The text's clip if it is in memory or the disk cache (nothing is synthesized)."""
        if text in self._memo:
            return self._memo[text]
        parts = sentences.parts(self.kind, text)
        if len(parts) > 1:
            clips = [self.cached(part) for part in parts]
            return None if None in clips else sentences.join([c for c in clips if c is not None])
        pcm = self.cache.get("clips", f"{self.identity}\x1f{text}", "pcm")
        if pcm is not None:
            self._memo[text] = Clip(pcm)
        return self._memo.get(text)

    def close(self) -> None:
        self.inner.close()


class CacheFirst:
    """A render's voice that reads clips from the cache without waiting for a turn, and takes
    its turn (`turn`: the process's render lock, then held by `held` until the render ends)
    at its first clip to synthesize, when it asks `speaker()` for the engine afresh.

    What must stay true: nothing is synthesized without the turn, and the engine used to
    synthesize is asked for with the turn held (one closed meanwhile is opened again)."""

    def __init__(
        self,
        voice: str,
        rate: int,
        known: Speaker | None,
        speaker: Callable[[], Speaker],
        turn: ContextManager[object],
        held: ExitStack,
    ) -> None:
        self.voice, self.rate, self.kind = voice, rate, "neural" if is_neural(voice) else "espeak"
        self._known, self._speaker, self._turn, self._held = known, speaker, turn, held
        self._engine: Speaker | None = None

    @property
    def identity(self) -> str:
        return self._engine_now().identity

    def clip(self, text: str) -> Clip:
        if self._engine is None and isinstance(self._known, CachedSpeaker):
            found = self._known.cached(text)
            if found is not None:
                return found
        return self._engine_now().clip(text)

    def _engine_now(self) -> Speaker:
        if self._engine is None:
            self._held.enter_context(self._turn)
            self._engine = self._speaker()
        return self._engine

    def close(self) -> None:
        """Nothing: the engine is the store's."""
