"""The laptop listener as a person meets it: commands said after "coach" reach the coach's
asks in voices that are not the coach's, clean and under noise; speech that is not a
command changes nothing; and each command heard does to the player what the coach's turn
says (tests/data/listening.yaml). The audio is generated from text in the test's tmp dir."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from listenkit import NOISES, VOICES, stream

from content.planner import PlanInputs
from skill.alexa.names import ask_of
from skill.cli.voice_play import OfflineCoach
from skill.coach.asks import STOPS_THE_ROUTINE, Ask
from skill.listen.gate import Ignored, judge
from skill.listen.language import expand, fsg
from skill.listen.listener import Heard
from speech import sequencer
from speech.states import State

STOPPING = {a.value for a in STOPS_THE_ROUTINE}
TABLE = yaml.safe_load((Path(__file__).parent / "data" / "listening.yaml").read_text())


@functools.cache
def listener():
    from skill.cli.listening import command_sentences
    from skill.listen.sphinx import SphinxListener

    return SphinxListener(command_sentences())


def heard_in(x, said):
    """Each utterance's verdicts, fed as a microphone gives them, in a stream of its own."""
    from skill.sim.chat import understood

    ear = listener()
    ear.restart()
    pcm = (x * 32767).astype("<i2").tobytes()
    verdicts = [judge(h, understood) for at in range(0, len(pcm), 960) for h in ear.feed(pcm[at : at + 960])]
    verdicts += [judge(h, understood) for h in ear.close()]
    return {
        s.text: [v for v in verdicts if s.start - 0.6 <= (v.heard.start + v.heard.end) / 2 <= s.end + 0.6] for s in said
    }


def test_commands_reach_their_ask_in_other_voices_clean_and_under_noise():
    voices = [v for v in VOICES if v[0] in TABLE["voices"]]
    right, missed, wrong = 0, [], []
    for voice in voices:
        for noise in NOISES:
            got = heard_in(*stream(list(TABLE["commands"]), voice, noise, seed=3))
            for text, verdicts in got.items():
                asks = [ask_of(v.intent) for v in verdicts if v.intent]
                wrong += [f"{text} ({voice[0]}, {noise}) did {a}" for a in asks if a != Ask(TABLE["commands"][text])]
                if Ask(TABLE["commands"][text]) in asks:
                    right += 1
                else:
                    missed.append(f"{text} ({voice[0]}, {noise}): {[v.heard.text for v in verdicts]}")
    total = len(voices) * len(NOISES) * len(TABLE["commands"])
    assert right / total >= TABLE["least_right"], missed
    assert len(wrong) <= TABLE["most_wrong"], wrong
    assert not [w for w in wrong if TABLE["commands"][w.split(" (")[0]] in STOPPING], "a warning sign did not stop"


def test_speech_that_is_not_a_command_changes_nothing():
    got = heard_in(*stream(TABLE["not_commands"], VOICES[0], "clean"))
    accepted = {text: [v.heard.text for v in vs if v.intent] for text, vs in got.items()}
    assert not any(accepted.values()), accepted


@pytest.mark.parametrize("row", TABLE["actions"], ids=lambda r: f"{r['said']} ({r['state']}, step {r.get('step', 1)})")
def test_a_command_heard_does_to_the_player_what_the_coachs_turn_says(row):
    pos = replace(sequencer.start(PlanInputs(10)), step=row.get("step", 1), state=State[row["state"]])
    said: list[str] = []
    actions = OfflineCoach({}).actions(row["said"], pos, said.append)
    keys = [a if isinstance(a, str) else (a() or "say") for a in actions]
    assert keys == row["then"]
    assert len(said) == keys.count("say") and all(said)


@pytest.mark.parametrize("played, speaks_of", [(0.0, "brisk walking"), (5.0, "brisk walking"), (69.0, "leg swings")])
def test_how_much_is_left_speaks_of_the_movement_the_player_is_playing(played, speaks_of):
    """The player knows where it is in a step: the answer is about that movement until its
    closing words have played, then about the next one (as on the speaker's stream)."""
    pos = sequencer.start(PlanInputs(5))
    said: list[str] = []
    for action in OfflineCoach({}).actions("how much is left", pos, said.append, played):
        if not isinstance(action, str):
            action()
    assert speaks_of in said[0], said


@pytest.mark.parametrize(
    "text, confidence, why",
    [
        ("", 0.5, Ignored.NOTHING),
        ("next", 0.5, Ignored.NO_WAKE_WORD),
        ("the coach next", 0.5, Ignored.NO_WAKE_WORD),
        ("coach next", 0.0001, Ignored.UNSURE),
        ("coach", 0.5, Ignored.NOT_UNDERSTOOD),
        ("coach the weather is nice", 0.5, Ignored.NOT_UNDERSTOOD),
        ("coach next", 0.5, None),
    ],
)
def test_the_gate_lets_through_only_the_wake_word_and_words_understood(text, confidence, why):
    understood = {"next": "AMAZON.NextIntent"}.get
    v = judge(Heard(text, confidence, 0.0, 1.0), understood)
    assert v.ignored == why
    assert (v.intent == "AMAZON.NextIntent") == (why is None)


def test_templates_expand_to_what_can_be_said():
    said = expand("I (have|feel) [a] sharp pain [in my {part}]", {"part": ["knee", "calf"]})
    assert "i have a sharp pain" in said and "i feel sharp pain in my calf" in said
    assert len(said) == len(set(said)) == 2 * 2 * 3
    assert expand("how much is left [in my routine|in this one]", {}) == [
        "how much is left", "how much is left in my routine", "how much is left in this one"
    ]  # fmt: skip


def test_the_second_pass_grammar_holds_exactly_the_commands_each_as_likely_as_its_siblings():
    said = ["next", "next please", "go back", "i have a sharp pain", "i feel a sharp pain", "my calf is swollen"]
    arcs: dict[str, list[tuple[str, float, str]]] = {}
    for line in fsg(said).splitlines():
        if line.startswith("FINAL_STATE"):
            final = line.split()[1]
        if line.startswith("TRANSITION"):
            _, at, to, p, *word = line.split()
            arcs.setdefault(at, []).append((to, float(p), " ".join(word)))

    def sentences(at: str, words: str, p: float) -> dict[str, float]:
        if at == final:
            return {words.strip(): p}
        return {k: v for to, q, w in arcs[at] for k, v in sentences(to, f"{words} {w}", p * q).items()}

    got = sentences("0", "", 1.0)
    assert set(got) == {f"coach {s}" for s in said}
    assert (
        got["coach go back"] == pytest.approx(1 / 4) and got["coach next"] == got["coach i have a sharp pain"] == 1 / 8
    )
    assert len(arcs) < len(" ".join(said).split())  # the shared ends are merged


def test_play_listens_to_a_file_moves_on_next_and_stops_on_a_sharp_pain(tmp_path):
    from listenkit import write_wav
    from test_offline_cli import run

    x, _ = stream(["coach, next", "coach, I have a sharp pain"], VOICES[2])
    wav = write_wav(tmp_path / "cmds.wav", x)
    result = run("play", "--minutes", "5", "--no-audio", "--speed", "5", "--listen", "--audio-in", str(wav))
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert 'heard: "coach next"' in out and "Skipping ahead." in out and "Step 2 of 4" in out
    assert 'heard: "coach i have a sharp pain"' in out
    assert "coach: That sounds like sharp or sudden pain. Stop now; I've ended the routine." in out
    assert out.rstrip().endswith("Stopped.") and "Routine finished" not in out
    assert out.index("Skipping ahead.") < out.index("sharp or sudden pain")


def test_without_portaudio_listening_says_so_in_one_sentence_and_keys_carry_on(tmp_path):
    from test_offline_cli import run

    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")  # as sounddevice does
    env = {"PYTHONPATH": f"{tmp_path}:{Path.cwd()}"}
    result = run("play", "--minutes", "5", "--no-audio", "--speed", "1000", "--listen", stdin="nq", env=env)
    assert result.returncode == 0
    assert result.stderr.strip() == (
        "No microphone: the PortAudio library is not installed (Debian: sudo apt-get install libportaudio2). "
        "Carrying on with keys."
    )
    assert "Skipping ahead." in result.stdout and result.stdout.rstrip().endswith("Stopped.")


@pytest.mark.parametrize("args", [["--listen", "--audio-in", "/nonexistent.wav"], ["--audio-in", "x.wav"]])
def test_a_bad_audio_file_is_one_sentence(args):
    from test_offline_cli import run

    result = run("play", "--minutes", "5", "--no-audio", "--speed", "1000", *args, stdin="q")
    if "--listen" in args:
        assert result.returncode == 0 and result.stderr.strip() == (
            "Cannot read /nonexistent.wav as audio. Carrying on with keys."
        )
    else:
        assert result.returncode == 2 and "--audio-in applies with --listen only" in result.stderr
