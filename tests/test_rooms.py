"""The rooms the code lives in: imports point down (content <- speech <- skill), the coach's
conversation knows no platform, front ends do not import each other, one route per ask,
and ask-sdk-core is used through its public API only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from skill.alexa import model
from skill.alexa.names import BUILTINS, CUSTOM, SLOT_TYPES, ask_of
from skill.coach import phrasebook
from skill.coach.asks import Ask
from skill.coach.routes import ROUTE_LIST, ROUTES
from skill.coach.vocabulary import slot_types

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_LIBRARIES = ("ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "flask", "werkzeug", "boto3", "botocore")
OVOS = ("ovos_workshop", "ovos_bus_client", "ovos_utils", "ovos_core", "ovoscope")
# Each room and the rooms it must never import (directly, at any depth of its files).
FORBIDDEN = {
    "content": ("speech", "skill"),
    "speech": ("skill",),
    "skill/coach": ("skill.alexa", "skill.server", "skill.sim", "skill.cli", "skill.ovos", *PLATFORM_LIBRARIES, *OVOS),
    "skill/store": ("skill.coach", "skill.alexa", "skill.server", "skill.sim", "skill.cli", "skill.ovos"),
    "skill/alexa": ("skill.server", "skill.sim", "skill.cli", "skill.ovos", "flask", "werkzeug", *OVOS),
    "skill/server": ("skill.sim", "skill.cli", "skill.ovos", *OVOS),
    "skill/sim": ("skill.ovos", *OVOS),
    # The listener hears words; what they mean is its caller's: it knows no conversation nor front end.
    "skill/listen": (
        "skill.coach",
        "skill.store",
        "skill.alexa",
        "skill.server",
        "skill.sim",
        "skill.cli",
        "skill.ovos",
        *PLATFORM_LIBRARIES,
        *OVOS,
    ),
    "skill/aws": (
        "skill.coach",
        "skill.alexa",
        "skill.server",
        "skill.sim",
        "skill.cli",
        "skill.ovos",
        "flask",
        "werkzeug",
    ),
    # The OVOS skill: the coach and the store, never another front end nor Alexa's libraries.
    "skill/ovos": (
        "skill.alexa",
        "skill.server",
        "skill.sim",
        "skill.cli",
        "skill.aws",
        "skill.listen",
        *PLATFORM_LIBRARIES,
    ),
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("room", FORBIDDEN)
def test_a_room_imports_only_what_lies_below_it(room):
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / room).rglob("*.py"))
        for name in sorted(imported(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[room])
    ]
    assert not bad, bad


# Modules that hear words for the coach themselves: they understand them with the coach's
# phrasebook and matcher (skill/coach/phrasebook.py), never through Alexa's names or her simulator.
HEAR_FOR_THE_COACH = ("skill/cli/voice_play.py", "bench/listen.py")


@pytest.mark.parametrize("rel", HEAR_FOR_THE_COACH)
def test_the_laptop_coach_hears_in_the_coachs_words(rel):
    bad = sorted(n for n in imported(ROOT / rel) if n.split(".")[:2] in (["skill", "alexa"], ["skill", "sim"]))
    assert not bad, f"{rel} imports {bad}"


def test_the_phrasebook_is_in_the_coachs_words():
    """Its entries are asks, its slot types the vocabulary's or its own phrases; no platform's names."""
    types = set(slot_types()) | {phrasebook.DURATION, phrasebook.TIME}
    assert set(phrasebook.asks()) <= {a.value for a in Ask}
    assert {t for spec in phrasebook.asks().values() for t in spec["slots"].values()} <= types
    assert "AMAZON" not in repr(phrasebook.asks())
    assert set(SLOT_TYPES) == {phrasebook.DURATION, phrasebook.TIME}, "Alexa names each of the coach's phrase types"


def test_the_conversation_runs_without_any_platform_loaded():
    code = (
        "import sys; from skill.coach.turn import turn; from skill.coach.asks import Ask;"
        "r = turn(Ask.LAUNCH, {}, True, None, {});"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(PLATFORM_LIBRARIES)!r}), r.reply.ssml[:40])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.startswith("[] <speak>Welcome to Recovery Coach"), out


def test_every_ask_is_routed_once():
    asks = [ask for ask, _ in ROUTE_LIST]
    twice = sorted({a for a in asks if asks.count(a) > 1})
    assert not twice, f"routed twice: {twice}"
    assert set(Ask) - set(ROUTES) == {Ask.GONE_QUIET}, "GONE_QUIET ends a session; every other ask has a route"


def test_every_intent_of_the_alexa_model_is_one_of_the_coachs_asks():
    names = set(model.source()["intents"]) | set(model.source()["builtins"])
    unknown = sorted(n for n in names if ask_of(n) == Ask.UNCLEAR and n != "AMAZON.FallbackIntent")
    assert not unknown, unknown
    assert set(CUSTOM) == set(model.source()["intents"]), "a custom intent without an ask, or an ask without one"
    assert set(BUILTINS) == set(model.source()["builtins"])


def test_no_private_sdk_method_is_overridden():
    hacks = ("_DefaultSerializer__", "__deepcopy__", "_AttributesManager__", "_CustomSkill__")
    found = [
        f"{p.relative_to(ROOT)}: {h}"
        for p in sorted((ROOT / "skill").rglob("*.py"))
        for h in hacks
        if h in p.read_text()
    ]
    assert not found, found


def test_the_ovos_front_and_its_locale_load_without_any_ovos_library():
    """`recovery-coach model` writes the OVOS files where the `ovos` extra is not installed."""
    code = (
        "import sys; import skill.ovos.front, skill.ovos.locale; skill.ovos.locale.generated();"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(OVOS)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
