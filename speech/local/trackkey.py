"""Names for step tracks that a server can turn back into the track, and nothing else.

A track key is `<inputs>.<digest>`: `inputs` is base64url (unpadded) of canonical JSON,
{"plan": {...}, "rate": R, "step": N, "voice": "..."}, where "plan" holds the plan inputs
that differ from their defaults (so adding an input with a default keeps every existing key),
and `digest` is 24 hex digits of sha256 over that JSON, the voice's model, RENDER_VERSION and
the step's script (its length and every cue's offset, kind and text). The server decodes the
inputs, checks each against PLAN_FIELDS, rebuilds the script, recomputes the key and refuses
(404) any mismatch: only canonical keys of tracks it can make are ever rendered.

To add a plan input (say `cardio`): one line in PLAN_FIELDS naming its default and a check
that returns the canonical value (or raises ValueError); `script_for` must accept it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from content.planner import AREAS, CARDIO_CHOICES, DEFAULT_CARDIO_CHOICE, DEFAULT_MINUTES, FOCUSES, ROTATIONS
from speech.local import piper_engine
from speech.local.engine import DEFAULT_RATE, MAX_RATE, MIN_RATE
from speech.script import Script, script_for

RENDER_VERSION = "1"  # bump when the same inputs would sound different (chimes, mixing, encoding)
ROUTE = "/audio"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,600}\.[0-9a-f]{24}")


def _minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 600:
        raise ValueError("minutes")
    return value


def _focus(value: Any) -> str:
    if value not in FOCUSES:
        raise ValueError("focus")
    return str(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("flag")
    return value


def _cardio(value: Any) -> str:
    if value not in CARDIO_CHOICES:
        raise ValueError("cardio")
    return str(value)


def _targets(value: Any) -> tuple[str, ...]:
    """Sore areas as a set in the library's order (JSON brings a list back)."""
    if not isinstance(value, list | tuple) or not all(isinstance(a, str) and a in AREAS for a in value):
        raise ValueError("targets")
    return tuple(sorted(set(value), key=AREAS.index))


def _rotation(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < ROTATIONS:
        raise ValueError("rotation")
    return value


@dataclass(frozen=True)
class Field:
    default: Any
    check: Callable[[Any], Any]  # the canonical value, or ValueError


# Plan inputs by script_for's parameter names.
PLAN_FIELDS: dict[str, Field] = {
    "minutes": Field(DEFAULT_MINUTES, _minutes),
    "focus": Field("full", _focus),
    "has_foam_roller": Field(True, _flag),
    "cardio": Field(DEFAULT_CARDIO_CHOICE, _cardio),
    "targets": Field((), _targets),
    "rotation": Field(0, _rotation),
}


def plan_inputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical plan inputs: checked, and without the ones at their default; ValueError if bad."""
    unknown = set(raw) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"unknown plan inputs: {sorted(unknown)}")
    out = {}
    for name, value in raw.items():
        value = PLAN_FIELDS[name].check(value)
        if value != PLAN_FIELDS[name].default:
            out[name] = value
    return dict(sorted(out.items()))


def plan_inputs_of(options: object) -> dict[str, Any]:
    """The plan inputs found on an object by their names (the command line's parsed options)."""
    return {name: getattr(options, name) for name in PLAN_FIELDS if hasattr(options, name)}


def script_for_inputs(inputs: Mapping[str, Any]) -> Script:
    return script_for(**plan_inputs(inputs))


def voice_model(voice: str) -> str:
    return f"piper:{piper_engine.MODEL_SHA256}" if voice == piper_engine.VOICE_ID else f"espeak:{voice}"


def _step_text(script: Script, step: int) -> str:
    s = script.steps[step]
    return json.dumps([s.seconds, [[c.at, c.kind, c.text] for c in s.cues]], ensure_ascii=False)


@dataclass(frozen=True)
class TrackRef:
    """One step's track: what it is made from."""

    inputs: dict[str, Any]
    step: int
    voice: str
    rate: int

    @property
    def script(self) -> Script:
        return script_for_inputs(self.inputs)

    @property
    def key(self) -> str:
        doc = json.dumps(
            {"plan": plan_inputs(self.inputs), "rate": self.rate, "step": self.step, "voice": self.voice},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        )
        digest = hashlib.sha256(
            "\x1f".join([RENDER_VERSION, doc, voice_model(self.voice), _step_text(self.script, self.step)]).encode()
        ).hexdigest()
        return base64.urlsafe_b64encode(doc.encode()).decode().rstrip("=") + "." + digest[:24]

    @property
    def path(self) -> str:
        return f"{ROUTE}/{self.key}.mp3"


def track_ref(inputs: Mapping[str, Any], step: int, voice: str, rate: int = DEFAULT_RATE) -> TrackRef:
    return TrackRef(plan_inputs(inputs), step, voice, rate)


def track_path(inputs: Mapping[str, Any], step: int, voice: str | None = None, rate: int = DEFAULT_RATE) -> str:
    """The URL path of a step's track on the server, e.g. `/audio/eyJwbGFu....3f2a.mp3`.
    inputs: plan inputs by script_for's names ({"minutes": 20, "focus": "full"}); voice: None
    for the default (the neural voice where it is installed)."""
    if voice is None:
        voice = piper_engine.VOICE_ID if piper_engine.installed() else "gmw/en-us"
    return track_ref(inputs, step, voice, rate).path


def parse_key(key: str, voice_ok: Callable[[str], bool]) -> TrackRef | None:
    """The track a key names, or None when it is not a canonical key of a track we can make."""
    if not KEY_PATTERN.fullmatch(key):
        return None
    encoded = key.split(".")[0]
    try:
        doc = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        if not isinstance(doc, dict) or set(doc) != {"plan", "rate", "step", "voice"}:
            return None
        plan, step, voice, rate = doc["plan"], doc["step"], doc["voice"], doc["rate"]
        if not (isinstance(plan, dict) and isinstance(voice, str) and type(step) is int and type(rate) is int):
            return None
        if not MIN_RATE <= rate <= MAX_RATE or not voice_ok(voice):
            return None
        ref = TrackRef(plan_inputs(plan), step, voice, rate)
        if not 0 <= step < len(ref.script.steps):
            return None
        return ref if ref.key == key else None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
