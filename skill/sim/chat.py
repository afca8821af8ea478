"""`recovery-coach chat`: talk to the skill from a terminal, without an Echo.

Typed text is understood by the coach's matcher over its phrasebook (skill/coach/phrasebook.py:
strict, then fuzzy), named as Alexa names the intent (slot values resolved, durations
turned into ISO-8601 as Alexa does), wrapped in a real request
envelope, and sent through the skill: in-process through the Flask app in dev mode, or
to a running server with --url. Answers print as text with [pause 10s] marks.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from skill.alexa.model import intents
from skill.alexa.names import intent_name
from skill.coach import phrasebook, times
from skill.coach.asks import Ask
from skill.coach.slots import Slot, resolve
from skill.coach.times import iso_duration
from skill.coach.understand import words as said_words
from skill.coach.vocabulary import slot_types
from skill.sim.transport import Transport
from speech.ssml import segments

DEV_SKILL_ID = "amzn1.ask.skill.recovery-coach-dev"


@dataclass(frozen=True)
class Match:
    intent: str  # an intent name, "LaunchRequest", or "AMAZON.FallbackIntent"
    slots: dict[str, str] = field(default_factory=dict)  # slot name -> heard words
    new_session: bool = False  # "open recovery coach ..." or "ask recovery coach to ..."
    confidence: float = 1.0  # 1.0 for a strict match of a sample; the fuzzy score otherwise


def understood(words: str) -> str | None:
    """The intent the words name (a launch too), or None: what the listener's gate asks."""
    m = match(words)
    return None if m.intent == "AMAZON.FallbackIntent" else m.intent


def match(typed: str) -> Match:
    """What Alexa would send for the words: the coach's matcher hears them, and its ask is
    named as Alexa names it ("open recovery coach" is a LaunchRequest)."""
    said = re.sub(r"^alexa ", "", " ".join(said_words(typed)))
    heard = phrasebook.understand(said)
    if heard.ask == Ask.LAUNCH:
        return Match("LaunchRequest", new_session=True)
    return Match(intent_name(heard.ask), heard.slots, heard.named, heard.confidence)


def slot_json(intent: str, name: str, heard: str) -> dict[str, Any]:
    """A slot as Alexa sends it: durations as ISO-8601, custom values with resolutions."""
    type_name = intents()[intent]["slots"][name]
    if type_name in ("AMAZON.DURATION", "AMAZON.TIME"):
        value = iso_duration(heard) if type_name == "AMAZON.DURATION" else times.iso_time(heard)
        return {"name": name, "value": value, "confirmationStatus": "NONE"}
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
    api: tuple[str, str | None] = ("https://api.amazonalexa.com", None),
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
            "apiEndpoint": api[0],
            **({"apiAccessToken": api[1]} if api[1] else {}),
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

    client = create_app(
        dev=True, skill_id=skill_id, db_path=db_path, write_behind=False, tracks_ahead=False
    ).test_client()

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
    api: tuple[str, str | None] = ("https://api.amazonalexa.com", None)  # apiEndpoint, apiAccessToken

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
            api=self.api,
        )
        status, body = self.send(doc)
        self.last = body
        if status != 200:
            return status, body
        response = body.get("response", {})
        self.attributes = body.get("sessionAttributes") or {}
        self.reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        asks_permission = any(d.get("type") == "Connections.StartConnection" for d in response.get("directives") or ())
        if asks_permission:  # Alexa asks, then resumes the session with the answer
            return status, body
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
