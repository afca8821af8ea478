"""The recognizer: pocketsphinx (its wheel holds the US English acoustic model, dictionary and
general language model), behind the `Listener` interface.

Speech is cut into utterances by loudness over the noise floor (skill/listen/endpoint.py);
when one is the wake word alone, the decoder goes on listening for up to WAKE_WAIT seconds,
so "coach ... next" is one utterance. Each utterance is decoded as it arrives, against the
listener's own language (skill/listen/language.py), so the words are ready soon after the
speaker stops; an utterance that is a whole command ends after EARLY_FRAMES of quiet, not
the endpointer's END_FRAMES. Under noise "coach" alone is often heard as a short word with
its vowel ("go", "oh"); such a word before a pause is held like the wake word and, when a
command follows, stands for it. When the wake word is followed by words that are no command
("coach, my knee is warm"), the command the second pass (skill/listen/again.py) found in the
same audio against the commands alone is taken when it is within a word or so of what was
heard. The second pass starts at the first pause after such words (not the start of a
command), catches up, and runs beside the first from then on, so its answer is ready when
the utterance ends; its command, once whole and close, also ends the utterance early. What
comes out is the best sentence and its posterior probability from the word lattice, the
confidence the gate holds against its threshold.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from skill.listen.again import SecondPass, close
from skill.listen.denoise import Denoiser
from skill.listen.endpoint import END_FRAMES, FRAME, Endpointer
from skill.listen.language import WAKE, arpa, fsg
from skill.listen.listener import SAMPLE_RATE, Heard

WAKE_WAIT = 1.5  # seconds a pause after the wake word may last, the command still heard with it
SHORT = 1.2  # seconds: an utterance this short, not a command, may be the wake word misheard alone
EARLY_FRAMES = 4  # frames of quiet after a complete command that end its utterance (END_FRAMES otherwise)
COMMANDS_ONLY = "commands"  # the second pass's grammar: the wake word and command phrases, nothing else
EVERYDAY_WORDS = 1000  # the most common words of the general model, for speech that is not a command


def model_dir() -> Path:
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us"


def dictionary_words() -> set[str]:
    with open(model_dir() / "cmudict-en-us.dict", encoding="utf-8") as f:
        return {line.split(" ", 1)[0] for line in f if "(" not in line.split(" ", 1)[0]}


def like_wake(vowel: str = "OW", most: int = 3) -> set[str]:
    """Short words with the wake word's vowel ("go", "oh", "nope"): what "coach" is heard as
    under noise when it comes alone, before a pause."""
    with open(model_dir() / "cmudict-en-us.dict", encoding="utf-8") as f:
        rows = [line.split() for line in f]
    return {r[0] for r in rows if "(" not in r[0] and vowel in r[1:] and len(r) - 1 <= most}


def everyday(known: set[str], count: int = EVERYDAY_WORDS) -> list[tuple[str, float]]:
    """The `count` most likely words of the general model, with their probabilities."""
    import pocketsphinx

    lm = pocketsphinx.NGramModel.readfile(str(model_dir() / "en-us.lm.bin"))
    scored = sorted(((lm.prob([w]), w) for w in known if w.isalpha() or "'" in w), reverse=True)[:count]
    return [(w, 10 ** (score / 1e5)) for score, w in scored]  # pocketsphinx scores: log base 1.0001


class SphinxListener:
    """Frames of 16-bit mono PCM at 16 kHz in (any length: they are re-cut to the endpointer's
    frames); a `Heard` out when an utterance ends."""

    def __init__(self, commands: Mapping[str, Iterable[str]], log: str = os.devnull, denoise: bool = True) -> None:
        import pocketsphinx

        known = dictionary_words()
        said = {name: [s for s in ss if all(w in known for w in s.split())] for name, ss in commands.items()}
        text = arpa(said, everyday(known))
        with tempfile.TemporaryDirectory(prefix="recovery-coach-listen-") as folder:
            path, only = os.path.join(folder, "language.arpa"), os.path.join(folder, "commands.arpa")
            Path(path).write_text(text, encoding="utf-8")
            Path(only).write_text(
                fsg([s for ss in said.values() for s in ss], COMMANDS_ONLY),
                encoding="utf-8",
            )
            config = pocketsphinx.Config(
                hmm=str(model_dir() / "en-us"),
                dict=str(model_dir() / "cmudict-en-us.dict"),
                lm=path,
                logfn=log,
            )
            self._decoder: Any = pocketsphinx.Decoder(config)
            self._again = SecondPass(model_dir(), only, log)
        self._audio: list[bytes] = []  # the utterance so far, for a second pass
        self._endpointer = Endpointer()
        self.frame_bytes = int(FRAME * SAMPLE_RATE) * 2
        self._pending = b""
        self._denoise = denoise
        self._denoiser, self._late = Denoiser(), b""  # the frame before, waiting for its denoised twin
        self._start = 0.0
        self._holding = 0  # frames left to wait for the command after the wake word alone
        self.vocabulary = {w for ss in said.values() for s in ss for w in s.split()} | {WAKE}
        self._like_wake = like_wake() | {WAKE}
        self._stand_in = ""  # the word heard alone before a pause that stands for the wake word
        self._complete = {f"{WAKE} {s}" for ss in said.values() for s in ss}  # a command said whole
        self._begun = {" ".join(c.split()[:n]) for c in self._complete for n in range(1, len(c.split()))}

    def restart(self) -> None:
        """A new stream (another microphone or file): the noise floor is learnt afresh."""
        self._endpointer, self._pending, self._holding = Endpointer(), b"", 0
        self._denoiser, self._late = Denoiser(), b""
        self._again.end()

    def feed(self, pcm: bytes) -> list[Heard]:
        """Take audio; the utterances that ended in it."""
        self._pending += pcm
        out = []
        while len(self._pending) >= self.frame_bytes:
            frame, self._pending = self._pending[: self.frame_bytes], self._pending[self.frame_bytes :]
            clean = frame
            if self._denoise:  # the denoised frame is the one before: both go on one frame late
                frame, self._late, clean = self._late, frame, self._denoiser.process(frame)
                if not frame:
                    continue
            heard = self._frame(frame, clean)
            if heard is not None:
                out.append(heard)
        return out

    def _frame(self, frame: bytes, heard: bytes) -> Heard | None:
        """One frame as it came (for the endpointer) and as the recognizer hears it."""
        ep, dec = self._endpointer, self._decoder
        speech, started, ended = ep.process(frame, heard)
        if self._holding:  # after the wake word alone, every frame is the same utterance
            self._holding -= 1
            self._feed(heard)
            if ended or not (self._holding or ep.speaking) or self._whole(ep):
                self._holding = 0
                return self._end(ep.now)
            return None
        if started:
            dec.start_utt()
            self._audio = []
            self._start = ep.now - len(speech) * FRAME
        if speech:
            self._feed(b"".join(speech))
        if self._whole(ep):
            return self._end(ep.now)
        if ep.speaking and ep.quiet and not self._again.running:
            self._second_starts()
        if not ended:
            return None
        said = self._said()
        if said in self._like_wake and ep.now - self._start <= SHORT:
            self._holding = round(WAKE_WAIT / FRAME)  # "coach, ... next": the command comes after a pause
            self._stand_in = said
            if not self._again.running:
                self._again.start(self._audio, self._decoder.get_cmn(False))
            return None
        return self._end(ep.now)

    def _second_starts(self) -> None:
        """At a pause in an utterance that is the wake word and words that are no command
        nor the start of one, the second pass catches up on it and runs beside the first from then on."""
        said = self._said()
        if said.split()[:1] == [WAKE] and not (said in self._complete or said in self._begun):
            self._again.start(self._audio, self._decoder.get_cmn(False))

    def _whole(self, ep: Endpointer) -> bool:
        """A whole command and a breath after it, heard by the first pass or (close to what
        the first heard) by the second: the utterance ends now, not after END_FRAMES."""
        if not (ep.speaking and EARLY_FRAMES <= ep.quiet < END_FRAMES):
            return False
        said = self._said()
        if said not in self._complete:
            again = self._again.said()
            if not (" ".join(again) in self._complete and close(said.split(), again)):
                return False
        ep.speaking, self._holding = False, 0
        ep.recent.clear()
        return True

    def _said(self) -> str:
        """The words so far in the utterance (the decoder's partial hypothesis)."""
        hyp = self._decoder.hyp()
        return " ".join(hyp.hypstr.split()) if hyp is not None else ""

    def _feed(self, pcm: bytes) -> None:
        self._decoder.process_raw(pcm)
        self._again.feed(pcm)
        self._audio.append(pcm)

    def _end(self, end: float) -> Heard:
        dec = self._decoder
        dec.end_utt()
        hyp = dec.hyp()
        text = hyp.hypstr if hyp is not None else ""
        prob = float(hyp.prob) if hyp is not None else 0.0
        words, stand_in, self._stand_in = text.split(), self._stand_in, ""
        if stand_in and len(words) > 1 and words[0] == stand_in:  # "go ... resume": the wake word, misheard
            words[0] = WAKE
        if words[:1] == [WAKE] and len(words) > 1 and " ".join(words) not in self._complete:
            words, prob = self._second(words, prob)
        else:
            self._again.end()
        return Heard(" ".join(words), prob, self._start, end)

    def _second(self, words: list[str], prob: float) -> tuple[list[str], float]:
        """The wake word, then words that are no command ("coach, my knee is warm"): the
        second pass's command instead, when it is close to them. Its search's best path so
        far is a candidate too: at its end the search may fall short of a whole command."""
        so_far = self._again.said()
        again, again_prob = self._again.end()
        for candidate, p in ((again, again_prob), (so_far, prob)):
            if " ".join(candidate) in self._complete and close(words, candidate):
                return candidate, max(prob, p)
        return words, prob

    def close(self) -> list[Heard]:
        """The end of the stream: an utterance still open ends here."""
        ep = self._endpointer
        self._pending = b""
        if not (ep.speaking or self._holding):
            return []
        ep.speaking, self._holding = False, 0
        return [self._end(ep.now)]
