"""The sentences the listener's language expects after the wake word, from a phrasebook in
the coach's template syntax (`(a|b)`, `[x]`, `{slot}`): the same phrasebook the coach's
matcher reads, so what can be heard is what can be understood."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from skill.listen.language import expand


def sentences(
    intents: Mapping[str, Mapping[str, object]],
    types: Mapping[str, Mapping[str, Sequence[str]]],
    phrases: Mapping[str, Iterable[str]],
) -> dict[str, list[str]]:
    """{intent: sentences}; `intents` as the matcher takes them ({name: {"samples": [...],
    "slots": {slot: type}, "understood": [...]}}), `types` the words of each slot type,
    `phrases` the words of any other type (durations, times)."""
    out: dict[str, list[str]] = {}
    for name, spec in intents.items():
        slots = spec.get("slots") or {}
        assert isinstance(slots, Mapping)
        values = {
            slot: _words(types[t].values() if t in types else [list(phrases.get(t, ()))]) for slot, t in slots.items()
        }
        templates = [*_strings(spec.get("samples")), *_strings(spec.get("understood"))]
        out[name] = [s for t in templates for s in expand(t, values)]
    return out


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []


def _words(groups: Iterable[Sequence[str]]) -> list[str]:
    return sorted({" ".join(w.lower().replace("-", " ").split()) for ws in groups for w in ws} - {""})
