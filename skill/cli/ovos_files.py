"""The OVOS skill's locale files from the Alexa model's phrasebook: `model --write` writes
them and `model --check` reports their drift. Here, in the command, because it reads one
front end's source (the phrasebook in skill/alexa) to write another's files, and no front
end imports another."""

from __future__ import annotations

from typing import Any

from skill.alexa import model
from skill.alexa.names import ask_of
from skill.coach.asks import Ask
from skill.coach.slots import duration_phrases
from skill.coach.vocabulary import slot_types
from skill.ovos import locale


def generated() -> dict[str, str]:
    """{path under skill/ovos/: text} for every generated file."""
    by_ask: dict[str, dict[str, Any]] = {}
    for name, spec in model.phrasebook().items():
        ask = ask_of(name)
        if ask != Ask.UNCLEAR or name == "AMAZON.FallbackIntent":
            by_ask[ask.value] = spec
    by_ask.pop(Ask.UNCLEAR.value)
    by_ask[Ask.LAUNCH.value] = {"slots": {}, "samples": list(model.source()["launch"]), "understood": []}
    words = {name: [w for ws in values.values() for w in ws] for name, values in slot_types().items()}
    words["AMAZON.DURATION"] = list(duration_phrases())
    return locale.files(by_ask, words, model.source()["one_shot"])


def write() -> list[str]:
    return [str(p) for p in locale.write(generated())]


def drift() -> list[str]:
    return locale.drift(generated())
