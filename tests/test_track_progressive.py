"""A track made as it goes (`tracks.progressive`, what a server streams while it renders) is
the very track `layout` and `blocks` make whole: the same PCM and the same MP3, byte for
byte, for every step of plans of two lengths that hold every kind of step."""

from __future__ import annotations

import pytest

from content.planner import PlanInputs
from speech.local import mp3, sentences, tracks
from speech.local.voices import open_speaker
from speech.script import script_for

PLANS = [PlanInputs(5), PlanInputs(20, focus="yoga"), PlanInputs(20, focus="foam-rolling")]  # every kind of step


@pytest.fixture(scope="module")
def speaker():
    return open_speaker("gmw/en-us", 150)


@pytest.mark.parametrize("inputs", PLANS, ids=lambda i: f"{i.minutes}-{i.focus}")
def test_a_track_made_as_it_goes_is_the_whole_track(speaker, inputs):
    script = script_for(inputs)
    for step in range(len(script.steps)):
        whole = tracks.layout(script, step, speaker, free_at=mp3.ENCODER_DELAY)
        pcm = b"".join(tracks.progressive(script, step, speaker, free_at=mp3.ENCODER_DELAY))
        assert pcm == b"".join(tracks.blocks(whole, speaker)), step
        made = b"".join(mp3.encode(tracks.progressive(script, step, speaker, free_at=mp3.ENCODER_DELAY)))
        assert made == b"".join(mp3.encode(tracks.blocks(whole, speaker))), step


class Counting:
    """The real voice, counting the clips it is asked for; as `kind` "neural" it says a cue
    sentence by sentence (speech.local.sentences), as the neural voice does."""

    def __init__(self, speaker, kind: str = "espeak") -> None:
        self.speaker, self.kind, self.asked = speaker, kind, []

    def clip(self, text):
        self.asked.append(text)
        return sentences.spoken(self.kind, text, self.speaker.clip)


def test_the_first_block_needs_only_the_first_cue(speaker):
    script = script_for(PlanInputs(20))
    counting = Counting(speaker)
    first = next(tracks.progressive(script, 0, counting))
    assert first and len(counting.asked) == 1 < len(script.steps[0].cues)


def test_a_voice_that_speaks_by_sentence_needs_only_the_first_sentence(speaker):
    script = script_for(PlanInputs(5))
    welcome = script.steps[0].cues[0].text
    assert len(sentences.split(welcome)) == 3, welcome
    counting = Counting(speaker, "neural")
    first = next(tracks.progressive(script, 0, counting))
    assert first and counting.asked == sentences.split(welcome)[:1]


def test_a_track_made_sentence_by_sentence_is_the_whole_track(speaker):
    script, by_sentence = script_for(PLANS[1]), Counting(speaker, "neural")
    for step in range(len(script.steps)):
        whole = tracks.layout(script, step, by_sentence, free_at=mp3.ENCODER_DELAY)
        pcm = b"".join(tracks.progressive(script, step, by_sentence, free_at=mp3.ENCODER_DELAY))
        assert pcm == b"".join(tracks.blocks(whole, by_sentence)), step


@pytest.mark.parametrize(
    "text, said",
    [
        ("Well done. Next up, leg swings.", ["Well done.", "Next up, leg swings."]),
        ("Now, I.T. band roll. Go slowly.", ["Now, I.T. band roll.", "Go slowly."]),
        ("Ready? Begin!  Breathe easily.", ["Ready?", "Begin!", "Breathe easily."]),
        ("3 minutes left.", ["3 minutes left."]),
    ],
)
def test_sentences(text, said):
    assert sentences.split(text) == said
    assert sentences.parts("espeak", text) == [text]
