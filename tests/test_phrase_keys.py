"""Every phrase key the code can ask for is in content/phrases/en.yaml, and every key
there is asked for somewhere.

Keys are found by reading the source: every string literal shaped like a dotted key in
one of en.yaml's sections (`phrase("skill.goodbye")`, tables such as script.BEGIN_KEYS,
`"a" if x else "b"`). No module builds a key with an f-string, so that scan sees them all;
the tables keyed by an enum or by the library's categories must cover every member."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from content.library import CATEGORIES, SIDE_KINDS
from content.phrases import PHRASES_DIR, phrasebook, variants
from skill.cli.terminal import EVENT_KEYS, JUMPED_KEYS
from skill.coach import changes, reminders
from skill.coach.intents import FALLBACK_KEYS
from skill.coach.replies import HELP_KEYS
from speech import script
from speech.local.playback import Key, Kind
from speech.states import State

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = tuple(phrasebook())
SECTION = "|".join(map(re.escape, SECTIONS))
KEY = re.compile(rf"^(?:{SECTION})(?:\.[A-Za-z0-9_-]+)+$")
SCANNED = sorted(path for tree in ("speech", "skill", "content") for path in (ROOT / tree).rglob("*.py"))
# Every module names every key it asks for (no f-string keys), so the scan sees them all.
STRICT = SCANNED
TABLES = {  # phrase-key tables and the values they must cover
    "skill.coach.replies.HELP_KEYS": (HELP_KEYS, set(State)),
    "skill.coach.intents.FALLBACK_KEYS": (FALLBACK_KEYS, set(State)),
    "skill.coach.changes.PART_KEYS": (changes.PART_KEYS, set(CATEGORIES)),
    "skill.coach.changes.FIRST_SIDE_KEYS": (changes.FIRST_SIDE_KEYS, set(SIDE_KINDS)),
    "skill.coach.changes.SECOND_SIDE_KEYS": (changes.SECOND_SIDE_KEYS, set(SIDE_KINDS)),
    "speech.script.BEGIN_KEYS": (script.BEGIN_KEYS, set(CATEGORIES)),
    "speech.script.PERIODIC_KEYS": (script.PERIODIC_KEYS, set(CATEGORIES)),
    "speech.script.BEGIN_SIDE_KEYS": (script.BEGIN_SIDE_KEYS, set(SIDE_KINDS)),
    "speech.script.SWITCH_KEYS": (script.SWITCH_KEYS, set(SIDE_KINDS)),
    "skill.cli.terminal.EVENT_KEYS": (EVENT_KEYS, {Kind.PAUSED, Kind.RESUMED, Kind.FINISHED, Kind.QUIT}),
    "skill.cli.terminal.JUMPED_KEYS": (JUMPED_KEYS, set(Key) - {Key.PAUSE, Key.QUIT}),
    "skill.coach.reminders.OUTCOME_KEYS": (reminders.OUTCOME_KEYS, set(reminders.Outcome)),
}


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def literal_keys(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and KEY.match(node.value)
        and not _names_a_module(node.value)
    }


def _names_a_module(dotted: str) -> bool:
    """ "skill.alexa_commands" in an import table is a module, not the phrase section skill."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").exists()


def fstring_prefixes(path: Path) -> set[str]:
    """Leading literal text of f-strings that start like a key: "offline.jumped." ."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            head = str(node.values[0].value)
            if head.endswith(".") and KEY.match(head[:-1] + ".x"):
                out.add(head)
    return out


def defined_keys(node: object = None, prefix: str = "") -> Iterator[str]:
    node = phrasebook() if node is None else node
    if isinstance(node, dict):
        for name, child in node.items():
            yield from defined_keys(child, f"{prefix}{name}.")
    else:
        yield prefix[:-1]


def enumerated_keys() -> Iterator[str]:
    for table, _ in TABLES.values():
        yield from table.values()


def requested_keys() -> set[str]:
    return {key for path in SCANNED for key in literal_keys(path)} | set(enumerated_keys())


def test_the_scan_finds_keys_in_every_part():
    found = requested_keys()
    for key in (
        "script.welcome",
        "ssml.prompt_continue",
        "skill.goodbye",
        "plan.cardio_capped",
        "skill.help.paused",
        "script.begin.foam-rolling",
        "offline.keys",
    ):
        assert key in found, key


@pytest.mark.parametrize("key", sorted(requested_keys()))
def test_every_requested_key_is_in_the_phrasebook(key):
    assert variants(key), key  # raises KeyError when missing


@pytest.mark.parametrize("name", sorted(TABLES))
def test_key_tables_cover_every_value(name):
    table, values = TABLES[name]
    assert set(table) == values, f"{name} must have a key for each of {sorted(values)}"


@pytest.mark.parametrize("path", STRICT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_builds_a_key_with_an_fstring(path):
    assert fstring_prefixes(path) == set(), "name the key, or use a table keyed by an enum"


def test_every_key_in_the_phrasebook_is_used():
    used = requested_keys()
    unused = [k for k in defined_keys() if k not in used]
    assert unused == [], f"keys in {PHRASES_DIR.name}/en.yaml that no code asks for: {unused}"


def test_no_key_is_written_twice_in_the_phrasebook():
    """YAML keeps the last of two equal keys without a word; a pasted-twice section would hide edits."""
    import yaml

    seen: list[str] = []

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
        keys = [loader.construct_object(k) for k, _ in node.value]
        seen.extend(k for k in set(keys) if keys.count(k) > 1)
        return yaml.SafeLoader.construct_mapping(loader, node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load((PHRASES_DIR / "en.yaml").read_text(encoding="utf-8"), Loader=Strict)
    assert seen == [], f"keys written twice in en.yaml: {seen}"
