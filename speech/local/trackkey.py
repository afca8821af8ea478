"""Names for step tracks that a server can turn back into the track, and nothing else.

A track key is `<inputs>.<digest>`: `inputs` is base64url (unpadded) of canonical JSON,
{"plan": {...}, "rate": R, "step": N, "voice": "..."}, where "plan" holds the fields of
content.planner.PlanInputs that differ from their defaults (so adding an input with a default
keeps every existing key), and `digest` is 24 hex digits of sha256 over that JSON, the voice's
model, RENDER_VERSION and the step's script (its length and every cue's offset, kind and text).
The server decodes the inputs into PlanInputs (which checks them), rebuilds the script,
recomputes the key and refuses (404) any mismatch: only canonical keys of tracks it can make
are ever rendered.

A new plan input is a new field of PlanInputs with a default; nothing here changes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from content.planner import PlanInputs
from speech.local import piper_engine
from speech.local.engine import DEFAULT_RATE, MAX_RATE, MIN_RATE, SYNTHESIS
from speech.script import Script, script_for

# Bump when the same inputs would sound different (chimes, mixing, encoding, level).
RENDER_VERSION = "3"  # 2: speech at one loudness (speech/local/loudness.py); 3: the neural voice by sentence
ROUTE = "/audio"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,600}\.[0-9a-f]{24}")


def plan_doc(inputs: PlanInputs) -> dict[str, Any]:
    """The key's "plan": the inputs that differ from their defaults, by PlanInputs' field names."""
    return {
        f.name: list(value) if isinstance(value, tuple) else value
        for f in fields(PlanInputs)
        if (value := getattr(inputs, f.name)) != f.default
    }


def voice_model(voice: str) -> str:
    return f"piper:{piper_engine.MODEL_SHA256}" if voice == piper_engine.VOICE_ID else f"{SYNTHESIS}:{voice}"


def _step_text(script: Script, step: int) -> str:
    s = script.steps[step]
    return json.dumps([s.seconds, [[c.at, c.kind, c.text] for c in s.cues]], ensure_ascii=False)


@dataclass(frozen=True)
class TrackRef:
    """One step's track: what it is made from."""

    inputs: PlanInputs
    step: int
    voice: str
    rate: int

    @property
    def script(self) -> Script:
        return script_for(self.inputs, stream=True)  # tracks are what a speaker streams

    @property
    def key(self) -> str:
        doc = json.dumps(
            {"plan": plan_doc(self.inputs), "rate": self.rate, "step": self.step, "voice": self.voice},
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


def track_path(inputs: PlanInputs, step: int, voice: str | None = None, rate: int = DEFAULT_RATE) -> str:
    """The URL path of a step's track on the server, e.g. `/audio/eyJwbGFu....3f2a.mp3`.
    voice: None for the default (the neural voice where it is installed)."""
    if voice is None:
        voice = piper_engine.VOICE_ID if piper_engine.installed() else "gmw/en-us"
    return TrackRef(inputs, step, voice, rate).path


def rate_in_range(rate: int) -> bool:
    return MIN_RATE <= rate <= MAX_RATE


def parse_key(
    key: str, voice_ok: Callable[[str], bool], rate_ok: Callable[[int], bool] = rate_in_range
) -> TrackRef | None:
    """The track a key names, or None when it is not a canonical key of a track we can make
    (`voice_ok` and `rate_ok` say which voices and rates those are; both are asked before the
    plan is built)."""
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
        if not (rate_in_range(rate) and rate_ok(rate) and voice_ok(voice)):
            return None
        ref = TrackRef(PlanInputs(**plan), step, voice, rate)  # ValueError or TypeError when not plan inputs
        if not 0 <= step < len(ref.script.steps):
            return None
        return ref if ref.key == key else None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
