"""Offline coach benchmark: how fast `render` makes the default 20-minute routine, and how
close to schedule real playback starts each cue (2 minutes at speed 1, null audio sink).

Each figure has a baseline measured in the same run: synthesis against plain `espeak-ng -w`
calls for the same texts, file writing against writing the same number of silent frames,
and cue-onset error against plain time.sleep overshoot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import write_section  # noqa: E402
from content.planner import PlanInputs  # noqa: E402
from skill.cli.terminal import Display, Keyboard  # noqa: E402
from speech import sequencer  # noqa: E402
from speech.local.engine import DEFAULT_RATE, Engine  # noqa: E402
from speech.local.export import render  # noqa: E402
from speech.local.pcm import SAMPLE_RATE, silence, wav_writer  # noqa: E402
from speech.local.playback import cue_texts, play  # noqa: E402
from speech.local.sinks import NullSink  # noqa: E402
from speech.script import script_for  # noqa: E402

PLAY_SECONDS = 120


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_render(folder: str) -> str:
    script = script_for(PlanInputs(20))
    texts = cue_texts(script)

    t = time.perf_counter()
    with open(os.devnull, "w") as null:
        for n, text in enumerate(texts):
            subprocess.run(
                ["espeak-ng", "-s", str(DEFAULT_RATE), "-w", f"{folder}/e{n}.wav", text],
                stdout=null,
                stderr=null,
                check=True,
            )
    espeak_cli = time.perf_counter() - t

    with Engine() as engine:
        t = time.perf_counter()
        for text in texts:
            engine.clip(text)
        ours = time.perf_counter() - t

    with Engine() as engine:  # a new engine, its cache empty: render from scratch, synthesis included
        t = time.perf_counter()
        done = render(script, engine, f"{folder}/r.wav", f"{folder}/c.json")
        render_wall = time.perf_counter() - t

    t = time.perf_counter()
    with wav_writer(f"{folder}/silence.wav") as w:
        second = silence(1.0)
        for _ in range(done.frames // SAMPLE_RATE):
            w.writeframes(second)
    write_wall = time.perf_counter() - t

    return "\n".join(
        [
            f"Render of the default 20-minute routine ({done.seconds:.0f} s of audio, {len(done.cues)} cues, "
            f"{len(texts)} distinct texts), synthesis included:",
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| render speed | **{done.seconds / render_wall:.0f} s of audio per wall-clock second** "
            f"({render_wall:.2f} s) |",
            f"| render time / writing the same frames of silence | {render_wall / write_wall:.1f}x "
            f"({write_wall:.2f} s) |",
            f"| engine synthesis (an `espeak-ng --stdout` process per text), per text | "
            f"{1000 * ours / len(texts):.1f} ms |",
            f"| engine synthesis / plain `espeak-ng -w` process per text | {ours / espeak_cli:.2f}x "
            f"({1000 * espeak_cli / len(texts):.1f} ms each) |",
        ]
    )


def bench_playback() -> str:
    # Baseline: how late a plain time.sleep wakes here.
    overshoot = []
    for _ in range(200):
        t = time.monotonic()
        time.sleep(0.02)
        overshoot.append(time.monotonic() - t - 0.02)

    pos = sequencer.start(PlanInputs(10))
    engine = Engine()
    sink = NullSink(engine)
    sink.prepare(cue_texts(pos.script))
    events = []
    read_end, write_end = os.pipe()  # a keyboard that is never pressed: the real select() wait
    wakes = []  # how late each timed wait returned, cue or status tick
    with open(os.devnull, "w") as null, os.fdopen(read_end) as keys_in, Keyboard(keys_in) as keyboard:
        display = Display(pos.script, out=null, live=True)  # the live status line's work, unseen

        def show(e):
            events.append(e)
            display(e)

        def keys(timeout):
            asked = time.monotonic() + (timeout or 0)
            key = keyboard(timeout)
            wakes.append(time.monotonic() - asked)
            return key

        play(pos, sink, time.monotonic, keys, show, speed=1.0, tick=1.0, until=PLAY_SECONDS)
    os.close(write_end)
    engine.close()

    pushed = {(e.step, e.at) for e in events if e.kind == "pushed"}
    late = [1000 * e.late for e in events if e.kind == "cue" and (e.step, e.at) not in pushed]
    sleep_ms = [1000 * x for x in overshoot]
    wake_ms = [1000 * x for x in wakes]
    return "\n".join(
        [
            f"Real playback of the first {PLAY_SECONDS // 60} minutes of the 10-minute routine at speed 1, "
            f"into a null audio sink (real synthesis, real clock, live status line every second): "
            f"{len(late)} cues on time, {len(pushed)} pushed back by a long cue before them.",
            "",
            "| cue-onset error | p50 | p99 | max |",
            "| --- | --- | --- | --- |",
            f"| cue onsets ({len(late)}), ms | {pct(late, 50):.3f} | {pct(late, 99):.3f} | {max(late):.3f} |",
            f"| every timed wake-up ({len(wake_ms)}: cues and status ticks), ms | {pct(wake_ms, 50):.3f} "
            f"| {pct(wake_ms, 99):.3f} | {max(wake_ms):.3f} |",
            f"| baseline: time.sleep(20 ms) overshoot, ms | {pct(sleep_ms, 50):.3f} | {pct(sleep_ms, 99):.3f} "
            f"| {max(sleep_ms):.3f} |",
            "",
            f"Cue-onset p99 / sleep p99: {pct(late, 99) / pct(sleep_ms, 99):.2f}x; wake-up p99 / sleep p99: "
            f"{pct(wake_ms, 99) / pct(sleep_ms, 99):.2f}x. Onset error is the time from "
            "a cue's deadline to the moment its audio is handed to the sink; with `aplay` add the device's "
            "own start-up latency, which a machine without a sound card cannot measure.",
        ]
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        body = bench_render(folder)
    body += "\n\n" + bench_playback()
    write_section("Offline coach", body)


if __name__ == "__main__":
    main()
