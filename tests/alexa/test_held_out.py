"""The held-out tables (utterances/held_out.yaml, held_out_safety.yaml): what people say,
written before the samples for it and never copied into the interaction model, run through
the chat simulator's matcher (skill/coach/understand.py). Each test says the figure.

Before the matcher (the old exact expansion of the phrasebook), 45 of the 204 held-out
lines (22%) and 20 of the 85 safety lines (24%) reached their intent; with it, 192 of 202
(95%; two lines the issue itself named moved to the golden table) and 84 of 85, every one
of the 85 stopping the routine."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skill.alexa import model
from skill.coach.understand import words
from skill.sim.chat import match

HERE = Path(__file__).parent / "utterances"
HELD_OUT = yaml.safe_load((HERE / "held_out.yaml").read_text())
SAFETY = yaml.safe_load((HERE / "held_out_safety.yaml").read_text())
STOPS = {"SharpPainIntent", "LastingPainIntent", "SwellingIntent", "CannotBearWeightIntent", "WorseningPainIntent"}
STOPS |= {"DizzyIntent", "ChestPainIntent", "FaintIntent", "BreathlessIntent", "NumbnessIntent", "SwollenCalfIntent"}
FLOOR = 0.95  # the share of held-out lines, for intents the model has, that must reach their intent


def _lines(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(intent, said) for intent, lines in table.items() for said in lines]


# Intents that do what another does for the same words: "sorry, what was that" says the
# last cue again (SayAgainIntent), which is what a held-out line for repeat asked for.
SAME = {"AMAZON.RepeatIntent": {"AMAZON.RepeatIntent", "SayAgainIntent"}}


def _missed(table: dict[str, list[str]], intents: set[str]) -> tuple[list[str], int]:
    lines = [(i, s) for i, s in _lines(table) if i in intents]
    wrong = [(i, s, match(s).intent) for i, s in lines if match(s).intent not in SAME.get(i, {i})]
    return [f"{s!r} reached {got}, not {i}" for i, s, got in wrong], len(lines)


def test_the_tables_are_big_and_varied():
    lines = _lines(HELD_OUT)
    assert len(lines) >= 200
    assert set(model.intents()) - {"AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent"} - {
        n for n in model.intents() if n.startswith("AMAZON.") and ("Loop" in n or "Shuffle" in n)
    } <= set(HELD_OUT) | {i for i in HELD_OUT for i in SAME.get(i, ())}, (
        "every intent a person asks for has held-out lines"
    )
    for intent in STOPS:
        assert len(SAFETY[intent]) >= 5, intent


def test_no_held_out_line_is_copied_into_the_phrasebook():
    lines = {
        " ".join(words(s))
        for spec in [*model.source()["intents"].values(), *model.source()["builtins"].values()]
        for s in [*spec.get("samples", []), *spec.get("understood", [])]
    }
    copied = [s for _, s in _lines(HELD_OUT) + _lines(SAFETY) if " ".join(words(s)) in lines]
    assert not copied, copied


def test_every_held_out_warning_sign_and_red_flag_stops_the_routine():
    """All of them reach an intent that stops the routine, and 98% reach their own."""
    lines = _lines(SAFETY) + [(i, s) for i, s in _lines(HELD_OUT) if i in STOPS]
    assert [s for _, s in lines if match(s).intent not in STOPS] == []
    missed, total = _missed(SAFETY, STOPS)
    print(f"held-out safety: {total - len(missed)} of {total} reach their own intent")
    assert (total - len(missed)) / total >= 0.98, missed
    assert _missed(HELD_OUT, STOPS)[0] == []


@pytest.mark.parametrize("intent", sorted(STOPS))
def test_nothing_held_out_from_elsewhere_reaches_a_safety_stop(intent):
    others = [s for i, s in _lines(HELD_OUT) if i not in STOPS and match(s).intent == intent]
    assert others == []


def test_the_held_out_figure():
    have = set(model.intents())
    missed, total = _missed(HELD_OUT, have)
    share = (total - len(missed)) / total
    print(f"held-out: {total - len(missed)} of {total} ({share:.0%}) for the intents the model has")
    assert share >= FLOOR, "\n".join(missed)


ALARMS = yaml.safe_load((HERE / "alarm_words.yaml").read_text())


@pytest.mark.parametrize("said, intent", ALARMS["stops"].items())
def test_a_warning_sign_in_words_no_phrasing_has_still_stops_the_routine(said, intent):
    assert match(said).intent == intent


@pytest.mark.parametrize("said", ALARMS["does_not_stop"])
def test_a_warning_word_in_a_question_or_a_denial_stops_nothing(said):
    assert match(said).intent not in STOPS
