"""The Alexa interaction model: generated from the coach's phrasebook (skill/coach/phrasebook.yaml,
each ask named as skill/alexa/names.py says), what is Alexa's own (skill/alexa/interaction_model.yaml)
and the movement library, checked against Alexa's rules, and written as an ask-cli v2 skill package."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from content import sources
from content.library import normalize
from content.planner import AREAS, CARDIO_CHOICES, FOCUSES
from skill.alexa.phrasebook import SOURCE, carried, expand_all, lines_of, shipped, side_by_side, unnamed
from skill.alexa.phrasebook import source as source  # model.source(): the source the checks read
from skill.coach import phrasebook as coach_phrasebook
from skill.coach import vocabulary
from skill.coach.vocabulary import slot_types

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
REQUIRED_BUILTINS = (
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    # what a skill with the AUDIO_PLAYER interface must accept (certification)
    "AMAZON.LoopOnIntent",
    "AMAZON.LoopOffIntent",
    "AMAZON.ShuffleOnIntent",
    "AMAZON.ShuffleOffIntent",
)
# Hands-free routines stream (skill/coach/stream.py); screens show the step (skill/alexa/apl.py).
INTERFACES = [{"type": "AUDIO_PLAYER"}, {"type": "ALEXA_PRESENTATION_APL"}]
# Words an invocation name may not contain (launch phrases, wake words, connecting words).
BANNED_INVOCATION_WORDS = {
    "alexa",
    "amazon",
    "echo",
    "computer",
    "ask",
    "tell",
    "open",
    "launch",
    "load",
    "begin",
    "run",
    "use",
    "resume",
    "play",
    "skill",
    "app",
    "the",
    "a",
    "for",
    "to",
}
# Alexa's limits for a custom skill's model, as Amazon's "custom skill limits" page states
# them (checked by check_model and by tests/alexa/test_model_limits.py).
MAX_INTENTS = 250
MAX_SAMPLES = 2000  # sample utterances across all intents
MAX_SAMPLE_CHARS = 200
MAX_INTENT_SAMPLES = 40  # ours: what one intent ships at most, so that every intent fits in MAX_SAMPLES
MAX_SLOT_VALUES = 50000  # values and synonyms across all custom slot types
# Pattern strings, compiled by re on first use: only checking the model needs them, not the skill.
_SLOT, _SAMPLE_CHARS, _INVOCATION_CHARS = r"\{(\w+)\}", r"^[a-z' .{}_]+$", r"^[a-z]+( [a-z]+)+$"


def data_sources() -> list[Path]:
    """Every YAML data file the skill reads, each with a compiled JSON twin (content/sources.py)."""
    return [
        *sources.content_sources(),
        vocabulary.SOURCE,
        coach_phrasebook.SOURCE,
        SOURCE,
        SOURCE.with_name("apl_step.yaml"),
    ]


def phrasebook() -> dict[str, dict[str, Any]]:
    """Every intent, built-ins included, its lines as written (the coach's, in Alexa's names)."""
    return lines_of({**source()["intents"], **source()["builtins"]})


def expanded() -> dict[str, dict[str, Any]]:
    """Every line expanded into every sample it stands for: what the checks read."""
    return expand_all(phrasebook())


def intents() -> dict[str, dict[str, Any]]:
    """What the Alexa model ships: at most MAX_INTENT_SAMPLES samples an intent (phrasebook.shipped)."""
    return shipped(phrasebook(), MAX_INTENT_SAMPLES)


def build_model() -> dict[str, Any]:
    types = slot_types()
    model_intents = [
        {"name": name, "slots": [{"name": s, "type": t} for s, t in spec["slots"].items()], "samples": spec["samples"]}
        for name, spec in intents().items()
    ]
    model_types = [
        {
            "name": name,
            "values": [
                {"id": vid, "name": {"value": words[0], "synonyms": words[1:]}} for vid, words in values.items()
            ],
        }
        for name, values in types.items()
    ]
    from skill.alexa.name_free import ingress_points

    language = {"invocationName": source()["invocation"], "intents": model_intents, "types": model_types}
    name_free = {"ingressPoints": ingress_points(source().get("name_free") or {})}
    return {"interactionModel": {"languageModel": language, "_nameFreeInteraction": name_free}}


def build_manifest() -> dict[str, Any]:
    m = source()["manifest"]
    listing = {
        "name": m["name"],
        "summary": m["summary"],
        "description": " ".join(m["description"].split()),
        "examplePhrases": m["examples"],
        "keywords": m["keywords"],
    }
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {loc: listing for loc in source()["locales"]},
                "isAvailableWorldwide": True,
                "category": m["category"],
                "distributionCountries": [],
                "testingInstructions": "Say: open recovery coach, yes, next; pause, resume, go back, I have sharp pain "
                "(with a player it streams hands-free: try Alexa pause, resume, next, and the buttons).",
            },
            "apis": {"custom": {"endpoint": endpoint(m["endpoint"]), "interfaces": INTERFACES}},
            "permissions": [{"name": name} for name in m.get("permissions", ())],
            "privacyAndCompliance": {
                "allowsPurchases": False,
                "usesPersonalInfo": False,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
                "locales": {loc: {} for loc in source()["locales"]},
            },
        }
    }


ASK_RESOURCES = {
    "askcliResourcesVersion": "2020-03-31",
    "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}},
}


LAMBDA_ARN = "arn:aws:lambda:"


def endpoint(uri: str) -> dict[str, str]:
    """An HTTPS endpoint (self-hosted) or the ARN `sam deploy` printed (Lambda)."""
    return {"uri": uri} if uri.startswith(LAMBDA_ARN) else {"uri": uri, "sslCertificateType": "Wildcard"}


def package_files() -> dict[str, str]:
    """Every generated file, as {path relative to deploy/: text}."""

    def dump(doc: object) -> str:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    files = {"ask-resources.json": dump(ASK_RESOURCES), "skill-package/skill.json": dump(build_manifest())}
    model = dump(build_model())
    for loc in source()["locales"]:
        files[f"skill-package/interactionModels/custom/{loc}.json"] = model
    return files


def write_package(root: Path = DEPLOY) -> list[Path]:
    """deploy/'s generated files, and the data files' JSON twins."""
    written = sources.write_twins(data_sources())
    for rel, text in package_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def drift(root: Path = DEPLOY) -> list[str]:
    """Generated files that are missing or differ from what the source produces."""
    out = []
    for rel, text in package_files().items():
        path = root / rel
        if not path.exists():
            out.append(f"{rel} is missing; run recovery-coach model --write")
        elif path.read_text(encoding="utf-8") != text:
            out.append(f"{rel} differs from its source; run recovery-coach model --write")
    return out + [f"{p}; run recovery-coach model --write" for p in sources.stale_twins(data_sources())]


def check_invocation(name: str) -> list[str]:
    problems = []
    if not re.match(_INVOCATION_CHARS, name):
        problems.append(f"invocation name '{name}' must be two or more lowercase words, letters only")
    banned = sorted(set(name.split()) & BANNED_INVOCATION_WORDS)
    if banned:
        problems.append(f"invocation name '{name}' may not contain '{banned[0]}'")
    return problems


def check_model() -> list[str]:
    """What breaks Alexa's rules in the source; empty when it is fine."""
    src = source()
    problems = unnamed() + check_invocation(src["invocation"])
    types = slot_types()
    every = expanded()
    for b in REQUIRED_BUILTINS:
        if b not in every:
            problems.append(f"built-in intent {b} is missing")
    owner: dict[str, str] = {}
    for name, spec in every.items():
        for slot, stype in spec["slots"].items():
            if not stype.startswith("AMAZON.") and stype not in types:
                problems.append(f"{name}: slot '{slot}' has undefined type {stype}")
        for sample in spec["samples"] + spec["understood"]:
            if not re.match(_SAMPLE_CHARS, sample.lower()):
                problems.append(f"{name}: sample '{sample}' has characters Alexa does not allow (digits?)")
            for slot in re.findall(_SLOT, sample):
                if slot not in spec["slots"]:
                    problems.append(f"{name}: sample '{sample}' uses slot '{slot}' the intent does not have")
            for second in side_by_side(sample):
                if not carried(types.get(spec["slots"].get(second, ""), {})):
                    problems.append(f"{name}: sample '{sample}' has two slots side by side; put a word between them")
            key = normalize(re.sub(_SLOT, lambda m: "{" + m.group(1) + "}", sample))
            if owner.get(key, name) != name:
                problems.append(f"sample '{sample}' is in both {owner[key]} and {name}")
            elif key in owner:
                problems.append(f"{name}: sample '{sample}' is listed twice")
            owner[key] = name
    from skill.alexa import name_free
    from skill.alexa.declared import check_declared

    problems += name_free.check(src.get("name_free") or {}, every, src["locales"])
    return problems + _check_types(types) + check_limits() + _check_listing() + check_declared(build_manifest())


def _check_types(types: dict[str, dict[str, list[str]]]) -> list[str]:
    problems = []
    for tname, values in types.items():
        seen: dict[str, str] = {}
        for vid, words in values.items():
            if len(words) < 2:
                problems.append(f"{tname}: value '{vid}' needs synonyms")
            for w in words:
                k = normalize(w)
                if seen.get(k, vid) != vid:
                    problems.append(f"{tname}: '{w}' is a synonym of both {seen[k]} and {vid}")
                seen[k] = vid
    for tname, ids in (("FocusType", FOCUSES), ("CardioType", CARDIO_CHOICES), ("AreaType", AREAS)):
        if set(types.get(tname, ())) != set(ids):
            what = {"FocusType": "focuses", "CardioType": "cardio choices", "AreaType": "areas"}[tname]
            problems.append(f"{tname} values must be the planner's {what}: {', '.join(ids)}")
    return problems


def check_limits() -> list[str]:
    """Alexa's size limits: intents, samples, sample length, slot values."""
    every = intents()
    samples = [s for spec in every.values() for s in spec["samples"]]
    values = sum(len(words) for values in slot_types().values() for words in values.values())
    problems = [
        f"sample '{s}' is longer than {MAX_SAMPLE_CHARS} characters" for s in samples if len(s) > MAX_SAMPLE_CHARS
    ]
    if len(every) > MAX_INTENTS:
        problems.append(f"{len(every)} intents; Alexa allows {MAX_INTENTS}")
    if len(samples) > MAX_SAMPLES:
        problems.append(f"{len(samples)} samples; Alexa allows {MAX_SAMPLES}")
    if values > MAX_SLOT_VALUES:
        problems.append(f"{values} slot values and synonyms; Alexa allows {MAX_SLOT_VALUES}")
    return problems


def _check_listing() -> list[str]:
    problems = []
    manifest = build_manifest()["manifest"]
    for loc, listing in manifest["publishingInformation"]["locales"].items():
        if "medical advice" not in listing["description"]:
            problems.append(f"{loc}: the description must say the skill gives no medical advice")
    if not manifest["apis"]["custom"]["endpoint"]["uri"].startswith(("https://", LAMBDA_ARN)):
        problems.append("the endpoint must be HTTPS or a Lambda function's ARN")
    return problems
