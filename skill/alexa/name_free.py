"""Name-free interaction: phrases that may reach the skill without its name ("Alexa, start
my leg recovery"). The model declares them in `interactionModel._nameFreeInteraction`
(beside `languageModel`): skill launch phrases (`LAUNCH`, at most 5) and intent launch
phrases (`INTENT` with the intent's name, at most 5 per intent), each a complete phrase in
RAW_TEXT with no slots. Amazon enables them only for a live skill with a history of
engagement, in English locales; until then they change nothing. Source: `name_free` in
interaction_model.yaml."""

from __future__ import annotations

import re
from typing import Any

from content.library import normalize

MAX_LAUNCH = 5
MAX_PER_INTENT = 5
_WORDS = re.compile(r"[a-z' ]+")


def ingress_points(name_free: dict[str, Any]) -> list[dict[str, Any]]:
    """One ingress point per phrase, as the model declares them."""
    points = [{"type": "LAUNCH", "sampleUtterances": [_raw(p)]} for p in name_free.get("launch", ())]
    for intent, phrases in (name_free.get("intents") or {}).items():
        points += [{"type": "INTENT", "name": intent, "sampleUtterances": [_raw(p)]} for p in phrases]
    return points


def _raw(phrase: str) -> dict[str, str]:
    return {"format": "RAW_TEXT", "value": phrase}


def check(name_free: dict[str, Any], intents: dict[str, dict[str, Any]], locales: list[str]) -> list[str]:
    """Their shape and limits: complete phrases of words, within the counts, for intents the
    model has, each one of its intent's samples; English locales only."""
    problems = []
    launch = list(name_free.get("launch", ()))
    if len(launch) > MAX_LAUNCH:
        problems.append(f"{len(launch)} name-free launch phrases; Alexa allows {MAX_LAUNCH}")
    for intent, phrases in (name_free.get("intents") or {}).items():
        if intent not in intents:
            problems.append(f"name-free phrases for {intent}, which the model does not have")
            continue
        if len(phrases) > MAX_PER_INTENT:
            problems.append(f"{len(phrases)} name-free phrases for {intent}; Alexa allows {MAX_PER_INTENT}")
        samples = {normalize(s) for s in intents[intent]["samples"]}
        problems += [f"name-free '{p}' is not a sample of {intent}" for p in phrases if normalize(p) not in samples]
    for phrase in [*launch, *(p for ps in (name_free.get("intents") or {}).values() for p in ps)]:
        if not _WORDS.fullmatch(phrase):
            problems.append(f"name-free '{phrase}' must be a complete phrase of lowercase words, no slots or digits")
    problems += [f"name-free phrases are for English locales, not {loc}" for loc in locales if not loc.startswith("en")]
    return problems
