"""The OVOS skill's locale files, generated from the coach's phrasebook
(skill/coach/phrasebook.yaml) by `recovery-coach model --write` and checked by `model
--check`, as Alexa's interaction model is; and the phrasebook the skill's matcher hears with.

`locale/en-us/*.intent`: what OVOS's intent pipeline hears from idle, to open a
conversation with the coach: opening it, starting a routine (`Launch`, `StartRoutine`) and
every red flag and warning sign (`warning_signs`), their lines as the phrasebook writes them
(OVOS reads the same `(a|b)`, `[x]`, `{slot}` syntax). Only these: OVOS's pure-Python
matcher (padacioso) takes about a tenth of a second per intent file for every utterance,
and once the coach is in conversation the skill's `converse()` hears everything else with
the coach's own matcher. A line needs two words of its own besides its slots ("{duration}
please" would catch any words at all);
`locale/en-us/<slot>.entity`: the words each slot accepts, so that OVOS's intent
pipeline matches a `{slot}` only with a value the coach knows. The skill's matcher reads the
coach's phrasebook itself at run time (`phrasebook`: the asks heard on OVOS).

This module knows no OVOS library: `model` imports it where ovos-workshop is not installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from skill.coach import phrasebook as coach_phrasebook
from skill.coach.asks import STOPS_THE_ROUTINE, Ask
from skill.coach.slots import duration_phrases
from skill.coach.vocabulary import slot_types

HERE = Path(__file__).parent
LOCALE = HERE / "locale" / "en-us"
# Asks with no OVOS phrasings, and why: what OVOS does itself, or what needs Alexa.
ENTRY = {Ask.LAUNCH.value: Ask.LAUNCH.value, Ask.START_ROUTINE.value: Ask.START_ROUTINE.value}
ENTRY.update({a.value: "warning_signs" for a in STOPS_THE_ROUTINE})  # one file: the matcher tells them apart
LEFT_OUT = {
    Ask.UNCLEAR: "the fallback: what the matcher does not understand goes to other skills",
    Ask.LOOP_ON: "Alexa's player commands",
    Ask.LOOP_OFF: "Alexa's player commands",
    Ask.SHUFFLE_ON: "Alexa's player commands",
    Ask.SHUFFLE_OFF: "Alexa's player commands",
    Ask.REMIND_ME: "reminders use Alexa's Reminders API; on OVOS the device's own reminder skill sets them",
    Ask.REMIND_WEEKLY: "as REMIND_ME",
    Ask.DID_LEGS: "it offers a reminder for the rest day (Alexa only)",
}


def phrasebook() -> dict[str, Any]:
    """The coach's phrasebook as the skill hears with it: `intents`, every ask heard on OVOS
    ({ask value: {"slots", "samples", "understood"}}, opening the coach as `Launch`, in the
    order of their names), and the `prefixes` a request may start with, longest first."""
    book = coach_phrasebook.with_launch()
    kept = {name: book[name] for name in sorted(book) if Ask(name) not in LEFT_OUT}
    prefixes = sorted({_plain(p) for p in coach_phrasebook.prefixes()}, key=lambda p: (-len(p), p))
    return {"intents": kept, "prefixes": prefixes}


def generated() -> dict[str, str]:
    """{path under skill/ovos/: text} for every generated file."""
    words = {name: [w for ws in values.values() for w in ws] for name, values in slot_types().items()}
    words[coach_phrasebook.DURATION] = list(duration_phrases())
    return files(phrasebook()["intents"], words)


def files(kept: Mapping[str, Mapping[str, Any]], words: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Every generated file as {path relative to skill/ovos/: text}. `kept`: {ask value:
    {"slots": {slot: type}, "samples": [...], "understood": [...]}}, lines as written;
    `words`: {slot type: every phrase a slot of that type accepts}."""
    out: dict[str, str] = {}
    slots: dict[str, str] = {}
    intents: dict[str, list[str]] = {}
    for name, spec in kept.items():
        if name in ENTRY:
            lines = [_plain(line) for line in [*spec["samples"], *spec["understood"]] if _worded(line)]
            intents.setdefault(ENTRY[name], []).extend(lines)
            slots.update({s: t for s, t in spec["slots"].items() if any(f"{{{s}}}" in line for line in lines)})
    for stem, lines in intents.items():
        out[f"locale/en-us/{stem}.intent"] = "".join(f"{line}\n" for line in dict.fromkeys(lines))
    for slot, type_name in sorted(slots.items()):
        values = sorted({_plain(w) for w in words[type_name]})
        out[f"locale/en-us/{slot}.entity"] = "".join(f"{v}\n" for v in values)
    return out


def _worded(line: str) -> bool:
    """Whether a line has two words of its own besides its slots and their brackets."""
    return len(re.sub(r"\{\w+\}|[()\[\]|]", " ", line).split()) >= 2


def _plain(line: str) -> str:
    """A line as OVOS reads it: lower case, no apostrophes (speech to text gives "im" or
    "i'm"; the matcher drops them too), its syntax kept."""
    return " ".join(line.lower().replace("'", "").replace("\u2019", "").split())


def write(made: Mapping[str, str] | None = None, root: Path = HERE) -> list[Path]:
    """Write the files (`made`: as `generated` gives them), and remove generated files no
    longer made (an ask dropped)."""
    generated_now = generated() if made is None else made
    written = []
    for old in sorted((root / "locale" / "en-us").glob("*.*")):
        if str(old.relative_to(root)) not in generated_now:
            old.unlink()
    for rel, text in generated_now.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def drift(made: Mapping[str, str] | None = None, root: Path = HERE) -> list[str]:
    """Generated files that are missing, differ from the phrasebook, or are left over."""
    generated_now = generated() if made is None else made
    out = []
    for rel, text in generated_now.items():
        path = root / rel
        if not path.exists():
            out.append(f"skill/ovos/{rel} is missing; run recovery-coach model --write")
        elif path.read_text(encoding="utf-8") != text:
            out.append(f"skill/ovos/{rel} differs from its source; run recovery-coach model --write")
    for old in sorted((root / "locale" / "en-us").glob("*.*")):
        if str(old.relative_to(root)) not in generated_now:
            out.append(f"skill/ovos/{old.relative_to(root)} is not generated; run recovery-coach model --write")
    return out
