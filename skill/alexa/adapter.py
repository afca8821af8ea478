"""The skill on ask-sdk-core: request envelope in, response envelope out.

`Skill.respond(doc)` checks the envelope's shape, lets ask-sdk-core deserialize it and
run one handler that hands the turn to skill/coach/turn.py, and serializes the answer.
Anything a client can send that is not a usable request raises `BadRequest`, which the
Flask app answers with 400; it never reaches the user as a crash.

This module is the skill core a Lambda entry imports: it must not import Flask or
`cryptography` (a test checks), so it stays small and quick to load.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill_builder import CustomSkillBuilder

from content.phrases import phrase
from skill.coach.replies import say
from skill.alexa.serializer import Serializer
from skill.coach.slots import Slot
from skill.store.base import Store, StoreError, open_store, user_id
from skill.coach.player_events import device_of, player_answer
from skill.coach.turn import Later, log, needs_kept, settle, settle_later, turn

PLAYER_TYPES = tuple(
    [f"AudioPlayer.Playback{e}" for e in ("Started", "NearlyFinished", "Finished", "Stopped", "Failed")]
    + [f"PlaybackController.{c}CommandIssued" for c in ("Play", "Pause", "Next", "Previous")]
)
REQUEST_TYPES = ("LaunchRequest", "IntentRequest", "SessionEndedRequest", *PLAYER_TYPES)
IGNORED_TYPES = ("System.ExceptionEncountered",)  # Alexa reporting our last answer's error
MAX_DEPTH = 64  # Alexa's envelopes nest about 8 deep; deeper is an attack on recursion
MAX_ATTRIBUTES_CHARS = 16 * 1024  # ours take under 200; Alexa's whole response is at most 24 KB
MAX_USER_ID_CHARS = 512  # Alexa's are about 200 ASCII characters
USER_ID_PATHS = (("context", "System", "user"), ("session", "user"))


class BadRequest(ValueError):
    """The request cannot be answered; the message says why (sent back with a 400)."""


def for_log(value: object, limit: int = 200) -> str:
    """A request field fit for one log line: control characters, newlines and anything
    not ASCII escaped (so no line can be forged), cut to `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    return json.dumps(text[: limit * 2])[1:-1][:limit]


def application_id(doc: dict) -> str | None:
    """The skill id a request envelope is addressed to, or None."""
    for path in (("context", "System", "application", "applicationId"), ("session", "application", "applicationId")):
        node: object = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node
    return None


def _resolved_id(slot) -> str | None:
    """The value id Alexa resolved a slot to, whatever shape its resolutions arrive in."""
    try:
        for authority in slot.resolutions.resolutions_per_authority or ():
            if authority.status.code.value == "ER_SUCCESS_MATCH" and authority.values:
                vid = authority.values[0].value.id
                return vid if isinstance(vid, str) else None
    except (AttributeError, TypeError, IndexError, KeyError):
        pass
    return None


class TurnHandler(AbstractRequestHandler):
    """Every request goes to skill.coach.turn.turn; it knows every intent and state."""

    def __init__(self, store: Store):
        self.store = store
        self.unsaved: dict[str, None] = {}  # users whose save after an answer failed (turn.settle_later)

    def can_handle(self, handler_input) -> bool:
        return True

    def handle(self, handler_input):
        env = handler_input.request_envelope
        req = env.request
        name = req.object_type
        if name in PLAYER_TYPES:
            return self.player_request(handler_input, name)
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
        reason = getattr(req, "reason", None)  # a SessionEndedRequest's: the user went quiet, or an error
        result = turn(
            name,
            slots,
            not in_session or bool(env.session.new),
            session,
            saved,
            now=stamp,
            store_ok=store_ok,
            reason=getattr(reason, "value", reason),
            device=device_of(env),
        )
        later = handler_input.context if isinstance(handler_input.context, Later) else None
        if later is None:
            result = settle(result, self.store, uid)
        else:
            result = settle_later(result, self.store, uid, later, self.unsaved)
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
        if reply.directives:
            rb.response.directives = list(reply.directives)  # plain JSON: the serializer keeps it as is
        return rb.response

    def player_request(self, handler_input, name: str):
        """An event from the player or a button: no session, no speech (skill/coach/player_events.py)."""
        rb = handler_input.response_builder
        directives = player_answer(handler_input.request_envelope, name, self.store)
        if directives:
            rb.response.directives = directives
        return rb.response


class CarriedAttributes(dict):
    """Session attributes as they arrive. The SDK deep-copies them for every request, in
    case a handler changes them in place; ours only reads them (turn() builds new ones),
    and the copy was a tenth of a turn."""

    def __deepcopy__(self, memo: dict) -> CarriedAttributes:
        return self


class SorryHandler(AbstractExceptionHandler):
    """A bug on our side: say sorry and keep the session, rather than go silent."""

    def can_handle(self, handler_input, exception) -> bool:
        return True

    def handle(self, handler_input, exception):
        log().exception("handler failed: %s", exception)
        sorry = say(phrase("skill.error"))
        return handler_input.response_builder.speak(sorry).ask(sorry).response


def too_deep(doc: object, limit: int = MAX_DEPTH) -> bool:
    """Whether any structure in `doc` nests deeper than `limit` (checked without recursion,
    one level at a time: the containers at each depth, so no depth is kept per node)."""
    level, depth = ([doc] if isinstance(doc, dict | list) else []), 1
    while level:
        if depth > limit:
            return True
        inner = []
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, dict | list):
                    inner.append(child)
        level, depth = inner, depth + 1
    return False


def check_shape(doc, depth_checked: bool = False) -> None:
    """Raise BadRequest unless `doc` has what every handler relies on. Garbled session
    attributes become a polite restart; an unusual user id is replaced by a stable digest."""
    if not isinstance(doc, dict):
        raise BadRequest("the body must be a JSON object (an Alexa request envelope)")
    if not depth_checked and too_deep(doc):
        raise BadRequest(f"the request nests deeper than {MAX_DEPTH} levels")
    req = doc.get("request")
    if not isinstance(req, dict):
        raise BadRequest("missing field: request")
    for key in ("type", "requestId", "timestamp"):
        if not isinstance(req.get(key), str):
            raise BadRequest(f"missing field: request.{key}")
    if req["type"] not in REQUEST_TYPES + IGNORED_TYPES:
        raise BadRequest(f"unsupported request type: {for_log(req['type'], 60)}")
    try:
        datetime.fromisoformat(req["timestamp"])
    except ValueError:
        raise BadRequest("request.timestamp is not an ISO-8601 time") from None
    if req["type"] == "IntentRequest":
        _check_intent(req)
    if application_id(doc) is None:
        raise BadRequest("missing field: context.System.application.applicationId")
    system = doc.get("context", {}).get("System") if isinstance(doc.get("context"), dict) else None
    if not isinstance(system, dict) or not isinstance(system.get("application"), dict):
        raise BadRequest("missing field: context.System.application")
    _check_session(doc)
    for path in USER_ID_PATHS:
        _safe_user_id(doc, path)


def _check_intent(req: dict) -> None:
    intent = req.get("intent")
    if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
        raise BadRequest("missing field: request.intent.name")
    slots = intent.get("slots", {}) or {}
    if not isinstance(slots, dict) or not all(
        isinstance(s, dict) and isinstance(s.get("value", ""), str | None) for s in slots.values()
    ):
        raise BadRequest("request.intent.slots must map slot names to objects with a text value")


def _check_session(doc: dict) -> None:
    session = doc.get("session")
    if session is not None and not isinstance(session, dict):
        raise BadRequest("session must be an object")
    if not isinstance(session, dict) or "attributes" not in session:
        return
    if not isinstance(session["attributes"], dict | None):
        session["attributes"] = {"pos": None}  # garbled: the handlers restart politely
    elif len(json.dumps(session["attributes"])) > MAX_ATTRIBUTES_CHARS:
        raise BadRequest(f"session.attributes are larger than {MAX_ATTRIBUTES_CHARS // 1024} KB")


def _safe_user_id(doc: dict, path: tuple[str, ...]) -> None:
    """Alexa's user ids are short ASCII; anything else (lone surrogates, controls, megabytes)
    becomes a stable digest of itself before it reaches the store or a log."""
    node: object = doc
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or "userId" not in node:
        return
    uid = node["userId"]
    if isinstance(uid, str) and len(uid) <= MAX_USER_ID_CHARS and uid.isascii() and uid.isprintable():
        return
    import hashlib  # here, not at the top: loading OpenSSL's hashes costs every cold start 3 ms

    raw = uid if isinstance(uid, str) else json.dumps(uid)
    node["userId"] = "unusual." + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class Skill:
    def __init__(self, db_path: Path | str | None = None, skill_id: str | None = None, store: Store | None = None):
        self.store = store or open_store(db_path)
        builder = CustomSkillBuilder()
        builder.skill_id = skill_id
        builder.add_request_handler(TurnHandler(self.store))
        builder.add_exception_handler(SorryHandler())
        self.sdk = builder.create()
        self.serializer = Serializer()

    def respond(self, doc: dict, depth_checked: bool = False, later: Later | None = None) -> dict:
        """The response envelope for a parsed request envelope (`depth_checked`: the caller
        has made sure it nests at most MAX_DEPTH levels, as the Flask app does first).
        With `later`, the store writes are left in it, for the caller to run once the
        answer is sent; without, they are done before this returns."""
        check_shape(doc, depth_checked)
        if doc["request"]["type"] in IGNORED_TYPES:
            log().warning("Alexa reported an error: %s", for_log(json.dumps(doc["request"].get("error")), 300))
            return {"version": "1.0", "response": {}}
        try:
            envelope = self.serializer.from_dict(doc)
            if envelope.context is None or envelope.request is None:
                raise BadRequest("missing field: context or request")
            if envelope.session is not None and isinstance(envelope.session.attributes, dict):
                envelope.session.attributes = CarriedAttributes(envelope.session.attributes)
            out = self.sdk.invoke(request_envelope=envelope, context=later)
        except BadRequest:
            raise
        except AskSdkException as e:
            raise BadRequest(f"not a usable Alexa request: {for_log(str(e), 120)}") from None
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError, RecursionError) as e:
            raise BadRequest(f"not a usable Alexa request: {type(e).__name__}") from None
        return self.serializer.serialize(out)
