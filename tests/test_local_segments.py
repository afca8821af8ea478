"""What a listener hears, as PCM: SSML's text and silences through the real engine
(espeak-ng), with each silence exactly as long as the breaks that make it."""

import array
import re

import pytest

from speech.local.engine import Engine, render_segments
from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH
from speech.ssml import segments


@pytest.fixture(scope="module")
def engine():
    with Engine() as e:
        yield e


def zero_runs(pcm: bytes) -> list[int]:
    """Lengths in frames of the runs of exact digital silence, longest first."""
    runs = [(m.end() // 2) - (m.start() + 1) // 2 for m in re.finditer(rb"\x00\x00+", pcm)]
    return sorted(runs, reverse=True)


@pytest.mark.parametrize(
    "ssml, gap",
    [
        ('<speak>Hold the stretch.<break time="2s"/><break time="500ms"/>Switch legs.</speak>', 2.5),
        ('<speak>Roll slowly. <break time="10s"/><break time="10s"/> Ten seconds left.</speak>', 20.0),
    ],
)
def test_breaks_become_exact_silence_between_the_words(engine, ssml, gap):
    heard = segments(ssml)
    assert heard[1] == gap
    clip = render_segments(heard, engine)
    first, last = engine.clip(heard[0]), engine.clip(heard[2])
    assert clip.pcm == first.pcm + bytes(round(gap * SAMPLE_RATE) * SAMPLE_WIDTH) + last.pcm
    runs = zero_runs(clip.pcm)
    assert runs[0] == round(gap * SAMPLE_RATE)  # clips are trimmed: the silence is the break, to the frame
    assert runs[1] < 0.5 * SAMPLE_RATE  # any other quiet is a pause inside speech
    assert clip.seconds == pytest.approx(first.seconds + gap + last.seconds, abs=1 / SAMPLE_RATE)


def test_text_only_and_nothing(engine):
    said = render_segments(segments("<speak>Welcome back.</speak>"), engine)
    samples = array.array("h", said.pcm)
    assert said.seconds > 0.5 and samples[0] and samples[-1]  # speech from the first frame to the last
    assert render_segments(segments(None), engine).pcm == b""
    assert render_segments([0.25], engine).frames == round(0.25 * SAMPLE_RATE)
