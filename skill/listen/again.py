"""The second pass: the same audio decoded against the commands alone (an FSG of the wake
word and the command phrases), by a decoder of its own that runs beside the first.

The listener starts it at a pause in an utterance whose words so far are the wake word and
words that are no command; it catches up on the utterance's audio and is then fed each
frame as it arrives, so when the utterance ends its answer is one end-of-utterance away, not
a decode of the whole utterance again (that was the listener's slowest answer). Its grammar
is all the command phrases (skill/listen/language.py merges their common ends, which made it
about three times faster than a tree of them).

Must stay true: its words are taken only when they are close to what the first pass heard
(`close`), so speech that is not a command stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

AGAIN_CLOSE = 4  # the second pass may change one word, and one more in every this many


class SecondPass:
    """A decoder over the command grammar in `fsg_path`, fed only while `running`."""

    def __init__(self, model: Path, fsg_path: str, log: str) -> None:
        import pocketsphinx

        config = pocketsphinx.Config(
            hmm=str(model / "en-us"),
            dict=str(model / "cmudict-en-us.dict"),
            fsg=fsg_path,
            logfn=log,
            bestpath=False,  # the lattice's best path may fall short of the grammar's end; the search's does not
        )
        self._decoder: Any = pocketsphinx.Decoder(config)
        self.running = False

    def start(self, audio: Sequence[bytes], cmn: str) -> None:
        """A new utterance, its audio so far; `cmn` the first pass's cepstral mean (the room's
        and the voice's, learnt over the stream), so both passes hear the same features."""
        self._decoder.set_cmn(cmn)
        self._decoder.start_utt()
        self.running = True
        self.feed(b"".join(audio))

    def feed(self, pcm: bytes) -> None:
        if self.running and pcm:
            self._decoder.process_raw(pcm)

    def said(self) -> list[str]:
        """The words so far (the best path to where the search is, complete or not)."""
        hyp = self._decoder.hyp() if self.running else None
        return hyp.hypstr.split() if hyp is not None else []

    def end(self) -> tuple[list[str], float]:
        """The utterance ended: its words and their posterior ([] if it never started)."""
        if not self.running:
            return [], 0.0
        self.running = False
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return (hyp.hypstr.split(), float(hyp.prob)) if hyp is not None else ([], 0.0)


def close(heard: list[str], again: list[str]) -> bool:
    """The second pass's words may replace the first's: one word changed, and one more in
    every AGAIN_CLOSE words of the command."""
    return distance(heard, again) <= 1 + (len(again) - 2) // AGAIN_CLOSE


def distance(a: list[str], b: list[str]) -> int:
    """Words to insert, delete or replace to make `a` into `b`."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]
