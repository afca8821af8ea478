"""The skill on ask-sdk-core, through its public API: a skill builder with one request
handler that hands every request to the coach (skill/coach/turn.py), the SDK's own
serializer, and its response builder.

`Skill.respond(doc)` checks the envelope's shape (skill/alexa/envelope.py), lets the SDK
deserialize it and run the handler, and serializes the answer. Alexa's intent names and
player events become the coach's words here (skill/alexa/names.py), and the coach's
`Audio` becomes AudioPlayer directives (skill/alexa/audio.py).

This module is the skill core a Lambda entry imports: it must not import Flask or
`cryptography` (a test checks).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from ask_sdk_runtime.exceptions import AskSdkException

from content.phrases import phrase
from content.planner import PlanInputs
from skill.alexa import apl, reminders
from skill.alexa.audio import directive
from skill.alexa.envelope import (
    IGNORED_TYPES,
    SCREEN_TOUCH,
    BadRequest,
    check_shape,
    device_of,
    for_log,
    json_text,
    user_id,
    whole,
)
from skill.alexa.names import PLAYER_EVENTS, QUIET_REASONS, ask_of
from skill.coach import reminders as coach_reminders
from skill.coach.asks import Ask
from skill.coach.player_events import PlayerEvent, player_turn
from skill.coach.replies import Reply, say
from skill.coach.slots import Slot
from skill.coach.stream import PlayTrack
from skill.coach.turn import TurnResult, log, needs_kept, settle, turn
from skill.store.base import Store, StoreError, open_store


def _resolved_id(slot: Any) -> str | None:
    """The value id Alexa resolved a slot to, whatever shape its resolutions arrive in."""
    try:
        for authority in slot.resolutions.resolutions_per_authority or ():
            if authority.status.code.value == "ER_SUCCESS_MATCH" and authority.values:
                vid = authority.values[0].value.id
                return vid if isinstance(vid, str) else None
    except (AttributeError, TypeError, IndexError, KeyError):
        pass
    return None


def _stamp(req: Any) -> datetime | None:
    """The request's time in the standard library's UTC (the SDK's parser gives dateutil's
    zone, whose offsets are Python code the turn would run at every use of the time)."""
    stamp = req.timestamp if isinstance(req.timestamp, datetime) else None
    if stamp is None:
        return None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _permission_answer(req: Any) -> tuple[Ask, dict[str, Slot]]:
    """The person's answer to AskForPermissionsConsent: a SessionResumedRequest whose cause
    (ConnectionCompleted) holds the result and our token (the older Connections.Response
    holds them as payload and token). Allowed or not, and the reminder that asked."""
    done = getattr(req, "cause", None) or req
    result = getattr(done, "result", None) or getattr(done, "payload", None)
    allowed = isinstance(result, dict) and result.get("status") == "ACCEPTED"
    token = getattr(done, "token", None)
    return (Ask.REMINDER_ALLOWED if allowed else Ask.REMINDER_REFUSED), {"reminder": Slot(token)}


OnPlay = Callable[[PlanInputs, int], None]  # a plan's step was just sent to the player


class TurnHandler(AbstractRequestHandler):
    """Every request goes to the coach's turn; it knows every ask and state."""

    def __init__(self, store: Store, on_play: OnPlay | None = None):
        self.store = store
        self.on_play = on_play

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        env = handler_input.request_envelope
        req: Any = env.request  # check_shape made sure there is one; its type depends on `kind`
        kind = req.object_type
        if kind in PLAYER_EVENTS:
            return self.player_request(handler_input, PLAYER_EVENTS[kind])
        slots: dict[str, Slot] = {}
        ask = Ask.LAUNCH if kind == "LaunchRequest" else Ask.GONE_QUIET
        if kind == "IntentRequest":
            ask = ask_of(req.intent.name)
            heard = (req.intent.slots or {}).items()  # Alexa lists every slot, filled or not
            slots = {k: Slot(v.value, _resolved_id(v)) for k, v in heard if v and (v.value or v.resolutions)}
        elif kind in ("SessionResumedRequest", "Connections.Response"):  # the reminders permission answer
            ask, slots = _permission_answer(req)
        elif kind == SCREEN_TOUCH:  # a button of the step screen: as the spoken command
            ask = apl.ask_of_touch(req)
        am = handler_input.attributes_manager
        in_session = env.session is not None
        session = am.session_attributes if in_session else None
        uid, saved, store_ok = user_id(env), None, True
        if needs_kept(session):  # once per session: later turns carry it
            try:
                saved = self.store.get(uid)
            except StoreError:
                store_ok = False
        reason = getattr(req, "reason", None)  # a SessionEndedRequest's: the user went quiet, or an error
        device = device_of(env)
        result = turn(
            ask,
            slots,
            env.session is None or bool(env.session.new),
            session,
            saved,
            now=_stamp(req),
            store_ok=store_ok,
            went_quiet=getattr(reason, "value", reason) in QUIET_REASONS,
            device=device,
        )
        result = settle(result, self.store, uid)
        if in_session:
            am.session_attributes = result.session
        reply = result.reply
        if reply.reminder is not None:  # only in session: the coach answers asks, not events
            outcome = reminders.create(reminders.api_of(env), reply.reminder, _stamp(req) or datetime.now(UTC))
            if outcome == coach_reminders.Outcome.NO_PERMISSION and ask == Ask.REMINDER_ALLOWED:
                outcome = coach_reminders.Outcome.FAILED  # allowed, yet refused: never ask twice in a row
            reply = coach_reminders.after(reply, outcome)
        self.played(reply)
        return _response(handler_input, reply, ask != Ask.GONE_QUIET, device.screen)

    def played(self, reply: Reply) -> None:
        """Tell `on_play` of every track the reply sends to the player."""
        for audio in reply.audio:
            if self.on_play is not None and isinstance(audio, PlayTrack):
                self.on_play(audio.pos.inputs, audio.step)

    def player_request(self, handler_input: HandlerInput, event: PlayerEvent) -> Response:
        """A player event or button: no session, no speech; saved as any turn is. A store
        that cannot be read answers nothing (the player carries on as it is)."""
        env = handler_input.request_envelope
        req: Any = env.request
        uid = user_id(env)
        try:
            saved = self.store.get(uid)
        except StoreError:
            return handler_input.response_builder.response
        state = getattr(req, "current_playback_state", None)  # PlaybackFailed's
        ms = whole(getattr(req, "offset_in_milliseconds", None))
        ms = ms or whole(getattr(state, "offset_in_milliseconds", None))
        event_token = getattr(req, "token", None)
        event_token = event_token if isinstance(event_token, str) else None
        now = _stamp(req) or datetime.now(UTC)
        result: TurnResult = settle(player_turn(event, event_token, ms, saved, device_of(env), now), self.store, uid)
        self.played(result.reply)
        return _response(handler_input, result.reply, False)


def _response(handler_input: HandlerInput, reply: Reply, says_end: bool, screen: bool = False) -> Response:
    """The reply through the SDK's response builder; `says_end`: the answer says whether
    the session ends (not to a SessionEndedRequest, nor to the player); `screen`: the
    device draws the step screen (APL), sent with a spoken part (never with a stream's Play)."""
    rb = handler_input.response_builder
    if reply.ssml:
        rb.speak(reply.ssml)
    if reply.reprompt and not reply.end:
        rb.ask(reply.reprompt)
    if reply.reminder is not None:  # the permission is missing: Alexa asks for it, then tells us
        rb.add_directive(reminders.ask_permission(reply.reminder))
    elif says_end:
        rb.set_should_end_session(reply.end)
    for audio in reply.audio:
        rb.add_directive(directive(audio))
    if screen and reply.screen is not None and not reply.audio:
        rb.add_directive(apl.render(reply.screen))
    return rb.response


class SorryHandler(AbstractExceptionHandler):
    """A bug on our side: say sorry and keep the session, rather than go silent."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log().exception("handler failed: %s", exception)
        sorry = say(phrase("skill.error"))
        return handler_input.response_builder.speak(sorry).ask(sorry).response


class Skill:
    def __init__(
        self,
        db_path: Path | str | None = None,
        skill_id: str | None = None,
        store: Store | None = None,
        on_play: OnPlay | None = None,
    ):
        """`on_play(inputs, step)` hears of every track a reply sends to the player (a server
        that makes the tracks renders the rest of the routine ahead)."""
        self.store = store or open_store(db_path)
        builder = CustomSkillBuilder()
        builder.skill_id = skill_id  # type: ignore[assignment]  # the SDK declares it only by its None default
        builder.add_request_handler(TurnHandler(self.store, on_play))
        builder.add_exception_handler(SorryHandler())
        self.sdk = builder.create()
        self.serializer = DefaultSerializer()

    def respond(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The response envelope for a parsed request envelope. The turn's save is handed
        to the store before this returns."""
        text = json_text(doc)  # the SDK reads text; the checks use it too
        if check_shape(doc, text):
            text = json.dumps(doc)
        if doc["request"]["type"] in IGNORED_TYPES:
            log().warning("Alexa reported an error: %s", for_log(json.dumps(doc["request"].get("error")), 300))
            return {"version": "1.0", "response": {}}
        try:
            envelope = self.serializer.deserialize(text, RequestEnvelope)
            if envelope.context is None or envelope.request is None:
                raise BadRequest("missing field: context or request")
            out = self.sdk.invoke(request_envelope=envelope, context=None)
        except BadRequest:
            raise
        except AskSdkException as e:
            raise BadRequest(f"not a usable Alexa request: {for_log(str(e), 120)}") from None
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError, RecursionError) as e:
            raise BadRequest(f"not a usable Alexa request: {type(e).__name__}") from None
        answer = self.serializer.serialize(out)
        assert isinstance(answer, dict)  # a ResponseEnvelope serializes to an object
        return answer
