"""Voice and audio pipeline benchmark: synthesis speed of each voice, a cold and a warm render
of the default 20-minute routine to MP3, MP3 size, and the memory peak of a 60-minute render.

Baselines from the same run: espeak-ng's synthesis speed for the neural voice's, the cold
render for the warm one, the routine's whole PCM for the 60-minute render's memory peak, and
the memory of a process that only loads the voice.
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
from speech.local.cache import DiskCache  # noqa: E402
from speech.local.engine import Engine  # noqa: E402
from speech.local.export import render  # noqa: E402
from speech.local.piper_engine import PiperEngine  # noqa: E402
from speech.local.playback import cue_texts  # noqa: E402
from speech.local.voices import CachedSpeaker  # noqa: E402
from speech.script import script_for  # noqa: E402

CHILD = """
import sys, resource
sys.path.insert(0, {root!r})
from speech.local.voices import open_speaker
from speech.local.cache import DiskCache
from speech.local.export import render
from content.planner import PlanInputs
from speech.script import script_for
cache = DiskCache({cache!r})
speaker = open_speaker(None, 150, None, cache)
if {minutes}:
    render(script_for(PlanInputs({minutes})), speaker, {out!r}, cache=cache)
else:
    speaker.clip("Ready.")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def synthesis_speed(speaker, texts: list[str]) -> tuple[float, float]:
    t = time.perf_counter()
    audio = sum(speaker.clip(text).seconds for text in texts)
    return audio, time.perf_counter() - t


def peak_rss_mb(folder: str, minutes: int) -> float:
    code = CHILD.format(
        root=str(Path(__file__).resolve().parent.parent),
        cache=f"{folder}/mem-cache",
        minutes=minutes,
        out=f"{folder}/m.mp3",
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def main() -> None:
    texts = cue_texts(script_for(PlanInputs(20)))
    neural = PiperEngine(150)
    with Engine() as espeak:
        e_audio, e_wall = synthesis_speed(espeak, texts)
    n_audio, n_wall = synthesis_speed(neural, texts)
    e_speed, n_speed = e_audio / e_wall, n_audio / n_wall

    with tempfile.TemporaryDirectory() as folder:
        cache = DiskCache(f"{folder}/cache")
        neural._memo.clear()
        t = time.perf_counter()
        done = render(script_for(PlanInputs(20)), CachedSpeaker(neural, cache), f"{folder}/r.mp3", cache=cache)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        again = render(script_for(PlanInputs(20)), CachedSpeaker(neural, cache), f"{folder}/r2.mp3", cache=cache)
        warm = time.perf_counter() - t
        mp3_bytes = os.path.getsize(f"{folder}/r.mp3")
        t = time.perf_counter()
        render(script_for(PlanInputs(20)), CachedSpeaker(neural, cache), f"{folder}/r.wav", cache=cache)
        wav_warm = time.perf_counter() - t
        base_mb = peak_rss_mb(folder, 0)
        t = time.perf_counter()
        peak_mb = peak_rss_mb(folder, 60)
        hour = time.perf_counter() - t
    pcm_mb = 60 * 60 * 22050 * 2 / 2**20
    assert again.cached
    body = "\n".join(
        [
            f"Voices over the 20-minute routine's {len(texts)} distinct cue texts, at 150 wpm "
            f"(espeak-ng {e_audio:.0f} s of speech, neural {n_audio:.0f} s):",
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| espeak-ng synthesis (a process per text) | {e_speed:.0f} s of audio per wall-clock second |",
            f"| neural (Piper, joe) synthesis | {n_speed:.1f} s of audio per wall-clock second |",
            f"| neural / espeak-ng speed | **{n_speed / e_speed:.3f}x** |",
            f"| cold render, default 20-minute routine to MP3 (neural, empty cache) | {cold:.1f} s |",
            f"| warm render (same routine, from the cache) / cold | **{warm / cold:.4f}x** ({warm:.3f} s; "
            f"{cold / warm:.0f}x faster) |",
            f"| warm WAV render (clips from the cache, tracks mixed again) / cold MP3 | {wav_warm / cold:.3f}x "
            f"({wav_warm:.2f} s) |",
            f"| MP3 size ({done.seconds / 60:.0f} min, mono 48 kbps) | "
            f"{mp3_bytes / (done.seconds / 60) / 1024:.0f} KiB per minute of routine |",
            f"| memory peak, 60-minute render to MP3 (cold, own process) | {peak_mb:.0f} MiB ({hour:.0f} s) |",
            f"| ... over a process that only loads the voice | {peak_mb / base_mb:.2f}x ({base_mb:.0f} MiB) |",
            f"| ... growth / the routine's whole PCM ({pcm_mb:.0f} MiB) | {(peak_mb - base_mb) / pcm_mb:.3f}x |",
        ]
    )
    write_section("Voices and audio pipeline", body)


if __name__ == "__main__":
    main()
