"""Rendering with the real voices (Piper and pyttsx3 + espeak-ng): render a routine to MP3 and
WAV, decode it, find each cue's onset by its energy, and measure the silences and chimes."""

import array
import json
import os
import subprocess
import sys
import wave

import numpy as np
import pyloudnorm
import pytest
import soundfile
from onsets import check_cues

from content.planner import PlanInputs
from speech.local import engine as local_engine
from speech.local.engine import Engine, UnknownVoice
from speech.local.export import render
from speech.local.mp3 import ENCODER_DELAY
from speech.local.pcm import SAMPLE_RATE
from speech.local.piper_engine import VOICE_ID as NEURAL
from speech.local.tracks import chime
from speech.script import script_for

SR = SAMPLE_RATE


@pytest.fixture(scope="module", params=[NEURAL, "gmw/en-us"])
def rendered(request, tmp_path_factory):
    """`render` to MP3 as a user runs it, in each kind of voice, decoded with libsndfile."""
    folder = tmp_path_factory.mktemp("render")
    mp3, cues = folder / "r.mp3", folder / "c.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skill.cli",
            "render",
            "--minutes",
            "5",
            "-o",
            str(mp3),
            "--cues",
            str(cues),
            "--voice",
            request.param,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    samples, rate = soundfile.read(str(mp3), dtype="int16")
    return result, soundfile.info(str(mp3)), samples, rate, json.loads(cues.read_text())


def test_the_mp3_is_the_routine_length_mono_in_the_voice_asked_for(rendered):
    result, info, samples, rate, doc = rendered
    assert (info.channels, rate, info.format) == (1, SR, "MP3")
    assert abs(len(samples) / rate - script_for(PlanInputs(5)).total_seconds) < 0.1  # LAME pads the end by < 0.1 s
    assert "Audio saved" not in result.stdout + result.stderr  # pyttsx3's own printing stays hidden
    assert "Wrote" in result.stdout
    assert doc["voice"] in (NEURAL, "gmw/en-us") and doc["voice"] in result.args


def test_each_cue_starts_within_30_ms_of_the_cue_list_and_the_schedule(rendered):
    _, _, samples, rate, doc = rendered
    errors = check_cues(samples, rate, doc)
    assert len(errors) == len(doc["cues"]) == len(script_for(PlanInputs(5)).timeline())
    timeline = script_for(PlanInputs(5)).timeline()
    assert [c["text"] for c in doc["cues"]] == [cue.text for _, _, cue in timeline]
    for c, (at, _, _) in zip(doc["cues"], timeline):
        assert abs(c["at"] - c["late"] - at) * SR <= 1  # where it was due, by the script
    assert doc["cues"][0]["late"] == round(ENCODER_DELAY / SR, 5)  # an MP3 cannot sound in its first 50 ms
    assert all(c["late"] == 0 for c in doc["cues"][1:])  # at the default rate no cue overruns the next


def test_tracks_are_the_steps_in_order_with_chimes_where_a_movement_starts_switches_and_ends(rendered):
    _, _, samples, rate, doc = rendered
    script = script_for(PlanInputs(5))
    assert [t["step"] for t in doc["tracks"]] == list(range(len(script.steps)))
    assert [t["at"] for t in doc["tracks"]] == [script.step_start(i) for i in range(len(script.steps))]
    for track, step in zip(doc["tracks"], script.steps):
        assert track["track"].startswith("/audio/") and track["track"].endswith(".mp3")
        ticks = [c["at"] for c in track["chimes"] if c["sound"] == "tick"]
        end = track["at"] + step.seconds
        assert ticks == [end - 3, end - 2, end - 1]
        bells = {round(c["at"], 2) for c in track["chimes"] if c["sound"] == "bell"}
        kinds = {round(track["at"] + c.at, 2) for c in step.cues if c.kind in ("begin", "switch")}
        assert bells == kinds
    for t in doc["tracks"]:
        for c in t["chimes"]:
            sound = samples[round(c["at"] * rate) : round((c["at"] + c["seconds"]) * rate)]
            assert np.abs(sound.astype(int)).max() > 300  # heard


def test_silences_are_exact_between_cues_and_chimes(neural, tmp_path):
    """In the WAV (no encoder) everything that is neither a cue nor a chime is digital zero."""
    done = render(script_for(PlanInputs(5)), neural, str(tmp_path / "r.wav"), str(tmp_path / "c.json"))
    doc = json.loads((tmp_path / "c.json").read_text())
    with wave.open(str(tmp_path / "r.wav"), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SR)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert len(samples) == script_for(PlanInputs(5)).total_seconds * SR
    sounding = np.zeros(len(samples), dtype=bool)
    for c in done.cues:
        sounding[c.start : c.end] = True
        assert np.sqrt(np.mean(samples[c.start : c.start + SR // 2].astype(float) ** 2)) > 500, c.text
    for t in doc["tracks"]:
        for c in t["chimes"]:
            first = round(c["at"] * SR)
            sounding[first : first + round(c["seconds"] * SR)] = True
    assert not samples[~sounding].any()
    gaps = np.diff(np.flatnonzero(np.diff(sounding.astype(int)) == 1))
    assert gaps.min() > 0.4 * SR  # a breath of quiet between sounds


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
            render(script_for(PlanInputs(5)), engine, str(target), str(tmp_path / "c.json"), progress=interrupt)
    assert target.read_bytes() == b"the user's earlier file"
    assert os.listdir(tmp_path) == ["r.wav"]


def test_slow_speech_pushes_cues_back_and_the_cue_list_says_where(tmp_path):
    """At 80 words a minute cues outlast their gaps: each pushed cue starts exactly where the
    one before ends (nothing cut off), and the cue list gives that real start."""
    target = tmp_path / "slow.wav"
    with Engine(rate=80) as engine:
        done = render(script_for(PlanInputs(5)), engine, str(target), str(tmp_path / "c.json"))
        clips = {c.text: array.array("h", engine.clip(c.text).pcm) for c in done.cues}  # as rendered
    cues = json.loads((tmp_path / "c.json").read_text())["cues"]
    with wave.open(str(target), "rb") as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    chimes = [
        (round(c["at"] * SR), round((c["at"] + c["seconds"]) * SR))
        for t in json.loads((tmp_path / "c.json").read_text())["tracks"]
        for c in t["chimes"]
    ]
    assert done.pushed
    for before, placed, listed in zip((None, *done.cues), done.cues, cues):
        assert listed["at"] * SR == pytest.approx(placed.start, abs=1)
        # The clip itself is what starts at the listed frame. (Its first samples may be quiet,
        # or zero after a level change, so "loud within 1 ms" is not what is true; the clip
        # starting exactly there, and being all of it, is.)
        clip = clips[placed.text]
        assert len(clip) == placed.end - placed.start > 0
        if not any(lo < placed.end and placed.start < hi for lo, hi in chimes):
            assert samples[placed.start : placed.end] == clip, placed.text
        if placed in done.pushed:
            assert placed.start == before.end and listed["late"] > 0
        else:
            assert placed.start == placed.due and listed["late"] == 0


def test_speech_is_at_a_phone_speakers_level_in_both_voices_with_softer_chimes(rendered):
    """Measured with pyloudnorm (ITU-R BS.1770-4, gated: the silences between cues do not
    count), on the decoded MP3 a phone would play."""
    _, info, samples, rate, doc = rendered
    x = samples.astype(np.float64) / 32768
    meter = pyloudnorm.Meter(rate)
    speech = meter.integrated_loudness(x)
    assert -17.0 <= speech <= -15.0, f"{doc['voice']}: {speech:.1f} LUFS"
    assert 20 * np.log10(np.abs(x).max()) < -1.0  # peaks below -1 dBFS, chimes under speech included
    for sound in ("bell", "tick"):
        alone = np.zeros(max(round(0.4 * rate), len(chime(sound))))  # at least one gating block
        chimed = chime(sound).astype(np.float64) / 32768
        alone[: len(chimed)] = chimed
        assert meter.integrated_loudness(alone) < speech - 3, f"the {sound} is not softer than speech"
