"""Golden and negative utterance tables (utterances/*.yaml), run through the chat
simulator's matcher (the coach's: hassil's strict match of the samples the interaction
model ships, then fuzzy); and the model kept within Alexa's limits."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from content.library import library
from content.phrases import phrasebook, variants
from skill.alexa import model
from skill.alexa.phrasebook import expand
from skill.coach.slots import Slot, resolve
from skill.coach.times import iso_time
from skill.sim.chat import iso_duration, match
from skill.sim.midstream import heard

HERE = Path(__file__).parent / "utterances"
GOLDEN = yaml.safe_load((HERE / "golden.yaml").read_text())
NEGATIVE = yaml.safe_load((HERE / "negative.yaml").read_text())
CASES = [
    (intent, *(next(iter(e.items())) if isinstance(e, dict) else (e, {}))) for intent, es in GOLDEN.items() for e in es
]
RED_FLAGS = ("SharpPainIntent", "LastingPainIntent", "SwellingIntent", "CannotBearWeightIntent", "WorseningPainIntent")
WARNING_SIGNS = (
    "DizzyIntent",
    "ChestPainIntent",
    "FaintIntent",
    "BreathlessIntent",
    "NumbnessIntent",
    "SwollenCalfIntent",
)
# Intents that start, move, end or stop a routine: a near miss must never reach them.
ROUTINE_CHANGING = {
    "StartRoutineIntent",
    "SkipIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.NavigateHomeIntent",
    *RED_FLAGS,
    *WARNING_SIGNS,
}


def resolved(intent: str, name: str, heard: str) -> str | None:
    """A heard slot value as the skill reads it: a value id, or ISO-8601 for durations."""
    type_name = model.intents()[intent]["slots"][name]
    if type_name == "AMAZON.DURATION":
        return iso_duration(heard)
    if type_name == "AMAZON.TIME":
        return iso_time(heard)
    if type_name == "MovementType":
        movement = library().find(heard)
        return movement.id if movement else None
    return resolve(Slot(heard), type_name)


@pytest.mark.parametrize("intent, said, slots", CASES, ids=[c[1] for c in CASES])
def test_golden_utterance_reaches_its_intent_with_its_slots(intent, said, slots):
    m = match(said)
    assert m.intent == intent, f"'{said}' reached {m.intent}"
    assert {k: resolved(intent, k, v) for k, v in m.slots.items()} == slots


@pytest.mark.parametrize("said", NEGATIVE)
def test_near_miss_does_not_change_the_routine(said):
    assert match(said).intent not in ROUTINE_CHANGING


def test_the_tables_are_big_enough():
    assert len(CASES) >= 300
    assert len(NEGATIVE) >= 150
    custom = [name for name in model.source()["intents"]]
    assert set(custom) <= set(GOLDEN), "every custom intent has golden utterances"
    for name in custom:
        assert len(GOLDEN[name]) >= (8 if name in RED_FLAGS else 15 if name in WARNING_SIGNS else 12), name


def test_each_red_flag_of_the_source_text_has_an_intent():
    assert len(library().red_flags) == len(RED_FLAGS)
    assert set(RED_FLAGS) <= set(model.intents())


def test_every_custom_intent_ships_thirty_ways_of_saying_it():
    shipped = model.intents()
    few = {n: len(shipped[n]["samples"]) for n in model.source()["intents"] if len(shipped[n]["samples"]) < 30}
    assert few == {}


def test_each_warning_sign_of_the_data_has_an_intent():
    assert {f"{w.ask}Intent" for w in library().warning_signs} == set(WARNING_SIGNS)
    assert set(WARNING_SIGNS) <= set(model.intents())


def test_the_model_stays_within_alexas_limits():
    every = model.intents()
    samples = [s for spec in every.values() for s in spec["samples"]]
    assert len(every) <= model.MAX_INTENTS
    assert len(samples) <= model.MAX_SAMPLES
    assert max(len(s) for s in samples) <= model.MAX_SAMPLE_CHARS
    assert len(samples) == len(set(samples)), "no sample twice"
    values = [w for values in model.slot_types().values() for words in values.values() for w in words]
    assert len(values) <= model.MAX_SLOT_VALUES
    assert model.check_limits() == []


def test_the_check_reports_two_slots_side_by_side(monkeypatch):
    src = dict(model.source())
    start = {**src["intents"]["StartRoutineIntent"]}
    start["samples"] = [*start["samples"], "a {duration} {focus} workout"]
    src["intents"] = {**src["intents"], "StartRoutineIntent": start}
    monkeypatch.setattr(model, "source", lambda: src)
    assert any("two slots side by side" in p for p in model.check_model())
    assert not any("side by side" in p and "{roller}" in p for p in model.check_model()), "roller values carry 'with'"


def test_the_limits_check_reports_a_model_too_big(monkeypatch):
    src = dict(model.source())
    huge = {f"Huge{n}Intent": {"samples": [f"(a|b|c|d|e|f|g|h|i|j) {n} " * 2]} for n in "klmnopqrstuvwxyz"}
    src["intents"] = {**src["intents"], **huge}  # each ships MAX_INTENT_SAMPLES of its hundred
    monkeypatch.setattr(model, "source", lambda: src)
    assert any("Alexa allows 2000" in p for p in model.check_limits())


PHRASEBOOK = [
    ("(start|begin) [a] {duration} routine", 4),
    ("how [do I] do [the|a] {movement}", 6),
    ("[I'm] done", 2),
    ("((sharp|sudden) pain|sharp)", 3),
]


@pytest.mark.parametrize("line, count", PHRASEBOOK, ids=[p[0] for p in PHRASEBOOK])
def test_a_phrasebook_line_stands_for_every_combination(line, count):
    out = expand(line)
    assert len(out) == count and len(set(out)) == count
    assert all("  " not in s and s == s.strip() for s in out)


SUGGESTED = yaml.safe_load((HERE / "suggested.yaml").read_text())


def _filled(key: str) -> str:
    """Every wording of a phrase, its {fields} filled with a movement's name."""
    return " ".join(v.format_map(defaultdict(lambda: "leg swings")) for v in variants(key)).lower()


@pytest.mark.parametrize(
    "key, words, intent", [(k, w, i) for k, ws in SUGGESTED.items() for w, i in ws.items()], ids=str
)
def test_every_suggested_phrase_reaches_the_intent_it_promises(key, words, intent):
    assert words.lower() in _filled(key), f"{key} does not suggest '{words}'"
    assert match(words).intent == intent


def _keys(node: object, prefix: str) -> list[str]:
    if isinstance(node, dict):
        return [k for name, child in node.items() for k in _keys(child, f"{prefix}.{name}")]
    return [prefix]


def test_every_phrase_that_suggests_words_is_in_the_table():
    keys = [k for section in ("skill", "ssml", "stream", "reminder") for k in _keys(phrasebook()[section], section)]
    suggesting = [k for k in keys if re.search(r"\b(say|ask)\b(?! so)", _filled(k))]
    assert sorted(set(suggesting) - set(SUGGESTED)) == []


MID_STREAM = ("stream.start", "stream.help", "stream.safety", "stream.straight")


@pytest.mark.parametrize("key", MID_STREAM)
def test_what_the_stream_suggests_reaches_the_skill_while_its_audio_plays(key):
    """On a real Echo only playback commands, or words naming the skill, reach it mid-stream."""
    for words in SUGGESTED[key]:
        assert heard(match(words), session_open=False, streaming=True), f"{key}: '{words}' goes to Alexa herself"
