"""The laptop listener, measured: commands recognised with the action right, false accepts on
speech that is not a command, and the time from the end of an utterance to the action.

All audio is generated from text (tests/listenkit.py): commands in three voices that are not
the coach's, each clean, under fan-like noise and under music-like noise at 10 dB SNR; at
least 30 minutes of speech that is not a command (what the coach's data says, read aloud,
conversational sentences, and the coach's own cues in its own voice, which the listener
would hear if it were not deaf while the coach speaks). Latency: the audio is fed as a
microphone gives it; for each command, the time from the end of its speech to the moment
the coach's turn has decided the player's action = how far past the end the endpointer had
to hear, plus the computing that followed.

The command streams' noise is drawn at fixed seeds; the listener's settings were tried on
those, so the same commands are also heard under noise drawn at other seeds (held out), as a
check that the settings were not fitted to one draw of the noise.

Run: .venv/bin/python bench/listen.py [--quick]. A quick run (two voices, two noises, a few
minutes of other speech) prints its figures and writes nothing: they are not the figures.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from listenkit import GAP, NOISES, VOICES, Said, stream  # noqa: E402

from bench.results import write_section  # noqa: E402
from content.planner import PlanInputs  # noqa: E402
from skill.cli.listening import command_sentences  # noqa: E402
from skill.cli.voice_play import OfflineCoach  # noqa: E402
from skill.coach.asks import Ask  # noqa: E402
from skill.coach.phrasebook import understood  # noqa: E402
from skill.listen.gate import Verdict, judge  # noqa: E402
from skill.listen.listener import SAMPLE_RATE  # noqa: E402
from skill.listen.sources import BLOCK  # noqa: E402
from skill.listen.sphinx import SphinxListener  # noqa: E402
from speech import sequencer  # noqa: E402
from speech.script import script_for  # noqa: E402

COMMANDS = (
    ("coach, next", Ask.NEXT),
    ("coach, pause", Ask.PAUSE),
    ("coach, resume", Ask.RESUME),
    ("coach, go back", Ask.PREVIOUS),
    ("coach, repeat that", Ask.REPEAT),
    ("coach, how much is left", Ask.TIME_LEFT),
    ("coach, what's next", Ask.WHATS_NEXT),
    ("coach, stop", Ask.STOP),
    ("coach, I have a sharp pain", Ask.SHARP_PAIN),
    ("coach, my knee is swollen", Ask.SWELLING),
    ("coach, it hurts", Ask.PAIN),
    ("coach, I can't put weight on my leg", Ask.CANNOT_BEAR_WEIGHT),
    ("coach, the pain is getting worse", Ask.WORSENING_PAIN),
    ("coach, I feel dizzy", Ask.DIZZY),
)
# Said in a room while someone recovers; some name the coach or a command word, none is a command to it.
CONVERSATION = (
    "The weather is nice today.",
    "Can you pass me the remote?",
    "I think we should go to the shops later.",
    "What time is it?",
    "My coach told me to rest this week.",
    "The next bus leaves at ten.",
    "Did you see the game last night?",
    "I need to buy some milk and bread.",
    "Let's have pasta for dinner.",
    "The coach of the team was happy with the result.",
    "Pause the film when you get up.",
    "Stop worrying about it, it will be fine.",
    "How much is left on the phone bill?",
    "Go back to the start of the page.",
    "Repeat after me: red lorry, yellow lorry.",
    "My knee felt fine on the run this morning.",
    "It hurts to think how much that cost.",
    "I have a meeting at three tomorrow.",
    "We could drive to the coast on Saturday.",
    "The kids are at their grandmother's this weekend.",
    "Turn the music down a little, please.",
    "I left my keys on the kitchen table.",
    "The train was late again this morning.",
    "Do you want a cup of tea?",
    "I'm reading a book about the history of Rome.",
    "The dog needs a walk before it gets dark.",
    "Have you called your sister back yet?",
    "The printer at work is broken again.",
    "We should paint the fence this summer.",
    "There is a new coffee shop on the corner.",
    "I'll be home around six thirty.",
)


def data_texts() -> list[str]:
    """Every sentence-long text of the coach's data (content/data, from the source text)."""
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str) and len(node.split()) >= 4:
            out.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted((ROOT / "content" / "data").glob("*.yaml.json")):
        walk(json.loads(path.read_text()))
    return list(dict.fromkeys(out))


def cue_texts() -> list[str]:
    texts: list[str] = []
    for inputs in (PlanInputs(30), PlanInputs(20, "yoga"), PlanInputs(15, "foam-rolling")):
        texts += [c.text for _, _, c in script_for(inputs).timeline()]
    return list(dict.fromkeys(texts))


def listen(listener: SphinxListener, x, said: list[Said]) -> list[tuple[Said | None, Verdict, float]]:
    """Feed the samples block by block; each verdict, the utterance it belongs to, and its
    latency (audio heard past the utterance's end, plus the computing after it)."""
    import numpy as np

    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    step = int(BLOCK * SAMPLE_RATE) * 2
    out = []
    for n, at in enumerate(range(0, len(pcm), step)):
        began = time.perf_counter()
        for h in listener.feed(pcm[at : at + step]):
            v = judge(h, understood)
            owner = next((s for s in said if s.start - GAP / 2 <= (h.start + h.end) / 2 <= s.end + GAP / 2), None)
            heard_to = (n + 1) * BLOCK
            out.append((owner, v, heard_to - (owner.end if owner else h.end) + time.perf_counter() - began))
    for h in listener.close():
        out.append((said[-1] if said else None, judge(h, understood), 0.0))
    return out


def turn_seconds(command: str) -> float:
    """The coach's turn for a command, as the player takes it (its actions decided)."""
    pos = sequencer.start(PlanInputs(20))
    began = time.perf_counter()
    OfflineCoach({}).actions(command, pos, lambda _: None)
    return time.perf_counter() - began


HELD_OUT = 100  # the held-out noise: seeds this far from the tried ones


def commands(
    fresh: Callable[[], SphinxListener], quick: bool, seeds_from: int = 0
) -> tuple[dict[str, list[bool]], list[float], int]:
    right: dict[str, list[bool]] = {}
    latencies: list[float] = []
    wrong_action = 0
    texts = [t for t, _ in COMMANDS]
    expected = dict(COMMANDS)
    for voice in VOICES[:2] if quick else VOICES:
        for noise in NOISES[:2] if quick else NOISES:
            x, said = stream(texts, voice, noise, seed=seeds_from + len(right) + 1)
            found = listen(fresh(), x, said)  # a room of its own: the noise floor and CMN start afresh
            for s in said:
                mine = [(v, lat) for owner, v, lat in found if owner is s and v.intent is not None]
                ok = any(Ask(v.intent) == expected[s.text] for v, _ in mine if v.intent)
                wrong_action += sum(Ask(v.intent) != expected[s.text] for v, _ in mine if v.intent)
                right.setdefault(f"{voice[0]} {noise}", []).append(ok)
                latencies += [lat + turn_seconds(v.command) for v, lat in mine if ok]
    return right, latencies, wrong_action


def not_commands(
    fresh: Callable[[], SphinxListener], quick: bool
) -> tuple[dict[str, tuple[float, int, list[str]]], float]:
    """{set: (minutes of audio, false accepts, what was accepted)}."""
    sets = {
        "coach's data read aloud": (data_texts(), VOICES),
        "conversation": (list(CONVERSATION), VOICES),
        "the coach's own cues, its voice": (cue_texts(), (("neural-150", "neural", 150),)),
    }
    out, took = {}, 0.0
    for name, (texts, voices) in sets.items():
        minutes, accepted = 0.0, []
        for voice in voices[:1] if quick else voices:
            batch = texts[:12] if quick else texts
            for i in range(0, len(batch), 20):
                x, said = stream(batch[i : i + 20], voice, "clean")
                began = time.perf_counter()
                found = listen(fresh(), x, said)
                took += time.perf_counter() - began
                minutes += len(x) / SAMPLE_RATE / 60
                accepted += [f"{v.heard.text} ({owner.text if owner else '?'})" for owner, v, _ in found if v.intent]
        out[name] = (minutes, len(accepted), accepted)
    return out, took


def main() -> None:
    quick = "--quick" in sys.argv
    began = time.perf_counter()
    sentences = command_sentences()
    SphinxListener(sentences)
    load = time.perf_counter() - began

    def fresh() -> SphinxListener:
        return SphinxListener(sentences)

    right, latencies, wrong_action = commands(fresh, quick)
    held_out = [ok for oks in commands(fresh, quick, HELD_OUT)[0].values() for ok in oks]
    negatives, decode_s = not_commands(fresh, quick)
    total = [ok for oks in right.values() for ok in oks]
    lines = [
        'Commands (each of the issue\'s commands and more red flags, said after "coach"), recognised with the '
        "action right:",
        "",
        "| voice, noise | right |",
        "|---|---|",
        *(f"| {k} | {sum(v)}/{len(v)} |" for k, v in right.items()),
        f"| **all** | **{sum(total)}/{len(total)} = {sum(total) / len(total):.0%}** |",
        f"| all, the noise drawn at other seeds (held out) | {sum(held_out)}/{len(held_out)} = "
        f"{sum(held_out) / len(held_out):.0%} |",
        "",
        f"Heard as a different command (a wrong action): {wrong_action}.",
        "",
        "False accepts on speech that is not a command:",
        "",
        "| speech | minutes | false accepts | per 30 minutes |",
        "|---|---|---|---|",
    ]
    minutes = sum(m for m, _, _ in negatives.values())
    for name, (m, n, _) in negatives.items():
        lines.append(f"| {name} | {m:.1f} | {n} | {n / m * 30:.2f} |")
    ordinary = [v for k, v in negatives.items() if not k.startswith("the coach's own")]
    om = sum(m for m, _, _ in ordinary)
    on = sum(n for _, n, _ in ordinary)
    lines += [
        f"| **all but the coach's own cues** (what the listener hears, deaf while the coach speaks) | "
        f"{om:.1f} | {on} | **{on / om * 30:.2f}** |",
        f"| all | {minutes:.1f} | {sum(n for _, n, _ in negatives.values())} | |",
        "",
        *(f"- accepted in {k}: {', '.join(a)}" for k, (_, _, a) in negatives.items() if a),
        "",
        f"Latency, end of a command's speech to the player's action decided ({len(latencies)} commands): "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 "
        f"{statistics.quantiles(latencies, n=20)[-1] * 1000:.0f} ms. Loading the listener: {load:.1f} s; "
        f"decoding ran at {decode_s / (minutes * 60):.2f} x real time. The machine's load average "
        f"(1 minute) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work shares them).",
    ]
    if quick:  # not the figures: printed only
        print("\n".join(lines))
    else:
        write_section("Listening on the laptop", "\n".join(lines))


if __name__ == "__main__":
    main()
