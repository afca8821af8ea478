"""First audio and render speed of step tracks in the neural voice.

1. First audio byte of a cold track: the real gunicorn (deploy/gunicorn.conf.py, two workers,
   each loading the voice at start) and a cold cache; once the workers have started, the
   first tracks of FIRST_PLANS different routines are fetched one after another, as a
   player fetches a routine's first track. Seconds to the first byte and to the whole answer.
2. Render speed of the default 20-minute routine, every track rendered to MP3 as the server
   renders it (tracks.progressive into mp3.encode), in a process of its own with the voice
   loaded: cold (no clip synthesized yet) and warm (clips in the disk cache, tracks made
   again), as seconds of routine per wall-clock second; and that process's peak memory.
The first byte under load (20 routines starting, rendered ahead) is bench/render_ahead.py's.
Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "alexa")]

from content.planner import PlanInputs  # noqa: E402
from speech.local.trackkey import TrackRef  # noqa: E402

MINUTES = (5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 20, 25, 30, 35, 40, 45)  # no two share a first cue
FIRST_PLANS = [PlanInputs(m, cardio=("walking", "cycling")[n % 2]) for n, m in enumerate(MINUTES)]
START_S = 10.0  # after the workers answer: the time they take to load the voice
READY_S = 120.0  # the longest the workers are given to say the openings
NEURAL = "en_US-joe-medium"


def fetch(port: int, path: str) -> tuple[float, float, int]:
    """Seconds to the first byte and to the whole answer of a GET, and its status."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read(1)
        first = time.monotonic() - start
        r.read()
        return first, time.monotonic() - start, r.status
    finally:
        conn.close()


def ready(cache: Path) -> None:
    """Wait until the workers have said the sentences routines open with (the voice loaded and
    its start done), if this server says them."""
    try:
        from speech.local.openings import openings
    except ImportError:  # a server from before openings: START_S is its start
        return
    deadline = time.monotonic() + READY_S
    while len(list(cache.glob("clips/*/*"))) < len(openings()) and time.monotonic() < deadline:
        time.sleep(0.5)


def first_bytes() -> list[tuple[float, float]]:
    from gunicornkit import Gunicorn

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"RECOVERY_COACH_CACHE_DIR": f"{tmp}/cache", "RECOVERY_COACH_DB": f"{tmp}/coach.sqlite3"}
        env["RECOVERY_COACH_AUDIO_BASE_URL"] = "https://coach.example"  # streaming on: /audio exists
        with Gunicorn(env) as server:
            time.sleep(START_S)
            ready(Path(tmp) / "cache")
            for plan in FIRST_PLANS:
                first, whole, status = fetch(server.port, TrackRef(plan, 0, NEURAL, 150).path)
                assert status == 200, status
                out.append((first, whole))
    return out


def render_speed() -> dict[str, float]:
    """In this process: the 20-minute routine rendered cold, then warm (see the docstring)."""
    from speech.local import mp3, tracks
    from speech.local.cache import DiskCache
    from speech.local.piper_engine import PiperEngine
    from speech.local.voices import CachedSpeaker
    from speech.script import script_for

    script = script_for(PlanInputs(20))
    audio_s = sum(step.seconds for step in script.steps)
    engine = PiperEngine(150)

    def render(speaker: CachedSpeaker) -> float:
        start = time.monotonic()
        for step in range(len(script.steps)):
            pcm = tracks.progressive(script, step, speaker, free_at=mp3.ENCODER_DELAY)
            for _ in mp3.encode(pcm):
                pass
        return time.monotonic() - start

    with tempfile.TemporaryDirectory() as tmp:
        cache = DiskCache(tmp)
        cold = render(CachedSpeaker(engine, cache))
        warm = render(CachedSpeaker(engine, cache))  # a new run: clips read from the disk cache
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"audio_s": audio_s, "cold_s": cold, "warm_s": warm, "peak_mb": peak_mb}


def main() -> None:
    from bench.results import write_section

    child = subprocess.run([sys.executable, __file__, "--render"], capture_output=True, text=True, check=True)
    speed = json.loads(child.stdout.splitlines()[-1])
    firsts = first_bytes()
    first = sorted(f for f, _ in firsts)
    p95 = first[round(0.95 * (len(first) - 1))]
    write_section(
        "First audio and render speed",
        f"First tracks of {len(FIRST_PLANS)} routines of different lengths (5 to 45 minutes, no two with the "
        "same first cue), "
        "fetched one after another from gunicorn with deploy/gunicorn.conf.py (2 workers, the neural voice "
        f"loaded at each worker's start, {START_S:.0f} s given to it and then the time to say the sentences "
        "routines open with) and a cold track cache. Render speed: the "
        "default 20-minute routine, every track rendered to MP3 as the server renders it, in a process of its "
        "own with the voice loaded.\n\n"
        "| measure | value |\n| --- | --- |\n"
        f"| cold first track, first byte: median / p95 | **{statistics.median(first):.2f} s / {p95:.2f} s** |\n"
        f"| cold first track, whole answer: median | {statistics.median(w for _, w in firsts):.2f} s |\n"
        f"| 20-minute routine, cold (nothing synthesized yet) | {speed['cold_s']:.1f} s: "
        f"**{speed['audio_s'] / speed['cold_s']:.1f}x** real time |\n"
        f"| 20-minute routine, warm (clips in the cache, tracks made again) | {speed['warm_s']:.1f} s: "
        f"**{speed['audio_s'] / speed['warm_s']:.1f}x** real time |\n"
        f"| the rendering process's peak memory (voice loaded, both renders) | {speed['peak_mb']:.0f} MB |\n"
        f"| the machine's load average (1 min) at the end: other work on its {os.cpu_count()} cores | "
        f"{os.getloadavg()[0]:.1f} |",
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--render"]:
        print(json.dumps(render_speed()))
    else:
        main()
