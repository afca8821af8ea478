"""User-facing phrases, one YAML file per locale (content/phrases/<locale>.yaml).

A phrase is a string or a list of variants; `phrase(key, n)` picks variant n (wrapping),
so callers that count what they have said get varied but repeatable wording.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from content import sources

PHRASES_DIR = Path(__file__).parent / "phrases"
DEFAULT_LOCALE = "en"


@functools.cache
def phrasebook(locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    lang = locale.split("-")[0].lower()
    path = PHRASES_DIR / f"{lang}.yaml"
    if not path.exists():
        path = PHRASES_DIR / f"{DEFAULT_LOCALE}.yaml"
    book: dict[str, Any] = sources.load(path)
    return book


@functools.cache  # the phrasebook is read once and never changes: neither do its keys' wordings
def variants(key: str, locale: str = DEFAULT_LOCALE) -> tuple[str, ...]:
    """All wordings of a dotted key such as 'script.halfway'."""
    node = phrasebook(locale)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no phrase '{key}' for locale '{locale}'")
        node = node[part]
    if isinstance(node, str):
        return (node,)
    if isinstance(node, list) and node and all(isinstance(v, str) for v in node):
        return tuple(node)
    raise KeyError(f"phrase '{key}' is not a string or a list of strings")


def phrase(key: str, n: int = 0, locale: str = DEFAULT_LOCALE, **fields: object) -> str:
    """Variant n of a phrase, with {fields} filled in."""
    options = variants(key, locale)
    return options[n % len(options)].format(**fields)


def counted(key: str, count: int, locale: str = DEFAULT_LOCALE) -> str:
    """A number of things in words: a phrase of two variants, [one, more than one] ("1 plan", "3 plans")."""
    return phrase(key, 0 if count == 1 else 1, locale, count=count)
