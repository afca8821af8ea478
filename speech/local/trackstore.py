"""Step tracks as MP3 files in the disk cache, rendered on a miss: what the server's /audio
route and `recovery-coach audio build` hand out.

What must stay true, whatever is asked for:
- One render at a time per process (RENDERING), so on the server's two cores a render never
  takes the core the other requests need; at most WAITING more requests wait for one, and
  any beyond are refused at once (Full), without waiting or rendering. A render takes its
  turn (the render lock) at its first clip to synthesize and keeps it to its end: what it
  reads from the clip cache before that (a routine's opening sentence) goes out at once.
- One render per track across processes: a lock per key (speech.local.keylock); whoever
  waits finds the track in the cache when the lock comes free, and
  gives up (Busy) after `wait` seconds.
- At most SPEAKERS voices (engines) held per process; the least recently used is closed,
  and its memory freed, before another is opened.
- `voices` and `rates`, when given, are the only ones a key may name: any other key is no
  track at all (`parse` says None), so it is never rendered.
- Tracks asked for `ahead` (the rest of a routine that just started playing) are rendered by
  one background thread per process, in the order asked, one clip (a sentence of the neural
  voice) at a time, and only while no request waits for a render: a request waits at most
  for one sentence of them. At most AHEAD tracks wait to be rendered ahead; more are not
  queued (a request renders them).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from speech.local import keylock, sentences
from speech.local.ahead import Ahead
from speech.local.cache import DiskCache
from speech.local.engine import SpeechError
from speech.local.engine import list_voices as espeak_voices
from speech.local.keylock import Busy as Busy  # raised here too: callers import it from this module
from speech.local.making import RenderOutcome, Writing, follow
from speech.local.openings import openings
from speech.local.piper_engine import VOICE_ID, installed
from speech.local.trackkey import TrackRef, parse_key
from speech.local.voices import CachedSpeaker, CacheFirst, Speaker, open_speaker

KIND, EXT = "tracks", "mp3"
RENDERING = 1  # renders at once in one process
WAITING = 3  # requests that may wait for a render in one process; gunicorn's threads must be more
SPEAKERS = 2  # engines held in one process (a neural one holds its whole model)
FETCH_WAIT_S = 5.0  # the longest a render ahead waits for the track a player is about to fetch
POLL_S = 0.02  # how often it looks whether that track is made (by any process)

log = logging.getLogger("recovery_coach.tracks")


@dataclass(frozen=True)
class Fetching:
    """In the queue ahead: wait until `ref` is made, or until `until` (time.monotonic())."""

    ref: TrackRef
    until: float


@dataclass(frozen=True)
class Opening:
    """In the queue ahead: say the sentences routines open with in this voice and rate."""

    voice: str
    rate: int


Ahead_ = TrackRef | tuple[str, int] | Fetching | Opening


class Full(Busy):
    """Enough requests are waiting for renders already; this one was not queued."""


class TrackStore:
    def __init__(
        self,
        cache: DiskCache | None = None,
        wait: float = 120.0,
        voices: frozenset[str] | None = None,
        rates: frozenset[int] | None = None,
    ) -> None:
        self.cache = cache or DiskCache()
        self.wait = wait
        self.voices, self.rates = voices, rates
        self._queue = threading.BoundedSemaphore(RENDERING + WAITING)
        self._rendering = threading.Lock()  # held for a whole render, speakers included
        self._speakers: OrderedDict[tuple[str, int], Speaker] = OrderedDict()
        self._installed: set[str] | None = None
        self._guard = threading.Lock()
        self._asking = 0  # requests inside file(), waiting for a render or rendering
        self._quiet = threading.Condition()  # notified when _asking drops to 0
        self._ahead: Ahead[Ahead_] = Ahead(self._make_ahead)
        self._writing = Writing()  # tracks this process is writing now, for listeners to follow

    def voice_ok(self, voice: str) -> bool:
        """Whether `voice` is a voice id this store renders (exactly, as keys spell it)."""
        if self.voices is not None and voice not in self.voices:
            return False
        if voice == VOICE_ID:
            return installed()
        with self._guard:  # espeak-ng is asked once, by one thread
            if self._installed is None:
                try:
                    self._installed = {v.id for v in espeak_voices()}
                except SpeechError:
                    self._installed = set()
        return voice in self._installed

    def rate_ok(self, rate: int) -> bool:
        return self.rates is None or rate in self.rates

    def parse(self, key: str) -> TrackRef | None:
        return parse_key(key, self.voice_ok, self.rate_ok)

    def cached(self, ref: TrackRef) -> Path | None:
        """The track's MP3 if it has been rendered (nothing is rendered here)."""
        return self.cache.find(KIND, ref.key, EXT)

    def file(self, ref: TrackRef) -> Path:
        """The track's MP3 in the cache, rendered first if it is not there: Full when too many
        requests wait for renders already, Busy when its turn does not come in time."""
        found = self.cached(ref)
        if found:
            return found
        if not self._queue.acquire(blocking=False):
            raise Full(ref.key)
        try:
            with self._asked():
                return self._made(ref)
        finally:
            self._queue.release()

    def track(self, ref: TrackRef) -> Path | Iterator[bytes]:
        """The track for a listener: its file once made, else its MP3 as it is made (by a
        render this asks for, or one this process has under way), so the first audio goes out
        after the first cue's clip. Full and Busy as `file` raises them."""
        found = self.cached(ref)
        if found:
            return found
        making = self._writing.now(ref.key)
        stream = follow(making) if making is not None else None
        if stream is not None:
            return stream
        if not self._queue.acquire(blocking=False):
            raise Full(ref.key)
        ended, outcome = threading.Event(), RenderOutcome()
        threading.Thread(target=self._render_for, args=(ref, ended, outcome), name="render", daemon=True).start()
        making = self._writing.wait(ref.key, ended)
        stream = follow(making) if making is not None else None
        if stream is not None:
            return stream
        ended.wait()
        if outcome.error is not None:
            raise outcome.error
        assert outcome.path is not None
        return outcome.path

    def _render_for(self, ref: TrackRef, ended: threading.Event, outcome: RenderOutcome) -> None:
        """A listener's render, on a thread of its own so the listener can follow it; it holds
        the listener's place in the queue until the track is whole."""
        try:
            with self._asked():
                outcome.path = self._made(ref)
        except BaseException as e:  # handed to the listener's request
            outcome.error = e
        finally:
            self._queue.release()
            ended.set()
            self._writing.nudge()

    def _made(self, ref: TrackRef) -> Path:
        """The track from the cache, or rendered here: one render per track across processes."""
        with self._file_lock(ref.key, time.monotonic() + self.wait):
            return self.cached(ref) or self.render(ref)

    @contextlib.contextmanager
    def _asked(self) -> Iterator[None]:
        """A listener waits for a render (renders ahead give way) while inside."""
        with self._quiet:
            self._asking += 1
        try:
            yield
        finally:
            with self._quiet:
                self._asking -= 1
                self._quiet.notify_all()

    def ahead(self, refs: Iterable[TrackRef], after: TrackRef | None = None) -> None:
        """Render these tracks in the background, in this order, after any asked for before
        and only while no request waits for a render (the module's docstring). `after`: the
        track a player is about to fetch; nothing is rendered ahead until it is made (or
        FETCH_WAIT_S passed), so its first audio has the cores to itself."""
        wanted: list[Ahead_] = list(refs)
        if after is not None and wanted:
            wanted.insert(0, Fetching(after, time.monotonic() + FETCH_WAIT_S))
        self._ahead.add(wanted)

    def settled(self, timeout: float) -> bool:
        """Wait until no track waits to be rendered ahead (False if `timeout` passed first)."""
        return self._ahead.settled(timeout)

    def preload(self, voice: str, rate: int) -> None:
        """Load (voice, rate)'s engine now, in the background, so the first track asked for
        does not wait for it (a neural voice takes a second or two to load), then say the
        sentences routines open with (speech.local.openings) into the clip cache."""
        opening = [Opening(voice, rate)] if voice == VOICE_ID else []  # espeak-ng says a cue whole, and fast
        self._ahead.add([(voice, rate), *opening])  # made by _make_ahead

    def _make_ahead(self, thing: Ahead_) -> None:
        """A track rendered ahead (its clips first, each when no request waits), a voice
        loaded, the openings said, or a wait for a track a player is about to fetch."""
        if isinstance(thing, Fetching):
            while time.monotonic() < thing.until and not self._ahead.stopping and self.cached(thing.ref) is None:
                time.sleep(POLL_S)
        elif isinstance(thing, Opening):
            self._say_ahead(thing.voice, thing.rate, openings())
        elif not isinstance(thing, TrackRef):
            with self._rendering:
                self._speaker(*thing)
        elif self.cached(thing) is None and self._say_ahead(thing.voice, thing.rate, _sentences(thing)):
            try:
                with self._file_lock(thing.key, time.monotonic() + self.wait):
                    if self.cached(thing) is None:  # clips read, not made: no need to give way
                        self.render(thing)
            except Busy:  # another process is rendering it
                pass

    def _say_ahead(self, voice: str, rate: int, texts: Iterable[str]) -> bool:
        """Synthesize these texts into the clip cache, one at a time, each when no request
        waits for a render; False if the process began to end first."""
        for text in texts:
            with self._quiet:
                while self._asking and not self._ahead.stopping:  # stopping at exit is seen within a second
                    self._quiet.wait(1.0)
            if self._ahead.stopping:
                return False
            with self._rendering:
                self._speaker(voice, rate).clip(text)
        return True

    def render(self, ref: TrackRef) -> Path:
        """Render the track into the cache, written as it is made (`track` can follow it)."""
        # Imported here, not at the top: numpy and the encoder slow a server's start, and most
        # requests it answers (every POST /alexa, every cached track) never render.
        from speech.local import mp3, tracks

        with contextlib.ExitStack() as held:  # the render lock, from the first clip synthesized on
            known = self._speakers.get((ref.voice, ref.rate))  # read without the lock: only clips are read from it
            speaker = CacheFirst(
                ref.voice, ref.rate, known, lambda: self._speaker(ref.voice, ref.rate), self._rendering, held
            )
            making, failed = self._writing.start(ref.key), True
            try:
                pcm = tracks.progressive(ref.script, ref.step, speaker, free_at=mp3.ENCODER_DELAY)
                path = self.cache.put(
                    KIND, ref.key, EXT, mp3.encode(pcm), opened=lambda temp: self._writing.opened(making, temp)
                )
                failed = False
                return path
            finally:
                self._writing.end(ref.key, making, failed)

    @property
    def speakers(self) -> tuple[tuple[str, int], ...]:
        """The (voice, rate) of every engine held, least recently used first."""
        return tuple(self._speakers)

    def _speaker(self, voice: str, rate: int) -> Speaker:
        """The engine for (voice, rate), opened if need be; only called while rendering."""
        wanted = (voice, rate)
        if wanted in self._speakers:
            self._speakers.move_to_end(wanted)
            return self._speakers[wanted]
        while len(self._speakers) >= SPEAKERS:
            self._speakers.popitem(last=False)[1].close()
        self._speakers[wanted] = CachedSpeaker(open_speaker(voice, rate), self.cache)
        return self._speakers[wanted]

    def _file_lock(self, key: str, deadline: float) -> contextlib.AbstractContextManager[None]:
        return keylock.held(self.cache.root, key, deadline)

    def close(self) -> None:
        with self._rendering:
            while self._speakers:
                self._speakers.popitem(last=False)[1].close()


def _sentences(ref: TrackRef) -> list[str]:
    """What a track's voice synthesizes, one at a time: its cues, or their sentences (neural)."""
    kind = "neural" if ref.voice == VOICE_ID else "espeak"
    return [part for cue in ref.script.steps[ref.step].cues for part in sentences.parts(kind, cue.text)]
