"""`recovery-coach chat`: talk to the skill from a terminal, without an Echo.

Typed text is matched against the interaction model's samples (slots filled, slot values
resolved, durations turned into ISO-8601 as Alexa does), wrapped in a real request
envelope, and sent through the skill: in-process through the Flask app in dev mode, or
to a running server with --url. Answers print as text with [pause 10s] marks.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from content.library import normalize
from skill.alexa.model import intents, source
from skill.coach.slots import NUMBER_WORDS, UNITS, Slot, duration_seconds, resolve
from skill.coach.vocabulary import slot_types
from skill.sim.transport import Transport
from speech.ssml import segments

DEV_SKILL_ID = "amzn1.ask.skill.recovery-coach-dev"
FILLERS = {"ugh", "um", "uh", "oh", "ah", "well", "hmm", "so", "okay", "ok", "erm"}  # dropped from the front
_DURATION_WORDS = sorted({*NUMBER_WORDS, *UNITS, "and", "half", "a", r"\d+"}, key=len, reverse=True)
_DURATION = r"(?:{0})(?: (?:{0}))*".format("|".join(w if w == r"\d+" else re.escape(w) for w in _DURATION_WORDS))


@dataclass(frozen=True)
class Match:
    intent: str  # an intent name, "LaunchRequest", or "AMAZON.FallbackIntent"
    slots: dict[str, str] = field(default_factory=dict)  # slot name -> heard words
    new_session: bool = False  # "open recovery coach ..." or "ask recovery coach to ..."


def _slot_pattern(name: str, type_name: str) -> str:
    if type_name == "AMAZON.DURATION":
        return f"(?P<{name}>{_DURATION})"
    if type_name in ("MovementType",):  # any words: an unknown movement still gets an answer
        return f"(?P<{name}>.+?)"
    words = sorted({normalize(w) for ws in slot_types()[type_name].values() for w in ws}, key=len, reverse=True)
    return f"(?P<{name}>{'|'.join(re.escape(w) for w in words)})"


@functools.cache
def patterns() -> list[tuple[int, str, re.Pattern[str]]]:
    """(literal length, intent, regex) for every sample, most specific first."""
    out = []
    for name, spec in intents().items():
        for sample in spec["samples"] + spec["understood"]:
            parts, literal = [], 0
            for token in re.split(r"(\{\w+\})", sample):
                slot = re.fullmatch(r"\{(\w+)\}", token)
                if slot:
                    parts.append(_slot_pattern(slot.group(1), spec["slots"][slot.group(1)]))
                elif normalize(token):
                    parts.append(re.escape(normalize(token)))
                    literal += len(normalize(token))
            out.append((literal, name, re.compile("^" + " ".join(parts) + "$")))
    return sorted(out, key=lambda p: -p[0])


def match(typed: str) -> Match:
    said = normalize(typed)
    said = re.sub(r"^alexa ", "", said)
    if said in {normalize(p) for p in source()["launch"]}:
        return Match("LaunchRequest", new_session=True)
    new_session = False
    for prefix in sorted((normalize(p) for p in source()["one_shot"]), key=len, reverse=True):
        if said.startswith(prefix + " "):
            said, new_session = said[len(prefix) + 1 :], True
            break
    while said:
        for _, intent, regex in patterns():
            m = regex.match(said)
            if m:
                return Match(intent, {k: v for k, v in m.groupdict().items() if v}, new_session)
        first, _, rest = said.partition(" ")  # "ugh my legs are sore": speech recognition
        said = rest if first in FILLERS else ""  # drops such noises; so does the simulator
    return Match("AMAZON.FallbackIntent", {}, new_session)


def iso_duration(words: str) -> str:
    seconds = duration_seconds(words)
    if seconds is None:
        return words
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return out if out != "PT" else "PT0S"


def slot_json(intent: str, name: str, heard: str) -> dict[str, Any]:
    """A slot as Alexa sends it: durations as ISO-8601, custom values with resolutions."""
    type_name = intents()[intent]["slots"][name]
    if type_name == "AMAZON.DURATION":
        return {"name": name, "value": iso_duration(heard), "confirmationStatus": "NONE"}
    vid = resolve(Slot(heard), type_name)
    authority = f"amzn1.er-authority.echo-sdk.{DEV_SKILL_ID}.{type_name}"
    status: dict[str, Any] = {
        "authority": authority,
        "status": {"code": "ER_SUCCESS_MATCH" if vid else "ER_SUCCESS_NO_MATCH"},
    }
    if vid:
        status["values"] = [{"value": {"name": slot_types()[type_name][vid][0], "id": vid}}]
    return {
        "name": name,
        "value": heard,
        "confirmationStatus": "NONE",
        "resolutions": {"resolutionsPerAuthority": [status]},
    }


def envelope(
    request: dict[str, Any],
    *,
    session_id: str | None,
    new: bool,
    attributes: dict[str, Any] | None,
    user_id: str,
    skill_id: str = DEV_SKILL_ID,
    locale: str = "en-US",
    interfaces: dict[str, Any] | None = None,
    audio_player: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A request envelope shaped like Alexa's. With no `session_id`, one without a session
    (as AudioPlayer events come); `interfaces`: the device's supportedInterfaces;
    `audio_player`: context.AudioPlayer (what the device is playing)."""
    request = {
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "locale": locale,
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **request,
    }
    app = {"applicationId": skill_id}
    user = {"userId": user_id}
    context: dict[str, Any] = {
        "System": {
            "application": app,
            "user": user,
            "device": {"deviceId": "chat", "supportedInterfaces": interfaces or {}},
            "apiEndpoint": "https://api.amazonalexa.com",
        }
    }
    if audio_player is not None:
        context["AudioPlayer"] = audio_player
    doc = {"version": "1.0", "context": context, "request": request}
    if session_id is not None:
        doc["session"] = {
            "new": new,
            "sessionId": session_id,
            "application": app,
            "user": user,
            "attributes": attributes or {},
        }
    return doc


def intent_request(m: Match) -> dict[str, Any]:
    if m.intent == "LaunchRequest":
        return {"type": "LaunchRequest"}
    slots = {name: slot_json(m.intent, name, heard) for name, heard in m.slots.items()}
    for name in intents()[m.intent]["slots"]:
        slots.setdefault(name, {"name": name, "confirmationStatus": "NONE"})
    return {
        "type": "IntentRequest",
        "dialogState": "COMPLETED",
        "intent": {"name": m.intent, "confirmationStatus": "NONE", "slots": slots},
    }


def ssml_to_text(ssml: str | None) -> str:
    """SSML as readable text: silences of a second or more (runs of breaks merged)
    become one [pause Ns] mark; shorter ones are just a space."""
    words = []
    for piece in segments(ssml):
        if isinstance(piece, str):
            words.append(piece)
        elif piece >= 1:
            words.append(f"[pause {piece:g}s]")
    return " ".join(" ".join(words).split())


def in_process(db_path: Path | str | None = None, skill_id: str = DEV_SKILL_ID) -> Transport:
    """Send envelopes through the real Flask app, in this process, in dev mode. One
    request at a time: each save is written within its request, not batched."""
    from skill.server.app import create_app

    client = create_app(dev=True, skill_id=skill_id, db_path=db_path, write_behind=False).test_client()

    def send(doc: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        r = client.post("/alexa", json=doc)
        return r.status_code, r.get_json(silent=True) or {}

    return send


@dataclass
class Conversation:
    """A user talking to the skill: keeps the session id and attributes between turns."""

    send: Transport
    user_id: str = "amzn1.ask.account.chat-user"
    skill_id: str = DEV_SKILL_ID
    session_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    reprompt: str | None = None
    last: dict[str, Any] = field(default_factory=dict)  # the last response envelope
    interfaces: dict[str, Any] = field(default_factory=dict)  # the device's supportedInterfaces
    audio: Callable[[], dict[str, Any]] | None = None  # context.AudioPlayer now (a device with a player)

    def request(self, request: dict[str, Any], new_session: bool = False) -> tuple[int, dict[str, Any]]:
        new = new_session or self.session_id is None
        if new:
            self.session_id, self.attributes = f"amzn1.echo-api.session.{uuid.uuid4()}", {}
        doc = envelope(
            request,
            session_id=self.session_id,
            new=new,
            attributes=self.attributes,
            user_id=self.user_id,
            skill_id=self.skill_id,
            interfaces=self.interfaces,
            audio_player=self.audio() if self.audio else None,
        )
        status, body = self.send(doc)
        self.last = body
        if status != 200:
            return status, body
        response = body.get("response", {})
        self.attributes = body.get("sessionAttributes") or {}
        self.reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        if response.get("shouldEndSession", True) or request["type"] == "SessionEndedRequest":
            self.session_id = None
        return status, body

    def from_player(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A request from the device's player (an event, a button): no session, the player's context."""
        doc = envelope(
            request,
            session_id=None,
            new=False,
            attributes=None,
            user_id=self.user_id,
            skill_id=self.skill_id,
            interfaces=self.interfaces,
            audio_player=self.audio() if self.audio else {},
        )
        status, body = self.send(doc)
        self.last = body
        return status, body

    def say(self, typed: str) -> Match:
        m = match(typed)
        self.request(intent_request(m), new_session=m.new_session)
        return m

    def silence(self) -> str | None:
        """The mic closes with nothing said: the reprompt, or the session ends."""
        if self.session_id is None:
            return None
        if self.reprompt:
            said, self.reprompt = self.reprompt, None
            return said
        self.request({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"})
        return None

    @property
    def ended(self) -> bool:
        return self.session_id is None

    @property
    def speech(self) -> str | None:
        return ((self.last.get("response") or {}).get("outputSpeech") or {}).get("ssml")
