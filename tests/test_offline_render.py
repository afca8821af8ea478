"""WAV export and local speech with the real engine (pyttsx3 + espeak-ng): render a routine,
read the file back, find each cue's onset by its energy, and measure the silences."""

import array
import json
import os
import re
import subprocess
import sys
import wave

import pytest

from speech.local import engine as local_engine
from speech.local.engine import Engine, UnknownVoice
from speech.local.export import render
from speech.local.pcm import SAMPLE_RATE
from speech.script import script_for

SR = SAMPLE_RATE
GAP = 0.6  # seconds of digital silence that separate two cues (pauses inside a cue are shorter)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    wav, cues = folder / "r.wav", folder / "c.json"
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "render", "--minutes", "5", "-o", str(wav), "--cues", str(cues)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with wave.open(str(wav), "rb") as w:
        params = w.getparams()
        samples = array.array("h", w.readframes(w.getnframes()))
    return result, params, samples, json.loads(cues.read_text())


def silences(samples: array.array, min_seconds: float) -> list[tuple[int, int]]:
    """Runs of samples with zero energy at least min_seconds long, as (first, end) frames."""
    pcm = samples.tobytes()
    out = []
    for m in re.finditer(rb"\x00\x00+", pcm):
        first, end = (m.start() + 1) // 2, m.end() // 2  # whole samples only
        if end - first >= min_seconds * SR:
            out.append((first, end))
    return out


def test_the_file_is_the_routine_length_in_pyttsx3_format(rendered):
    result, params, samples, _ = rendered
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 22050)
    assert params.nframes == script_for(5).total_seconds * SR
    assert "Audio saved" not in result.stdout + result.stderr  # pyttsx3's own printing stays hidden
    assert "Wrote" in result.stdout


def test_each_cue_starts_within_one_frame_of_the_cue_list_and_the_schedule(rendered):
    _, _, samples, cues = rendered
    gaps = silences(samples, GAP)
    onsets = [0 if samples[0] else gaps.pop(0)[1]] + [end for _, end in gaps if end < len(samples)]
    assert len(onsets) == len(cues)
    for onset, cue in zip(onsets, cues):
        assert abs(onset - cue["at"] * SR) <= 1, cue["text"]
    timeline = script_for(5).timeline()
    assert [c["text"] for c in cues] == [cue.text for _, _, cue in timeline]
    for c, (at, _, _) in zip(cues, timeline):
        assert abs(c["at"] - c["late"] - at) * SR <= 1  # where it was due, by the script
    assert all(c["late"] == 0 for c in cues)  # at the default rate no cue overruns the next


def test_silences_are_exact_and_separate_every_cue(rendered):
    _, _, samples, cues = rendered
    starts = [round(c["at"] * SR) for c in cues] + [len(samples)]
    for n, (start, nxt) in enumerate(zip(starts, starts[1:])):
        speech = samples[start:nxt]
        sound = (len(speech.tobytes().rstrip(b"\x00")) + 1) // 2  # up to the cue's last non-zero sample
        silence = len(speech) - sound  # exact zeros only: any noise or dither would end it early
        assert silence >= 0.5 * SR, cues[n]["text"]  # a breath of quiet before the next cue
        rms = (sum(s * s for s in speech[: SR // 2]) / (SR // 2)) ** 0.5
        assert rms > 500, cues[n]["text"]  # real speech at the onset, not a click


def test_rate_and_voice_change_the_speech():
    text = "Keep every movement gentle, and stop if anything causes sharp pain."
    with Engine(rate=150) as slow_engine, Engine(rate=300) as fast_engine, Engine(voice="roa/fr") as french_engine:
        slow, fast = slow_engine.clip(text), fast_engine.clip(text)
        assert 1.7 < slow.seconds / fast.seconds < 2.3  # espeak-ng really speaks at the asked rate
        assert slow_engine.clip(text) is slow  # cached: synthesized once
        french = french_engine.clip(text)
        assert abs(french.seconds - slow.seconds) > 0.1
        again = slow_engine.clip(text + " ")  # a new text, after the other engines set espeak otherwise
        assert 0.95 < again.seconds / slow.seconds < 1.05  # each engine speaks at its own rate
    assert "gmw/en-us" in [v.id for v in local_engine.list_voices()]
    with pytest.raises(UnknownVoice, match="--list-voices"):
        Engine(voice="no-such-voice")


def test_an_interrupted_render_leaves_nothing_behind(tmp_path):
    target = tmp_path / "r.wav"
    target.write_bytes(b"the user's earlier file")

    def interrupt(done, total):
        if done > total / 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with Engine() as engine:
            render(script_for(5), engine, str(target), str(tmp_path / "c.json"), progress=interrupt)
    assert target.read_bytes() == b"the user's earlier file"
    assert os.listdir(tmp_path) == ["r.wav"]


def test_slow_speech_pushes_cues_back_and_the_cue_list_says_where(tmp_path):
    """At 80 words a minute cues outlast their gaps: each pushed cue starts exactly where the
    one before ends (nothing cut off), and the cue list gives that real start."""
    target = tmp_path / "slow.wav"
    with Engine(rate=80) as engine:
        done = render(script_for(5), engine, str(target), str(tmp_path / "c.json"))
    cues = json.loads((tmp_path / "c.json").read_text())
    with wave.open(str(target), "rb") as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    assert done.pushed
    for before, placed, listed in zip((None, *done.cues), done.cues, cues):
        assert listed["at"] * SR == pytest.approx(placed.start, abs=1)
        assert samples[placed.start] != 0  # speech begins on the listed frame
        if placed in done.pushed:
            assert placed.start == before.end and listed["late"] > 0
        elif placed.start:
            assert samples[placed.start - 1] == 0 and placed.start == placed.due
