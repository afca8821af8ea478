"""An Alexa request envelope as it arrives: its shape checked before anything reads it,
the skill it is addressed to, the user and the device it comes from.

Anything a client can send that is not a usable request raises `BadRequest`, which the
server answers with 400 and the Lambda entry with an empty answer; it never reaches the
user as a crash. No SDK here: the checks run on the parsed JSON.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from skill.alexa.audio import base_url
from skill.coach.context import Device

PLAYER_TYPES = tuple(
    [f"AudioPlayer.Playback{e}" for e in ("Started", "NearlyFinished", "Finished", "Stopped", "Failed")]
    + [f"PlaybackController.{c}CommandIssued" for c in ("Play", "Pause", "Next", "Previous")]
)
# SessionResumedRequest (Connections.Response before it): the answer to the reminders
# permission question (skill/alexa/reminders.py)
PERMISSION_ANSWERS = ("SessionResumedRequest", "Connections.Response")
SCREEN_TOUCH = "Alexa.Presentation.APL.UserEvent"  # a button of the step screen (skill/alexa/apl.py)
REQUEST_TYPES = (
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    *PERMISSION_ANSWERS,
    SCREEN_TOUCH,
    *PLAYER_TYPES,
)
IGNORED_TYPES = ("System.ExceptionEncountered",)  # Alexa reporting our last answer's error
MAX_DEPTH = 64  # Alexa's envelopes nest about 8 deep; deeper is an attack on recursion
MAX_ATTRIBUTES_CHARS = 16 * 1024  # Alexa's whole response is at most 24 KB
MAX_USER_ID_CHARS = 512  # Alexa's are about 200 ASCII characters
USER_ID_PATHS = (("context", "System", "user"), ("session", "user"))


class BadRequest(ValueError):
    """The request cannot be answered; the message says why (sent back with a 400)."""


def for_log(value: object, limit: int = 200) -> str:
    """A request field fit for one log line: control characters, newlines and anything
    not ASCII escaped (so no line can be forged), cut to `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    return json.dumps(text[: limit * 2])[1:-1][:limit]


def application_id(doc: dict[str, Any]) -> str | None:
    """The skill id a request envelope is addressed to, or None."""
    for path in (("context", "System", "application", "applicationId"), ("session", "application", "applicationId")):
        node: object = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node
    return None


def too_deep(doc: object, limit: int = MAX_DEPTH) -> bool:
    """Whether any structure in `doc` nests deeper than `limit` (checked without recursion,
    one level at a time: the containers at each depth, so no depth is kept per node)."""
    level, depth = ([doc] if isinstance(doc, dict | list) else []), 1
    while level:
        if depth > limit:
            return True
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        depth += 1
    return False


def json_text(doc: object) -> str:
    """`doc` as JSON text (what the SDK's serializer reads), or BadRequest."""
    try:
        return json.dumps(doc)
    except RecursionError:
        raise BadRequest(f"the request nests deeper than {MAX_DEPTH} levels") from None
    except (TypeError, ValueError):
        raise BadRequest("the request is not plain JSON") from None


def check_shape(doc: object, text: str) -> bool:
    """Raise BadRequest unless `doc`, whose JSON text is `text`, has what every handler
    relies on. Garbled session attributes become a polite restart; an unusual user id is
    replaced by a stable digest; True when either changed `doc` (its text is then stale)."""
    if not isinstance(doc, dict):
        raise BadRequest("the body must be a JSON object (an Alexa request envelope)")
    if text.count("{") + text.count("[") > MAX_DEPTH and too_deep(doc):  # fewer brackets cannot nest deeper
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
    tidied = _check_session(doc, len(text))
    for path in USER_ID_PATHS:
        tidied = _safe_user_id(doc, path) or tidied
    return tidied


def _check_intent(req: dict[str, Any]) -> None:
    intent = req.get("intent")
    if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
        raise BadRequest("missing field: request.intent.name")
    slots = intent.get("slots", {}) or {}
    if not isinstance(slots, dict) or not all(
        isinstance(s, dict) and isinstance(s.get("value", ""), str | None) for s in slots.values()
    ):
        raise BadRequest("request.intent.slots must map slot names to objects with a text value")


def _check_session(doc: dict[str, Any], doc_chars: int) -> bool:
    """Whether garbled attributes were replaced; BadRequest when they are too large (never
    when the whole envelope is not: the attributes are a part of it)."""
    session = doc.get("session")
    if session is not None and not isinstance(session, dict):
        raise BadRequest("session must be an object")
    if not isinstance(session, dict) or "attributes" not in session:
        return False
    if not isinstance(session["attributes"], dict | None):
        session["attributes"] = {"pos": None}  # garbled: the handlers restart politely
        return True
    if doc_chars > MAX_ATTRIBUTES_CHARS and len(json.dumps(session["attributes"])) > MAX_ATTRIBUTES_CHARS:
        raise BadRequest(f"session.attributes are larger than {MAX_ATTRIBUTES_CHARS // 1024} KB")
    return False


def _safe_user_id(doc: dict[str, Any], path: tuple[str, ...]) -> bool:
    """Alexa's user ids are short ASCII; anything else (lone surrogates, controls, megabytes)
    becomes a stable digest of itself before it reaches the store or a log (then True)."""
    node: object = doc
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or "userId" not in node:
        return False
    uid = node["userId"]
    if isinstance(uid, str) and len(uid) <= MAX_USER_ID_CHARS and uid.isascii() and uid.isprintable():
        return False
    import hashlib  # here, not at the top: only an unusual user id needs it

    raw = uid if isinstance(uid, str) else json.dumps(uid)
    node["userId"] = "unusual." + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return True


def user_id(request_envelope: Any) -> str:
    """The user a deserialized envelope comes from ("anonymous" when it names none)."""
    system = request_envelope.context.system if request_envelope.context else None
    if system is not None and system.user is not None and system.user.user_id:
        return str(system.user.user_id)
    session = request_envelope.session
    if session is not None and session.user is not None and session.user.user_id:
        return str(session.user.user_id)
    return "anonymous"


def whole(value: object) -> int:
    """A millisecond offset as Alexa sends it (the SDK does not check its type), else 0."""
    return value if type(value) is int and 0 <= value < 10**9 else 0


def device_of(env: Any) -> Device:
    """The device's player, as a deserialized envelope describes it: it can play the
    coach's tracks when it declares AudioPlayer and the tracks' origin is configured."""
    system = env.context.system if env.context else None
    interfaces = getattr(getattr(system, "device", None), "supported_interfaces", None)
    player = env.context.audio_player if env.context else None
    activity = getattr(getattr(player, "player_activity", None), "value", None)
    playing_token = getattr(player, "token", None)
    return Device(
        player=getattr(interfaces, "audio_player", None) is not None and base_url() is not None,
        token=playing_token if isinstance(playing_token, str) else None,
        offset_ms=whole(getattr(player, "offset_in_milliseconds", None)),
        playing=activity == "PLAYING",
        screen=getattr(interfaces, "alexa_presentation_apl", None) is not None,
    )
