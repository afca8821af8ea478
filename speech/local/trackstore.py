"""Step tracks as MP3 files in the disk cache, rendered on a miss: what the server's /audio
route and `recovery-coach audio build` hand out.

One render per track at a time, across threads and processes: a thread lock per key, then
an flock on a lock file named by the key's hash; whoever waits finds the track in the cache
when the lock comes free, and gives up (Busy) after `wait` seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from speech.local.cache import DiskCache, digest
from speech.local.engine import SpeechError
from speech.local.engine import list_voices as espeak_voices
from speech.local.piper_engine import VOICE_ID, installed
from speech.local.trackkey import TrackRef, parse_key
from speech.local.voices import CachedSpeaker, Speaker, open_speaker

KIND, EXT = "tracks", "mp3"


class Busy(Exception):
    """The track is being rendered by someone else and did not come in time."""


class TrackStore:
    def __init__(self, cache: DiskCache | None = None, wait: float = 120.0) -> None:
        self.cache = cache or DiskCache()
        self.wait = wait
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._speakers: dict[tuple[str, int], Speaker] = {}
        self._voices: set[str] | None = None

    def voice_ok(self, voice: str) -> bool:
        """Whether `voice` is a voice id installed here (exactly, as keys spell it)."""
        if voice == VOICE_ID:
            return installed()
        if self._voices is None:
            try:
                self._voices = {v.id for v in espeak_voices()}
            except SpeechError:
                self._voices = set()
        return voice in self._voices

    def parse(self, key: str) -> TrackRef | None:
        return parse_key(key, self.voice_ok)

    def file(self, ref: TrackRef) -> Path:
        """The track's MP3 in the cache, rendered first if it is not there (Busy if that takes too long)."""
        found = self.cache.find(KIND, ref.key, EXT)
        if found:
            return found
        deadline = time.monotonic() + self.wait
        with self._guard:
            lock = self._locks.setdefault(ref.key, threading.Lock())
        if not lock.acquire(timeout=self.wait):
            raise Busy(ref.key)
        try:
            with self._file_lock(ref.key, deadline):
                return self.cache.find(KIND, ref.key, EXT) or self.render(ref)
        finally:
            lock.release()

    def render(self, ref: TrackRef) -> Path:
        # Imported here, not at the top: numpy and the encoder slow a server's start, and most
        # requests it answers (every POST /alexa, every cached track) never render.
        from speech.local import mp3, tracks

        speaker = self._speaker(ref.voice, ref.rate)
        track = tracks.layout(ref.script, ref.step, speaker, free_at=mp3.ENCODER_DELAY)
        return self.cache.put(KIND, ref.key, EXT, mp3.encode(tracks.blocks(track, speaker)))

    def _speaker(self, voice: str, rate: int) -> Speaker:
        with self._guard:
            if (voice, rate) not in self._speakers:
                self._speakers[(voice, rate)] = CachedSpeaker(open_speaker(voice, rate), self.cache)
            return self._speakers[(voice, rate)]

    @contextlib.contextmanager
    def _file_lock(self, key: str, deadline: float) -> Iterator[None]:
        folder = self.cache.root / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / digest("lock", key)[:32], os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise Busy(key) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # releases the lock

    def close(self) -> None:
        for speaker in self._speakers.values():
            speaker.close()
