"""Listening on the laptop, for `play --listen` and `chat --listen`: the recognizer (skill/listen)
reads the microphone or a file in a thread of its own and hands each judged utterance on
through a queue; the command's front end takes them between keys.

The coach's own speech is not heard: while it speaks (`muted()` is true), the recognizer is
fed silence instead of the microphone, so an utterance in progress ends and nothing the
coach says can become a command (docs/offline.md has the figures).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from content.phrases import phrase
from skill.listen.gate import Ignored, Understand, Verdict, judge
from skill.listen.listener import Listener
from skill.listen.sources import NoMicrophone, file_blocks, microphone_blocks

Muted = Callable[[], bool]
WHY = {
    Ignored.NOTHING: "listen.why.nothing",
    Ignored.NO_WAKE_WORD: "listen.why.no_wake_word",
    Ignored.UNSURE: "listen.why.unsure",
    Ignored.NOT_UNDERSTOOD: "listen.why.not_understood",
}


class CannotListen(Exception):
    """Listening cannot start here; the message is one sentence."""


@dataclass(frozen=True)
class Ended:
    """The audio source has ended (a file read to its end)."""


def verdict_line(v: Verdict) -> str:
    text, sure = v.heard.text, v.heard.confidence
    if v.ignored is None:
        return phrase("listen.heard", text=text, confidence=sure)
    return phrase("listen.ignored", text=text, confidence=sure, why=phrase(WHY[v.ignored]))


def command_sentences() -> dict[str, list[str]]:
    """What the listener expects after its wake word: every ask's phrasings in the coach's
    phrasebook, and opening the coach."""
    from skill.coach.phrasebook import phrases, with_launch
    from skill.coach.vocabulary import slot_types
    from skill.listen.phrases import sentences

    return sentences(with_launch(), slot_types(), phrases())


def make_listener(commands: Mapping[str, Sequence[str]]) -> Listener:
    try:
        from skill.listen.sphinx import SphinxListener
    except ImportError as exc:
        raise CannotListen(phrase("listen.error.not_installed")) from exc
    try:
        return SphinxListener(commands)
    except ImportError as exc:
        raise CannotListen(phrase("listen.error.not_installed")) from exc


def blocks_from(audio_in: str | None) -> Iterator[bytes]:
    """The microphone's blocks, or the file's at real-time pace; CannotListen if neither opens."""
    try:
        if audio_in:
            blocks = file_blocks(audio_in)
        else:
            blocks = microphone_blocks()
        first = next(blocks, b"")  # opens the file or the device now, so a failure is seen here
    except NoMicrophone as exc:
        raise CannotListen(str(exc)) from exc

    def chained() -> Iterator[bytes]:
        yield first
        yield from blocks

    return chained()


class Hearing:
    """The recognizer running over a source in a daemon thread; `verdicts` receives each
    judged utterance, then `Ended()` when the source ends."""

    def __init__(self, blocks: Iterator[bytes], listener: Listener, understand: Understand, muted: Muted) -> None:
        self.blocks, self.listener, self.understand, self.muted = blocks, listener, understand, muted
        self.verdicts: queue.Queue[Verdict | Ended] = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True, name="recovery-coach-listen")

    def start(self) -> Hearing:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            for block in self.blocks:
                heard = self.listener.feed(bytes(len(block)) if self.muted() else block)
                for h in heard:
                    self.verdicts.put(judge(h, self.understand))
            for h in self.listener.close():
                self.verdicts.put(judge(h, self.understand))
        except Exception:  # a microphone unplugged mid-way: listening ends, keys go on
            pass
        self.verdicts.put(Ended())

    def next(self, timeout: float) -> Verdict | Ended | None:
        try:
            return self.verdicts.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None


def wait_slices(timeout: float | None, slice_s: float = 0.05) -> Iterator[float]:
    """Slices of a wait (forever when timeout is None), each at most slice_s, for taking turns
    between the keyboard and the listener."""
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = slice_s if end is None else min(slice_s, end - time.monotonic())
        if left <= 0:
            return
        yield left


def heard_lines(
    audio_in: str | None, commands: Mapping[str, Sequence[str]], understand: Understand
) -> tuple[Callable[[], str], Callable[[], Any]]:
    """For `chat --listen`: a function giving the words of the next command heard (the other
    utterances shown as ignored; EOFError when the file ends), and a context that makes the
    listener deaf while it is open."""
    deaf = threading.Event()
    blocks = blocks_from(audio_in)
    hearing = Hearing(blocks, make_listener(commands), understand, deaf.is_set).start()
    print(phrase("listen.listening"), flush=True)

    def read() -> str:
        while True:
            v = hearing.next(3600)
            if isinstance(v, Ended):
                raise EOFError
            if v is not None:
                print(verdict_line(v), flush=True)
                if v.intent is not None:
                    return v.command

    @contextlib.contextmanager
    def deafened() -> Iterator[None]:
        deaf.set()
        try:
            yield
        finally:
            deaf.clear()

    return read, deafened
