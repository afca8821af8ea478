"""Storms on /audio against the real gunicorn (deploy/gunicorn.conf.py, two workers): 24
different tracks asked for at once, in one voice, in 24 espeak-ng voices, and in 24 rates of
the neural voice (each rate an engine of its own). What an operator and a listener would
notice is checked: /health answers within a second throughout, nothing but 200 and the
queue's 503 comes back, a worker's memory stays under WORKER_MB, and every track served or
cached is the track its key names."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from gunicornkit import Gunicorn
from onsets import onsets
from stormkit import STORM, keys_storm, rates_storm, storm, voices_storm

from speech.local.cache import DiskCache
from speech.local.engine import DEFAULT_RATE, list_voices
from speech.local.mp3 import ENCODER_DELAY
from speech.local.pcm import SAMPLE_RATE
from speech.local.piper_engine import VOICE_ID
from speech.local.trackkey import TrackRef
from speech.local.trackstore import KIND, RENDERING, SPEAKERS, WAITING, TrackStore

pytestmark = pytest.mark.slow

ESPEAK = "gmw/en-us"
WORKER_MB = 750  # a worker holds at most SPEAKERS neural voices (about 170 MB each) and what rendering needs
HEALTH_S = 1.0
RATES = [DEFAULT_RATE + 2 * n for n in range(STORM)]  # faster than the scripts' pace: no cue is pushed back
ONSET_S = 0.02  # a cue heard where it is due
DELAY_S = ENCODER_DELAY / SAMPLE_RATE  # silence the MP3 encoder pads the end with
FRAME_S = 1152 / SAMPLE_RATE  # and an MP3 ends on a whole frame


@pytest.fixture(scope="module")
def voices() -> list[str]:
    english = [v.id for v in list_voices() if "/en" in v.id and v.id != ESPEAK]
    others = [v.id for v in list_voices() if "/en" not in v.id]
    return [ESPEAK, *english, *others][:STORM]


@pytest.fixture(scope="module")
def server(tmp_path_factory, voices):
    tmp = tmp_path_factory.mktemp("storm")
    env = {
        "RECOVERY_COACH_CACHE_DIR": str(tmp / "cache"),
        "RECOVERY_COACH_DB": str(tmp / "coach.sqlite3"),
        "RECOVERY_COACH_AUDIO_BASE_URL": "https://coach.example",
        "RECOVERY_COACH_AUDIO_VOICES": ",".join(voices),
        "RECOVERY_COACH_AUDIO_RATES": ",".join(map(str, RATES)),
    }
    with Gunicorn(env) as running:
        yield running, DiskCache(tmp / "cache")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Tracks rendered one at a time, in a cache of their own: what a key should sound like."""
    return TrackStore(DiskCache(tmp_path_factory.mktemp("clean")))


def assert_weathered(result, served_at_least: int) -> None:
    assert result.health_failures == [], result.health_failures[:3]
    assert max(result.health) < HEALTH_S, f"/health took {max(result.health):.2f} s"
    assert set(result.codes()) <= {200, 503}, result.codes()
    assert len(result.served()) >= served_at_least, result.codes()
    assert result.worst_rss_mb < WORKER_MB, f"a worker reached {result.worst_rss_mb:.0f} MB"


def assert_cached_as_served(cache: DiskCache, served: dict[TrackRef, bytes]) -> None:
    for ref, body in served.items():
        found = cache.find(KIND, ref.key, "mp3")
        assert found is not None and found.read_bytes() == body, ref.path


# Per worker, RENDERING renders at once and WAITING more wait; two workers serve at least that many.
QUEUED = RENDERING + WAITING


@pytest.mark.parametrize("kind", ["keys", "voices"])
def test_an_espeak_storm_is_weathered_and_every_track_is_a_clean_render(server, clean, voices, kind):
    running, cache = server
    refs = keys_storm(ESPEAK, DEFAULT_RATE) if kind == "keys" else voices_storm(voices, DEFAULT_RATE)
    assert len({ref.key for ref in refs}) == STORM
    result = storm(running, refs)
    assert_weathered(result, served_at_least=QUEUED)
    assert_cached_as_served(cache, result.served())
    for ref, body in result.served().items():  # espeak-ng renders the same bytes every time
        assert body == clean.file(ref).read_bytes(), ref.path
    for ref in refs:  # those turned away were not half made either
        found = cache.find(KIND, ref.key, "mp3")
        assert found is None or found.read_bytes() == clean.file(ref).read_bytes(), ref.path


def heard(mp3: bytes) -> tuple[float, list[float]]:
    samples, rate = sf.read(io.BytesIO(mp3), dtype="int16")
    return len(samples) / rate, onsets(np.asarray(samples), rate)


def test_a_storm_of_rates_holds_two_neural_voices_at_most(server, clean):
    """The neural voice draws slightly differently on every render, so a track is compared
    with a clean render by what a listener hears: its length, and each cue where it is due."""
    running, cache = server
    result = storm(running, rates_storm(VOICE_ID, RATES))
    assert_weathered(result, served_at_least=QUEUED)
    assert_cached_as_served(cache, result.served())
    for ref, body in list(result.served().items())[:SPEAKERS]:  # a pause inside a cue may differ
        assert heard(body)[0] == heard(clean.file(ref).read_bytes())[0], ref.path
    for ref, body in result.served().items():  # each cue of the step heard at its time
        step = ref.script.steps[ref.step]
        length, cues = heard(body)
        assert step.seconds <= length <= step.seconds + DELAY_S + FRAME_S, ref.path
        for cue in step.cues:
            assert min(abs(h - cue.at) for h in cues) <= DELAY_S + ONSET_S, (ref.path, cue.text)
