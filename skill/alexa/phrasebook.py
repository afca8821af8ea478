"""The coach's phrasebook as Alexa's model takes it: its asks named as Alexa's intents, with
what is Alexa's own (interaction_model.yaml beside this file), and its lines expanded.

A line stands for many samples: "(a|b)" is one of the choices, "[x]" is x or nothing,
nesting is allowed, and a slot carrier such as {duration} is kept as it is. "(start|begin)
[a] {duration} routine" stands for four samples. skill/coach/phrasebook.yaml documents it
for writers.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from content import sources
from skill.alexa.names import BUILTINS, CUSTOM, INTENT_NAMES, intent_name, slot_type
from skill.coach import phrasebook as coach_phrasebook
from skill.coach.asks import Ask

SOURCE = Path(__file__).parent / "interaction_model.yaml"


@functools.cache
def source() -> dict[str, Any]:
    """interaction_model.yaml with the coach's phrasebook in Alexa's names: `intents` the
    custom intents (in the phrasebook's order), `builtins` the built-ins the model declares
    (in interaction_model.yaml's order), each {slots, samples, understood}."""
    own = dict(sources.load(SOURCE))
    book = {
        Ask(name): {**spec, "slots": {s: slot_type(t) for s, t in spec["slots"].items()}}
        for name, spec in coach_phrasebook.asks().items()
        if Ask(name) in INTENT_NAMES  # the rest: unnamed() says which
    }
    empty: dict[str, Any] = {"slots": {}, "samples": [], "understood": []}
    builtins = {name: book.get(BUILTINS[name], empty) for name in own["builtins"] if name in BUILTINS}
    taken = {BUILTINS[name] for name in builtins}
    intents = {intent_name(ask): spec for ask, spec in book.items() if intent_name(ask) in CUSTOM and ask not in taken}
    return {**own, "intents": intents, "builtins": builtins}


def unnamed() -> list[str]:
    """Phrasebook entries and built-ins Alexa's model cannot name: no ask of the coach's, an
    ask that is no intent on Alexa or a built-in left undeclared, or a built-in the coach
    does not know."""
    own = sources.load(SOURCE)
    problems = [f"built-in {n} is not one of skill/alexa/names.py's" for n in own["builtins"] if n not in BUILTINS]
    problems += [
        f"phrasebook: '{n}' is not one of the coach's asks (skill/coach/asks.py)" for n in coach_phrasebook.unknown()
    ]
    for name in coach_phrasebook.asks():
        alexa = INTENT_NAMES.get(Ask(name))
        if alexa is None:
            problems.append(f"phrasebook: '{name}' is no intent on Alexa (skill/alexa/names.py)")
        elif alexa in BUILTINS and alexa not in own["builtins"]:
            problems.append(f"phrasebook: '{name}' is Alexa's {alexa}, which interaction_model.yaml does not declare")
    return problems


def expand(template: str) -> list[str]:
    """Every sample a phrasebook line stands for: "(a|b)" is one of them, "[x]" is x or
    nothing, nesting allowed, {slot} kept as it is; spaces tidied, order kept."""
    alternatives, end = _alternatives(template, 0)
    if end != len(template):
        raise ValueError(f"unbalanced brackets in sample '{template}'")
    return list(dict.fromkeys(" ".join(a.split()) for a in alternatives if a.strip()))


def _alternatives(text: str, i: int) -> tuple[list[str], int]:
    """Parse `seq ('|' seq)*` from i; stops before ')' or ']'."""
    out: list[str] = []
    while True:
        options, i = _sequence(text, i)
        out += options
        if i < len(text) and text[i] == "|":
            i += 1
            continue
        return out, i


def _sequence(text: str, i: int) -> tuple[list[str], int]:
    done = [""]
    while i < len(text) and text[i] not in "|)]":
        if text[i] in "([":
            close = ")" if text[i] == "(" else "]"
            options, i = _alternatives(text, i + 1)
            if i >= len(text) or text[i] != close:
                raise ValueError(f"unbalanced brackets in sample '{text}'")
            i += 1
            options = options + [""] if close == "]" else options
        else:
            j = i
            while j < len(text) and text[j] not in "([|)]":
                j += 1
            options, i = [text[i:j]], j
        done = [d + o for d in done for o in options]
    return done, i


def lines_of(source: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{name: {slots, samples, understood}} from the model source, each line as written."""
    return {
        name: {
            "slots": dict((spec or {}).get("slots", {})),
            "samples": list((spec or {}).get("samples", [])),
            "understood": list((spec or {}).get("understood", [])),
        }
        for name, spec in source.items()
    }


def expand_all(lines: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The same, each line expanded into every sample it stands for, in order, once each."""
    return {
        name: {
            "slots": spec["slots"],
            "samples": list(dict.fromkeys(s for t in spec["samples"] for s in expand(t))),
            "understood": list(dict.fromkeys(s for t in spec["understood"] for s in expand(t))),
        }
        for name, spec in lines.items()
    }


def shipped(lines: dict[str, dict[str, Any]], cap: int) -> dict[str, dict[str, Any]]:
    """The expanded samples, at most `cap` an intent, taken one form of each line at a
    time: every line is represented, and a line with many combinations does not crowd out
    the rest (Alexa generalizes from samples; the coach's matcher reads every line whole)."""
    out = expand_all(lines)
    for name, spec in lines.items():
        forms = [list(dict.fromkeys(expand(t))) for t in spec["samples"]]
        taken: dict[str, None] = {}
        for i in range(max((len(f) for f in forms), default=0)):
            taken.update((f[i], None) for f in forms if i < len(f))
        out[name]["samples"] = list(taken)[:cap]
    return out


CARRIERS = {"with", "without", "no"}  # words that start every value of a slot type that may follow a slot


def side_by_side(sample: str) -> list[str]:
    """The slots that come right after another slot in an expanded sample ("{duration}
    {focus}": focus): Alexa cannot tell where one ends without a word between them."""
    return re.findall(r"\}\s*\{(\w+)\}", sample)


def carried(values: dict[str, list[str]]) -> bool:
    """Whether every value of a slot type starts with a carrier word ("with a roller"), so
    that the slot may follow another directly: where one ends is still plain."""
    words = [w for ws in values.values() for w in ws]
    return bool(words) and all(w.split()[0] in CARRIERS for w in words)
