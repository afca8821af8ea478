"""One turn of the conversation: request data in (intent name, slots, session and saved
attributes), reply and new attributes out. No SDK here; adapter.py calls `turn`.

Session attributes: `pos` (the sequencer cursor), `ask` (the question a yes or no would
answer) and `tips`. Saved per user: visits, tips and the last place, so someone who walks
away can come back. Both are plain JSON: strings, numbers, lists; never enum objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from content.phrases import phrase
from content.planner import AREAS
from skill.alexa.context import Ctx, Question
from skill.alexa.intents import HANDLERS, fallback_intent
from skill.alexa.replies import Reply
from skill.alexa.slots import Slot
from speech import sequencer as seq
from speech.sequencer import Position
from speech.states import Outcome, State

SAVED_VERSION = 1
QUESTIONS = {q.value: q for q in Question}
# SessionEndedRequest reasons meaning the user said nothing more (None: the caller did not say).
QUIET_REASONS = (None, "EXCEEDED_MAX_REPROMPTS")


@dataclass(frozen=True)
class TurnResult:
    reply: Reply
    session: dict[str, Any]
    saved: dict[str, Any]


def _saved_position(saved: dict[str, Any]) -> Position | None:
    pos = seq.from_attributes(saved.get("pos"))
    if pos is None or pos.state not in (State.ACTIVE, State.PAUSED):
        return None
    return replace(pos, state=State.PAUSED)  # they walked away: wait for resume


def turn(
    name: str,
    slots: dict[str, Slot],
    new_session: bool,
    session: object,
    saved: object,
    reason: str | None = None,
) -> TurnResult:
    """Answer one request. `name` is an intent name, "LaunchRequest" or
    "SessionEndedRequest" (with Alexa's `reason`: None is taken as the user going quiet);
    unknown intents get the fallback answer."""
    garbled = session is not None and not isinstance(session, dict)
    session = session if isinstance(session, dict) else {}
    saved = saved if isinstance(saved, dict) and saved.get("v") == SAVED_VERSION else {}
    ctx = _context(name, slots, new_session, session, saved)
    if "pos" in session:
        ctx.pos = seq.from_attributes(session["pos"])
        if ctx.pos is None:
            ctx.note = phrase("skill.lost_place")
    elif garbled:
        ctx.note = phrase("skill.lost_place")
    elif new_session:
        ctx.pos = _saved_position(saved)

    if name == "SessionEndedRequest":
        reply = Reply(None, None, True)
        if reason in QUIET_REASONS and ctx.pos is not None and ctx.state == State.ACTIVE:
            ctx.pos = _after_quiet(ctx.pos)
    else:
        reply = HANDLERS.get(name, fallback_intent)(ctx)
    return TurnResult(reply, _session_attributes(ctx), _saved_attributes(ctx))


def _after_quiet(pos: Position) -> Position:
    """The user went quiet after a movement's response had been fully spoken (the mic
    opens only after it): that part is done, so the next visit carries on after it."""
    after, outcome = seq.advance(pos)
    return after if outcome == Outcome.FINISHED else replace(after, state=State.PAUSED)


def _context(
    name: str, slots: dict[str, Slot], new_session: bool, session: dict[str, Any], saved: dict[str, Any]
) -> Ctx:
    ctx = Ctx(pos=None, slots=slots)
    ctx.visits = _int(saved.get("visits")) + (1 if new_session and name != "SessionEndedRequest" else 0)
    ctx.tips = _int(session.get("tips", saved.get("tips")))
    ask = session.get("ask")
    ctx.ask = QUESTIONS.get(ask) if isinstance(ask, str) else None
    area = session.get("area")
    ctx.area = area if isinstance(area, str) and area in AREAS else None
    return ctx


def _session_attributes(ctx: Ctx) -> dict[str, Any]:
    attrs: dict[str, Any] = {"tips": ctx.tips}
    if ctx.pos is not None:
        attrs["pos"] = seq.to_attributes(ctx.pos)
    if ctx.ask:
        attrs["ask"] = str(ctx.ask)
    if ctx.ask == Question.TARGET and ctx.area:
        attrs["area"] = ctx.area
    return attrs


def _saved_attributes(ctx: Ctx) -> dict[str, Any]:
    return {
        "v": SAVED_VERSION,
        "visits": ctx.visits,
        "tips": ctx.tips,
        "pos": seq.to_attributes(ctx.pos) if ctx.pos is not None else None,
    }


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
