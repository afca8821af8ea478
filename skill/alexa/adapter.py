"""The skill on ask-sdk-core: request envelope in, response envelope out.

`Skill.respond(doc)` checks the envelope's shape, lets ask-sdk-core deserialize it and
run one handler that hands the turn to skill/alexa/turn.py, and serializes the answer.
Anything a client can send that is not a usable request raises `BadRequest`, which the
Flask app answers with 400; it never reaches the user as a crash.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope

from content.phrases import phrase
from skill.alexa.replies import say
from skill.alexa.slots import Slot
from skill.alexa.store import Store, StoreError, open_store, user_id
from skill.alexa.turn import needs_kept, settle, turn
from skill.alexa.verify import application_id

log = logging.getLogger("recovery_coach.skill")
REQUEST_TYPES = ("LaunchRequest", "IntentRequest", "SessionEndedRequest")
IGNORED_TYPES = ("System.ExceptionEncountered",)  # Alexa reporting our last answer's error


class BadRequest(ValueError):
    """The request cannot be answered; the message says why (sent back with a 400)."""


def _resolved_id(slot) -> str | None:
    try:
        for authority in slot.resolutions.resolutions_per_authority:
            if authority.status.code.value == "ER_SUCCESS_MATCH" and authority.values:
                return authority.values[0].value.id
    except AttributeError:
        pass
    return None


class TurnHandler(AbstractRequestHandler):
    """Every request goes to skill.alexa.turn.turn; it knows every intent and state."""

    def __init__(self, store: Store):
        self.store = store

    def can_handle(self, handler_input) -> bool:
        return True

    def handle(self, handler_input):
        env = handler_input.request_envelope
        req = env.request
        name = req.object_type
        slots = {}
        if name == "IntentRequest":
            name = req.intent.name
            slots = {k: Slot(v.value, _resolved_id(v)) for k, v in (req.intent.slots or {}).items() if v}
        am = handler_input.attributes_manager
        in_session = env.session is not None
        session = am.session_attributes if in_session else None
        uid, saved, store_ok = user_id(env), None, True
        if needs_kept(session):  # once per session: later turns carry it
            try:
                saved = self.store.get(uid)
            except StoreError:
                store_ok = False
        stamp = req.timestamp if isinstance(req.timestamp, datetime) else None
        if stamp is not None and stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        result = turn(
            name, slots, not in_session or bool(env.session.new), session, saved, now=stamp, store_ok=store_ok
        )
        result = settle(result, self.store, uid)
        if in_session:
            am.session_attributes = result.session
        rb = handler_input.response_builder
        reply = result.reply
        if reply.ssml:
            rb.speak(reply.ssml)
        if reply.reprompt and not reply.end:
            rb.ask(reply.reprompt)
        if name != "SessionEndedRequest":
            rb.set_should_end_session(reply.end)
        return rb.response


class SorryHandler(AbstractExceptionHandler):
    """A bug on our side: say sorry and keep the session, rather than go silent."""

    def can_handle(self, handler_input, exception) -> bool:
        return True

    def handle(self, handler_input, exception):
        log.exception("handler failed: %s", exception)
        sorry = say(phrase("skill.error"))
        return handler_input.response_builder.speak(sorry).ask(sorry).response


def check_shape(doc) -> None:
    """Raise BadRequest unless `doc` has what every handler relies on."""
    if not isinstance(doc, dict):
        raise BadRequest("the body must be a JSON object (an Alexa request envelope)")
    req = doc.get("request")
    if not isinstance(req, dict):
        raise BadRequest("missing field: request")
    for key in ("type", "requestId", "timestamp"):
        if not isinstance(req.get(key), str):
            raise BadRequest(f"missing field: request.{key}")
    if req["type"] not in REQUEST_TYPES + IGNORED_TYPES:
        raise BadRequest(f"unsupported request type: {req['type'][:60]}")
    if req["type"] == "IntentRequest":
        intent = req.get("intent")
        if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
            raise BadRequest("missing field: request.intent.name")
        slots = intent.get("slots", {}) or {}
        if not isinstance(slots, dict) or not all(
            isinstance(s, dict) and isinstance(s.get("value", ""), str | None) for s in slots.values()
        ):
            raise BadRequest("request.intent.slots must map slot names to objects with a text value")
    if application_id(doc) is None:
        raise BadRequest("missing field: context.System.application.applicationId")
    session = doc.get("session")
    if session is not None and not isinstance(session, dict):
        raise BadRequest("session must be an object")
    if isinstance(session, dict) and "attributes" in session and not isinstance(session["attributes"], dict | None):
        session["attributes"] = {"pos": None}  # garbled: the handlers restart politely


class Skill:
    def __init__(self, db_path: Path | str | None = None, skill_id: str | None = None, store: Store | None = None):
        self.store = store or open_store(db_path)
        builder = CustomSkillBuilder()
        builder.skill_id = skill_id
        builder.add_request_handler(TurnHandler(self.store))
        builder.add_exception_handler(SorryHandler())
        self.sdk = builder.create()
        self.serializer = DefaultSerializer()

    def respond(self, doc: dict) -> dict:
        """The response envelope for a parsed request envelope."""
        check_shape(doc)
        if doc["request"]["type"] in IGNORED_TYPES:
            log.warning("Alexa reported an error: %s", json.dumps(doc["request"].get("error"))[:300])
            return {"version": "1.0", "response": {}}
        try:
            envelope = self.serializer.deserialize(json.dumps(doc), RequestEnvelope)
            if envelope.context is None or envelope.request is None:
                raise BadRequest("missing field: context or request")
            out = self.sdk.invoke(request_envelope=envelope, context=None)
        except BadRequest:
            raise
        except AskSdkException as e:
            raise BadRequest(f"not a usable Alexa request: {str(e)[:120]}") from None
        except (ValueError, TypeError, AttributeError) as e:
            raise BadRequest(f"not a usable Alexa request: {type(e).__name__}") from None
        return self.serializer.serialize(out)
