"""The movement library, tips and red flags, loaded from content/data once and validated.

A broken data file fails with a `LibraryError` naming the file, the movement and the field,
so a typo in YAML never surfaces as a KeyError in the middle of a routine.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content import sources

DATA_DIR = Path(__file__).parent / "data"
CATEGORIES = ("cardio", "stretching", "foam-rolling", "yoga")
CATEGORY_FILES = {
    "cardio": "cardio.yaml",
    "stretching": "stretching.yaml",
    "foam-rolling": "foam_rolling.yaml",
    "yoga": "yoga.yaml",
}
SIDE_KINDS = ("leg", "side")
# Sore areas a person can name; each movement lists those the source text says it works.
AREAS = ("quads", "hamstrings", "glutes", "calves", "hips", "it-band", "lower-back")
MOVEMENT_FIELDS = {
    "id",
    "name",
    "synonyms",
    "steps",
    "per_side",
    "half_cue",
    "switch_cue",
    "equipment",
    "seconds",
    "cues",
    "cautions",
    "areas",
}


class LibraryError(ValueError):
    """A data file is missing, malformed, or a field has a wrong value."""


@dataclass(frozen=True)
class Durations:
    """A movement's shortest, usual and longest length, in seconds."""

    min: int
    default: int
    max: int


@dataclass(frozen=True)
class Movement:
    """One movement of the library, as its data file describes it."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    category: str
    steps: tuple[str, ...]
    per_side: str | None  # "leg", "side", or None when done on both at once
    half_cue: str | None  # said halfway through each side (or the whole move)
    equipment: tuple[str, ...]
    seconds: Durations  # the whole step, including its short spoken introduction
    cues: tuple[str, ...]
    cautions: tuple[str, ...]
    areas: tuple[str, ...] = ()  # from AREAS: where the source text says the movement works
    switch_cue: str | None = None  # said with "switch legs": how the second side begins

    @property
    def how_to(self) -> str:
        return " ".join(self.steps)


@dataclass(frozen=True, eq=False)  # loaded once, never compared: no __eq__ or __hash__ to build at import
class Tip:
    """A recovery tip the skill can read out."""

    id: str
    title: str
    text: str


@dataclass(frozen=True, eq=False)  # loaded once, never compared: no __eq__ or __hash__ to build at import
class RedFlag:
    """A warning sign that means stop and see a professional."""

    id: str
    text: str


@dataclass(frozen=True, eq=False)  # loaded once, never compared
class WarningSign:
    """A sign beyond the source text's red flags that also stops the routine: what was heard,
    what to do, and whether that is calling emergency services now. `ask` names the coach's
    ask for it. Every one is marked as going beyond the source text (the loader checks)."""

    id: str
    ask: str
    heard: str
    advice: str
    emergency: bool


@dataclass(frozen=True, eq=False)  # one per process, never compared: no __eq__ or __hash__ to build at import
class Library:
    """Every movement, tip, red flag and warning sign, and the disclaimer."""

    movements: tuple[Movement, ...]
    tips: tuple[Tip, ...]
    red_flags: tuple[RedFlag, ...]
    disclaimer: str
    warning_signs: tuple[WarningSign, ...] = ()

    def warning_sign(self, ask: str) -> WarningSign:
        for w in self.warning_signs:
            if w.ask == ask:
                return w
        raise KeyError(ask)

    def by_category(self, category: str) -> tuple[Movement, ...]:
        return tuple(m for m in self.movements if m.category == category)

    def get(self, movement_id: str) -> Movement:
        for m in self.movements:
            if m.id == movement_id:
                return m
        raise KeyError(movement_id)

    def find(self, spoken: str) -> Movement | None:
        """The movement a person means by a spoken name or synonym, or None."""
        return self._names.get(normalize(spoken))

    @functools.cached_property
    def _names(self) -> dict[str, Movement]:
        """Every normalized id, name and synonym -> its movement, built once."""
        return {normalize(n): m for m in reversed(self.movements) for n in (m.id, m.name, *m.synonyms)}


def normalize(text: str) -> str:
    kept = "".join(c if c.isalnum() else " " for c in text.lower().replace("'", ""))
    return " ".join(kept.split())


def _read_yaml(path: Path) -> Any:
    try:
        return sources.load(path)
    except FileNotFoundError:
        raise LibraryError(f"{path.name}: file is missing") from None
    except sources.SourceError as e:
        raise LibraryError(str(e)) from None


def _text(where: str, value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LibraryError(f"{where}: field '{field}' must be a non-empty string")
    return value.strip()


def _texts(where: str, value: object, field: str, *, allow_empty: bool = True) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list) or (not allow_empty and not value):
        raise LibraryError(f"{where}: field '{field}' must be a {'non-empty ' if not allow_empty else ''}list")
    return tuple(_text(where, v, field) for v in value)


def _movement(file: str, category: str, raw: object) -> Movement:
    mid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{file}: movement '{mid or '?'}'"
    if not isinstance(raw, dict):
        raise LibraryError(f"{where}: each movement must be a mapping")
    unknown = set(raw) - MOVEMENT_FIELDS
    if unknown:
        raise LibraryError(f"{where}: unknown field '{sorted(unknown)[0]}'")
    for field in ("id", "name", "steps", "seconds"):
        if field not in raw:
            raise LibraryError(f"{where}: field '{field}' is missing")
    per_side = raw.get("per_side")
    if per_side is not None and per_side not in SIDE_KINDS:
        raise LibraryError(f"{where}: field 'per_side' must be one of {', '.join(SIDE_KINDS)} or null")
    secs = raw["seconds"]
    if not isinstance(secs, dict) or set(secs) != {"min", "default", "max"}:
        raise LibraryError(f"{where}: field 'seconds' must have min, default and max")
    if not all(isinstance(v, int) and v > 0 for v in secs.values()):
        raise LibraryError(f"{where}: field 'seconds' values must be positive whole numbers")
    if not secs["min"] <= secs["default"] <= secs["max"]:
        raise LibraryError(f"{where}: field 'seconds' must satisfy min <= default <= max")
    return Movement(
        id=_text(where, raw["id"], "id"),
        name=_text(where, raw["name"], "name"),
        synonyms=_texts(where, raw.get("synonyms"), "synonyms"),
        category=category,
        steps=_texts(where, raw["steps"], "steps", allow_empty=False),
        per_side=per_side,
        half_cue=_text(where, raw["half_cue"], "half_cue") if raw.get("half_cue") is not None else None,
        switch_cue=_text(where, raw["switch_cue"], "switch_cue") if raw.get("switch_cue") is not None else None,
        equipment=_texts(where, raw.get("equipment"), "equipment"),
        seconds=Durations(secs["min"], secs["default"], secs["max"]),
        cues=_texts(where, raw.get("cues"), "cues"),
        cautions=_texts(where, raw.get("cautions"), "cautions"),
        areas=_areas(where, raw.get("areas")),
    )


def _areas(where: str, value: object) -> tuple[str, ...]:
    areas = _texts(where, value, "areas")
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise LibraryError(f"{where}: field 'areas' has '{unknown[0]}', not one of {', '.join(AREAS)}")
    return areas


def load_library(data_dir: Path = DATA_DIR) -> Library:
    """Read and validate every data file. Use `library()` for the cached copy."""
    movements: list[Movement] = []
    for category, filename in CATEGORY_FILES.items():
        doc = _read_yaml(data_dir / filename)
        if not isinstance(doc, dict) or doc.get("category") != category:
            raise LibraryError(f"{filename}: field 'category' must be '{category}'")
        raws = doc.get("movements")
        if not isinstance(raws, list) or not raws:
            raise LibraryError(f"{filename}: field 'movements' must be a non-empty list")
        movements.extend(_movement(filename, category, raw) for raw in raws)

    seen: dict[str, str] = {}
    for m in movements:
        for spoken in (m.id, m.name, *m.synonyms):
            key = normalize(spoken)
            if seen.get(key, m.id) != m.id:
                raise LibraryError(f"movement '{m.id}': name or synonym '{spoken}' is also used by '{seen[key]}'")
            seen[key] = m.id

    advice = _read_yaml(data_dir / "advice.yaml")
    if not isinstance(advice, dict):
        raise LibraryError("advice.yaml: must be a mapping with tips, red_flags and disclaimer")
    tips = tuple(
        Tip(
            _text(f"advice.yaml: tip {i}", t.get("id"), "id"),
            _text(f"advice.yaml: tip {i}", t.get("title"), "title"),
            _text(f"advice.yaml: tip {i}", t.get("text"), "text"),
        )
        for i, t in enumerate(_mappings("advice.yaml", advice.get("tips"), "tips"))
    )
    flags = tuple(
        RedFlag(
            _text(f"advice.yaml: red flag {i}", f.get("id"), "id"),
            _text(f"advice.yaml: red flag {i}", f.get("text"), "text"),
        )
        for i, f in enumerate(_mappings("advice.yaml", advice.get("red_flags"), "red_flags"))
    )
    signs = tuple(
        _warning_sign(i, w)
        for i, w in enumerate(_mappings("advice.yaml", advice.get("warning_signs"), "warning_signs"))
    )
    disclaimer = _text("advice.yaml", advice.get("disclaimer"), "disclaimer")
    return Library(tuple(movements), tips, flags, disclaimer, signs)


def _warning_sign(i: int, raw: dict[str, Any]) -> WarningSign:
    where = f"advice.yaml: warning sign {raw.get('id') or i}"
    if raw.get("beyond_source") is not True:  # the source text names only the red flags
        raise LibraryError(f"{where}: field 'beyond_source' must be true")
    if not isinstance(raw.get("emergency"), bool):
        raise LibraryError(f"{where}: field 'emergency' must be true or false")
    sign_id, ask, heard, advice = (_text(where, raw.get(f), f) for f in ("id", "ask", "heard", "advice"))
    return WarningSign(sign_id, ask, heard, advice, emergency=raw["emergency"])


def _mappings(file: str, value: object, field: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise LibraryError(f"{file}: field '{field}' must be a non-empty list of mappings")
    return value


@functools.cache
def library() -> Library:
    """The library, loaded and validated on first use."""
    return load_library()
