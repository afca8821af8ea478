"""Hands-free routines from a cold cache on the real gunicorn (deploy/gunicorn.conf.py, two
workers, the neural voice loaded at each worker's start): ROUTINES people start a routine of
a different length a few seconds apart, on devices with a player. Each device fetches its
first track at once, as Alexa does; the tracks after it are never fetched here, so each one
is made only by the server's render-ahead. A track is ready when HEAD (which never renders)
answers 200. A device playing at 1x enqueues track k+1 NEARLY seconds before track k ends:
a track not ready by then would leave the player waiting. Figures: the first track's first
byte and whole answer against the seconds of audio it holds, tracks not ready when they
would be enqueued, render speed as seconds of audio made per second of wall clock, and the
largest worker's memory against the workers' at rest. Requests go to 127.0.0.1 only."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "alexa")]

from gunicornkit import Gunicorn  # noqa: E402

from bench.first_audio import fetch  # noqa: E402
from bench.first_audio import ready as workers_ready  # noqa: E402
from bench.results import write_section  # noqa: E402
from skill.sim.chat import Conversation  # noqa: E402
from skill.sim.chat_stream import AUDIO_PLAYER  # noqa: E402
from skill.sim.player import NEARLY  # noqa: E402
from skill.sim.transport import over_http  # noqa: E402
from speech.local.trackkey import TrackRef, parse_key  # noqa: E402

BASE = "https://coach.example"
ROUTINES = 20
APART_S = 3.0  # between two people starting
POLL_S = 0.25  # how often each track's readiness is asked (HEAD)
DEADLINE_S = 600  # the benchmark gives up on a track after this long


def start_routine(server: Gunicorn, words: str, n: int) -> tuple[float, TrackRef]:
    """Person n says `words` to a device with a player: when, and the track it is sent."""
    conv = Conversation(over_http(f"{server.url}/alexa"), user_id=f"amzn1.ask.account.ahead{n}")
    conv.interfaces, conv.audio = AUDIO_PLAYER, lambda: {"playerActivity": "IDLE"}
    started = time.monotonic()
    conv.say(words)
    play = next(d for d in conv.last["response"]["directives"] if d["type"] == "AudioPlayer.Play")
    ref = parse_key(play["audioItem"]["stream"]["url"].rsplit("/", 1)[1].removesuffix(".mp3"), lambda voice: True)
    assert ref is not None and ref.step == 0, play
    return started, ref


def watch_tracks(server: Gunicorn, routines: list[list[TrackRef]], stop: threading.Event) -> dict[TrackRef, float]:
    """When each track was first seen made (HEAD 200), until all are or `stop` is set. A
    routine's tracks are made in order, so only its first one not made yet is asked about
    (and the ones after it once it is). A routine not started yet has no tracks."""
    seen: dict[TrackRef, float] = {}
    while not stop.wait(POLL_S):  # a benchmark's own pace
        for refs in list(routines):
            for ref in refs:
                if ref in seen:
                    continue
                if server.get(ref.path, method="HEAD")[0] != 200:
                    break
                seen[ref] = time.monotonic()
        if all(routines) and len(seen) == sum(map(len, routines)):
            break
    return seen


def asked() -> list[str]:
    """What ROUTINES people ask for: different short routines (5 to 9 minutes, four kinds of
    cardio), which share nothing but the clips of the cues they have in common."""
    cardio = ("walking", "cycling", "swimming", "the elliptical")
    return [f"start a {5 + n // 4} minute routine with {cardio[n % 4]}" for n in range(ROUTINES)]


def main() -> None:
    words = asked()
    later: list[list[TrackRef]] = [[] for _ in words]  # each routine's tracks after its first
    started: dict[int, float] = {}
    firsts: list[tuple[float, float, float]] = []  # first byte, whole answer, seconds of audio
    ready: dict[TrackRef, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {"RECOVERY_COACH_CACHE_DIR": f"{tmp}/cache", "RECOVERY_COACH_DB": f"{tmp}/coach.sqlite3"}
        env["RECOVERY_COACH_AUDIO_BASE_URL"] = BASE
        with Gunicorn(env) as server:
            time.sleep(5)  # each worker loads the voice at start: let it
            workers_ready(Path(tmp) / "cache")  # and say the sentences routines open with
            rest_mb = max(server.worker_rss_mb())
            peak, stop = [rest_mb], threading.Event()

            def watch_memory() -> None:
                while not stop.wait(0.2):
                    peak.append(max(server.worker_rss_mb(), default=0.0))

            def person(n: int) -> None:
                started[n], first_track = start_routine(server, words[n], n)
                steps = len(first_track.script.steps)
                later[n] = [
                    TrackRef(first_track.inputs, s, first_track.voice, first_track.rate) for s in range(1, steps)
                ]
                first, whole, status = fetch(server.port, first_track.path)
                if status == 200:
                    firsts.append((first, whole, first_track.script.steps[0].seconds))
                print(f"person {n}: first byte {first:.2f} s, whole {whole:.2f} s", file=sys.stderr)

            threading.Thread(target=watch_memory, daemon=True).start()
            tracks = threading.Thread(target=lambda: ready.update(watch_tracks(server, later, stop)), daemon=True)
            tracks.start()
            began, people = time.monotonic(), []
            for n in range(ROUTINES):
                people.append(threading.Thread(target=person, args=(n,)))
                people[-1].start()
                time.sleep(APART_S)  # the next person, a few seconds later
            for p in people:
                p.join()
            tracks.join(timeout=DEADLINE_S)
            stop.set()
            tracks.join(timeout=30)
            finished = max(ready.values(), default=time.monotonic())
            trouble = [line.rstrip() for line in server.log if "failed" in line or "Error" in line]
    late = missing = 0
    for n, refs in enumerate(later):
        for ref in refs:
            steps = ref.script.steps
            enqueued = started[n] + sum(s.seconds for s in steps[: ref.step]) - NEARLY
            missing += ref not in ready
            late += ref in ready and ready[ref] > enqueued
    audio_s = sum(step.seconds for refs in later for step in refs[0].script.steps) if all(later) else 0
    first_byte = sorted(f for f, _, _ in firsts)
    p95 = first_byte[int(0.95 * (len(first_byte) - 1))]
    count = sum(map(len, later))
    for line in trouble[:20]:
        print(f"server: {line}", file=sys.stderr)
    write_section(
        "Render ahead",
        f"{ROUTINES} people start different routines (5 to 9 minutes, four kinds of cardio), "
        f"{APART_S:.0f} s apart, on devices with a player, against gunicorn with deploy/gunicorn.conf.py (2 "
        "workers, the neural voice loaded at each worker's start, and the sentences routines open with said) "
        "and a cold cache. Each device fetches its "
        "first track at once; every later track is made only by the server rendering ahead. A track counts as "
        "late when it was not made by the time a device playing at 1x would enqueue it "
        f"({NEARLY:.0f} s before the track before ends).\n\n"
        "| measure | value |\n| --- | --- |\n"
        f"| first tracks served | {len(firsts)} of {ROUTINES} |\n"
        f"| first track, first byte: median / p95 | {statistics.median(first_byte):.2f} s / {p95:.2f} s |\n"
        f"| first track, whole answer, median | {statistics.median(w for _, w, _ in firsts):.2f} s |\n"
        f"| first track, its audio per second waited, median | "
        f"**{statistics.median(a / w for _, w, a in firsts):.1f}x** real time |\n"
        f"| later tracks rendered ahead | {len(ready)} of {count} |\n"
        f"| later tracks late at enqueue (1x) | **{late}** (and {missing} never made) |\n"
        f"| all {audio_s / 60:.0f} minutes of audio, from the first start to the last track made | "
        f"{finished - began:.0f} s: **{audio_s / (finished - began):.1f}x** real time |\n"
        f"| largest worker | {max(peak):.0f} MB, **{max(peak) / rest_mb:.2f}x** a worker at rest ({rest_mb:.0f} MB) |\n"
        f"| the machine's load average (1 min) at the end: other work on its {os.cpu_count()} cores | "
        f"{os.getloadavg()[0]:.1f} |",
    )


if __name__ == "__main__":
    main()
