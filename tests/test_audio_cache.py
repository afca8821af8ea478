"""The audio cache: a second render comes from it, two processes can fill it at once, it stays
within its bound (least recently used first), and `audio build` / `audio clean` manage it."""

import os
import subprocess
import sys
import time

import soundfile

from content.planner import PlanInputs
from speech.local import cards
from speech.local.cache import DiskCache
from speech.local.export import render
from speech.local.voices import CachedSpeaker
from speech.script import script_for

CLI = [sys.executable, "-m", "skill.cli"]


def test_a_second_render_comes_from_the_cache_at_least_5x_faster(neural, tmp_path):
    cache = DiskCache(tmp_path / "cache")
    speaker = CachedSpeaker(neural, cache)
    neural._memo.clear()  # synthesize for real the first time
    t = time.perf_counter()
    first = render(script_for(PlanInputs(6)), speaker, str(tmp_path / "a.mp3"), cache=cache)
    cold = time.perf_counter() - t
    again = CachedSpeaker(neural, cache)  # a new run: nothing in memory
    t = time.perf_counter()
    second = render(script_for(PlanInputs(6)), again, str(tmp_path / "b.mp3"), cache=cache)
    warm = time.perf_counter() - t
    assert not first.cached and second.cached and again.misses == 0
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
    assert cold / warm >= 5, (cold, warm)


def test_two_processes_render_the_same_routine_at_once(tmp_path):
    env = {**os.environ, "RECOVERY_COACH_CACHE_DIR": str(tmp_path / "cache")}
    procs = [
        subprocess.Popen(
            [*CLI, "render", "--minutes", "5", "-o", str(tmp_path / f"r{n}.mp3")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    for n in (1, 2):
        samples, rate = soundfile.read(str(tmp_path / f"r{n}.mp3"), dtype="int16")
        assert abs(len(samples) / rate - 300) < 0.1
    files = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "cache") for f in fs]
    assert not [f for f in files if ".part" in f]  # no half-written entries
    third = subprocess.run(
        [*CLI, "render", "--minutes", "5", "-o", str(tmp_path / "r3.mp3")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "(from the cache)" in third.stdout
    assert (tmp_path / "r3.mp3").read_bytes() in (
        (tmp_path / "r1.mp3").read_bytes(),
        (tmp_path / "r2.mp3").read_bytes(),
    )


def test_the_cache_evicts_the_least_recently_used_beyond_its_bound(tmp_path):
    cache = DiskCache(tmp_path, max_bytes=3000)
    for n in range(3):
        cache.put("clips", f"k{n}", "pcm", bytes(1000))
        old = time.time() - 100 + n
        os.utime(cache.path("clips", f"k{n}", "pcm"), (old, old))
    assert cache.get("clips", "k0", "pcm") == bytes(1000)  # read: now the most recent
    cache.put("clips", "k3", "pcm", bytes(1000))
    assert cache.evict() == 1
    assert cache.get("clips", "k1", "pcm") is None
    assert all(cache.get("clips", k, "pcm") for k in ("k0", "k2", "k3"))
    assert "k1" not in str(cache.path("clips", "../../k1", "pcm").relative_to(tmp_path))  # keys are hashed


def test_audio_build_then_clean(tmp_path):
    env = {**os.environ, "RECOVERY_COACH_CACHE_DIR": str(tmp_path / "cache")}
    built = subprocess.run(
        [*CLI, "audio", "build", "--minutes", "5"], env=env, capture_output=True, text=True, timeout=120
    )
    assert built.returncode == 0, built.stderr
    assert "4 tracks for 1 plan in " in built.stdout and "4 rendered" in built.stdout
    out = tmp_path / "publish"
    again = subprocess.run(
        [*CLI, "audio", "build", "--minutes", "5", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "4 already there" in again.stdout
    # The layout a static host serves: the tracks, and every movement's cards by the names Play gives.
    assert len(list((out / "audio").glob("*.mp3"))) == 4
    assert sorted(p.name for p in (out / "cards").iterdir()) == sorted(
        cards.card_path(m.id, s.kind).removeprefix("/cards/") for m, s in cards.every_card()
    )
    cleaned = subprocess.run([*CLI, "audio", "clean"], env=env, capture_output=True, text=True, timeout=60)
    assert cleaned.returncode == 0 and "Emptied" in cleaned.stdout
    assert DiskCache(tmp_path / "cache").size() == 0
