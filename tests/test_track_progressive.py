"""A track made as it goes (`tracks.progressive`, what a server streams while it renders) is
the very track `layout` and `blocks` make whole: the same PCM and the same MP3, byte for
byte, for every step of plans of two lengths that hold every kind of step."""

from __future__ import annotations

import pytest

from content.planner import PlanInputs
from speech.local import mp3, tracks
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
    """The real voice, counting the clips it is asked for."""

    def __init__(self, speaker) -> None:
        self.speaker, self.asked = speaker, 0

    def clip(self, text):
        self.asked += 1
        return self.speaker.clip(text)


def test_the_first_block_needs_only_the_first_cue(speaker):
    script = script_for(PlanInputs(20))
    counting = Counting(speaker)
    first = next(tracks.progressive(script, 0, counting))
    assert first and counting.asked == 1 < len(script.steps[0].cues)
