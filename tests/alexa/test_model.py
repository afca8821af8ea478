"""The interaction model: generated from the coach's phrasebook and Alexa's own source,
checked by Alexa's rules, and the committed JSON in deploy/ never drifts from its sources."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from skill.alexa import model
from skill.coach import phrasebook as coach_phrasebook
from skill.coach import vocabulary


def test_committed_package_matches_its_source_and_passes_the_check():
    assert model.drift() == []
    assert model.check_model() == []
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "model", "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "interaction model OK" in result.stdout


def test_a_changed_file_is_reported_as_drift(tmp_path):
    model.write_package(tmp_path)
    path = tmp_path / "skill-package/interactionModels/custom/en-GB.json"
    doc = json.loads(path.read_text())
    doc["interactionModel"]["languageModel"]["invocationName"] = "recovery coach two"
    path.write_text(json.dumps(doc))
    assert model.drift(tmp_path) == [
        "skill-package/interactionModels/custom/en-GB.json differs from its source; run recovery-coach model --write"
    ]


def test_the_package_has_every_locale_the_library_and_an_https_endpoint():
    files = model.package_files()
    for loc in ("en-US", "en-GB", "en-CA", "en-AU", "en-IN"):
        doc = json.loads(files[f"skill-package/interactionModels/custom/{loc}.json"])
        lm = doc["interactionModel"]["languageModel"]
        movement = next(t for t in lm["types"] if t["name"] == "MovementType")
        assert {
            "id": "pigeon-pose",
            "name": {"value": "pigeon pose", "synonyms": ["pigeon", "pigeon stretch", "hip opener"]},
        } in movement["values"]
    manifest = json.loads(files["skill-package/skill.json"])["manifest"]
    assert "no medical advice" in manifest["publishingInformation"]["locales"]["en-IN"]["description"]
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith("https://")
    assert json.loads(files["ask-resources.json"])["profiles"]["default"]["skillMetadata"]["src"] == "./skill-package"


def _broken(change):
    src = copy.deepcopy(model.source())
    src["types"] = copy.deepcopy(vocabulary.slot_types())  # the coach's vocabulary, broken the same way
    change(src)
    return src


BROKEN = [
    ("one-word invocation", lambda s: s.update(invocation="coach"), "two or more lowercase words"),
    ("digits in invocation", lambda s: s.update(invocation="recovery coach 2"), "two or more lowercase words"),
    ("launch word in invocation", lambda s: s.update(invocation="ask recovery coach"), "may not contain 'ask'"),
    ("wake word in invocation", lambda s: s.update(invocation="alexa recovery coach"), "may not contain 'alexa'"),
    (
        "sample with an unknown slot",
        lambda s: s["intents"]["TipIntent"]["samples"].append("tip about {topic}"),
        "uses slot 'topic'",
    ),
    (
        "sample in two intents",
        lambda s: s["intents"]["TipIntent"]["samples"].append("what's next"),
        "in both WhatsNextIntent and TipIntent",
    ),
    ("built-in missing", lambda s: s["builtins"].pop("AMAZON.NavigateHomeIntent"), "NavigateHomeIntent is missing"),
    ("value without synonyms", lambda s: s["types"]["FocusType"].update(yoga=["yoga"]), "needs synonyms"),
    (
        "focus not in the planner",
        lambda s: s["types"]["FocusType"].update(zumba=["zumba", "dance"]),
        "planner's focuses",
    ),
    ("synonym of two values", lambda s: s["types"]["FocusType"]["cardio"].append("stretches"), "synonym of both"),
    (
        "digits in a sample",
        lambda s: s["intents"]["TipIntent"]["samples"].append("give me 2 tips"),
        "characters Alexa does not allow",
    ),
    ("no medical disclaimer", lambda s: s["manifest"].update(description="A coach."), "no medical advice"),
    (
        "six name-free launch phrases",
        lambda s: s["name_free"]["launch"].extend(["one more", "two more", "three more"]),
        "6 name-free launch phrases; Alexa allows 5",
    ),
    (
        "a name-free phrase with a slot",
        lambda s: s["name_free"]["intents"]["StartRoutineIntent"].append("start a {duration} recovery"),
        "complete phrase of lowercase words",
    ),
    (
        "a name-free phrase that is not a sample",
        lambda s: s["name_free"]["intents"]["StartRoutineIntent"].append("get me moving"),
        "not a sample of StartRoutineIntent",
    ),
    (
        "name-free phrases for an intent the model lacks",
        lambda s: s["name_free"]["intents"].update(DanceIntent=["dance"]),
        "DanceIntent, which the model does not have",
    ),
    ("reminders not declared", lambda s: s["manifest"].pop("permissions"), "alexa::alerts:reminders:skill:readwrite"),
]


@pytest.mark.parametrize("change, problem", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_the_check_names_what_breaks_alexas_rules(monkeypatch, change, problem):
    broken = _broken(change)
    monkeypatch.setattr(model, "source", lambda: broken)
    monkeypatch.setattr(model, "slot_types", lambda: broken["types"])
    assert any(problem in p for p in model.check_model()), model.check_model()


UNNAMED = [
    (
        "a misspelt ask",
        lambda d: d["asks"].update(Tipp={"samples": ["a tip please"]}),
        "'Tipp' is not one of the coach's",
    ),
    ("an ask that is no intent", lambda d: d["asks"].update(GoneQuiet={"samples": ["bye"]}), "no intent on Alexa"),
]


@pytest.mark.parametrize("change, problem", [u[1:] for u in UNNAMED], ids=[u[0] for u in UNNAMED])
def test_the_check_names_a_phrasebook_entry_alexa_cannot_name(monkeypatch, change, problem):
    doc = copy.deepcopy(coach_phrasebook._source())
    change(doc)
    monkeypatch.setattr(coach_phrasebook, "_source", lambda: doc)
    assert any(problem in p for p in model.check_model()), model.check_model()


def test_the_check_fails_when_the_manifest_lacks_an_interface_the_code_uses(monkeypatch):
    """Play needs AUDIO_PLAYER, RenderDocument needs ALEXA_PRESENTATION_APL."""
    monkeypatch.setattr(model, "INTERFACES", [{"type": "AUDIO_PLAYER"}])
    assert any("ALEXA_PRESENTATION_APL" in p for p in model.check_model())
    monkeypatch.setattr(model, "INTERFACES", [{"type": "ALEXA_PRESENTATION_APL"}])
    assert any("AUDIO_PLAYER" in p for p in model.check_model())


def test_name_free_phrases_sit_beside_the_language_model():
    built = model.build_model()["interactionModel"]
    points = built["_nameFreeInteraction"]["ingressPoints"]
    assert {p["type"] for p in points} == {"LAUNCH", "INTENT"}
    assert all(p["sampleUtterances"][0]["format"] == "RAW_TEXT" for p in points)
    intents = {p["sampleUtterances"][0]["value"] for p in points if p.get("name") == "StartRoutineIntent"}
    assert "start my leg recovery" in intents and "start leg day recovery" in intents
