"""One turn of the conversation: what was asked (an `Ask` and its slots), the session's
attributes, and the user's kept data when the session does not carry it yet, in; the
reply, the new attributes and what to keep, out. Front ends call `turn`, then `settle`.

Session attributes: `pos` (the sequencer cursor), `ask` (the question a yes or no would
answer), `tips`, and `kept`: the user's kept data (skill/coach/kept.py), read from the
store once, at the start of a session, and carried from turn to turn with the version
token it was read at. `store: "off"` marks a session whose read failed: it coaches on and
never writes; `unsaved: 1` marks a write that failed, tried again next turn (only a store
that writes before it answers can fail there: the Lambda's).
All plain JSON: strings, numbers, lists; never enum objects.

The answer and the place never depend on the store: the turn is computed first, and a
failed write is only logged (by the store, once per fault kind per minute). Two things
are said only when true: that the place is saved (skill.stop_saved, else
skill.stop_unsaved) and that the data is deleted (memory.forgotten, else
memory.forget_failed).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from content.phrases import phrase
from content.planner import AREAS
from skill.coach import kept as keeping
from skill.coach import memory, stream
from skill.coach.asks import Ask
from skill.coach.context import Ctx, Device, Question
from skill.coach.replies import Reply, say, step_name
from skill.coach.routes import handler_for
from skill.coach.slots import Slot
from skill.store.base import REV, Outcome, Saved, Store, StoreError
from speech import sequencer as seq
from speech.sequencer import Position
from speech.ssml import text
from speech.states import Outcome as Moved
from speech.states import State

if TYPE_CHECKING:
    import logging

SAVED_VERSION = keeping.KEPT_VERSION
SAVE_WAIT_S = 0.5  # how long a save may take to be known written, when that is needed
QUESTIONS = {q.value: q for q in Question}
RESUMABLE = (State.ACTIVE, State.PAUSED)
REPLANS = (Ask.SHORTER, Ask.SKIP_PART, Ask.EASIER)  # asks that change a routine's plan and keep what was done


@dataclass(eq=False)  # never compared
class TurnResult:
    """What a turn answers, the session attributes it leaves, and what to keep."""

    reply: Reply
    session: dict[str, Any]
    saved: dict[str, Any]
    write: bool = False  # the kept data changed (or an earlier write failed): save it
    forget: bool = False  # delete everything kept for this user
    if_unsaved: Reply | None = None  # the reply says the place is saved: what it says if it was not


def needs_kept(session: object) -> bool:
    """Whether the caller must read the store for this turn: only when the session does
    not carry the kept data yet (its first turn, or a request without a session)."""
    return not (isinstance(session, dict) and isinstance(session.get("kept"), dict))


def turn(
    ask: Ask,
    slots: dict[str, Slot],
    new_session: bool,
    session: object,
    saved: object = None,
    *,
    now: datetime | None = None,
    store_ok: bool = True,
    went_quiet: bool = True,
    device: Device | None = None,
    played: float | None = None,
) -> TurnResult:
    """Answer one request. `saved` is what the store holds for the user (read only when
    `needs_kept(session)`); `store_ok` False when that read failed; `went_quiet`, for
    GONE_QUIET: the person said nothing more (not an error or a "stop" elsewhere);
    `device`: its player, if it can play the coach's tracks (skill/coach/stream.py);
    `played`: seconds of the current step a player of its own has played (the laptop's)."""
    now = now or datetime.now(UTC)
    device = device or Device()
    garbled = session is not None and not isinstance(session, dict)
    session = session if isinstance(session, dict) else {}
    carried = not needs_kept(session)
    kept = keeping.migrate(session["kept"] if carried else saved)
    off = session.get("store") == "off" if carried else not store_ok
    ctx = _context(ask, slots, new_session and not carried, session, kept, now.date(), device)
    streams = stream.can_stream(kept, device)
    ctx.streaming = streams
    ctx.on_player = streams or played is not None
    _find_place(ctx, session, garbled, new_session, kept)
    if played is not None and ctx.pos is not None:
        ctx.into_step = max(0.0, played)
    before_pos = ctx.pos
    before = ctx.pos.state if ctx.pos is not None else State.READY

    if ask == Ask.GONE_QUIET:
        reply = Reply(None, None, True)
        if went_quiet and ctx.pos is not None and ctx.state == State.ACTIVE:
            ctx.pos = _after_quiet(ctx.pos)
    else:
        if ask == Ask.LAUNCH and streams and stream.broke(kept):
            ctx.note = phrase("stream.broke")
        reply = handler_for(ask, streams)(ctx)
        reply = _for_the_player(ask, ctx, before_pos, reply, now)
        if ctx.pos is None or before_pos is None or (ctx.pos.inputs != before_pos.inputs and ask not in REPLANS):
            ctx.done, ctx.since = (), 0  # a routine of its own: nothing done in it yet
    new_kept = _kept(ctx, kept, before, now)
    result = TurnResult(reply, _session_attributes(ctx, new_kept, off), new_kept)
    result.forget = ctx.forget
    result.if_unsaved = _unsaved(reply, ctx.pos)
    owed = bool(session.get("unsaved")) or result.if_unsaved is not None  # a claimed save is written to know
    result.write = not off and not ctx.forget and (new_kept != kept or owed)
    return result


def _find_place(ctx: Ctx, session: dict[str, Any], garbled: bool, new_session: bool, kept: dict[str, Any]) -> None:
    """Where the routine is: the session's place, else (a new session) the saved one, or
    where the device's player is in the coach's stream; a place that cannot be read is said lost."""
    if "pos" in session:
        ctx.pos = seq.from_attributes(session["pos"])
        if ctx.pos is None:
            ctx.note = phrase("skill.lost_place")
    elif garbled:
        ctx.note = phrase("skill.lost_place")
    elif new_session:
        ctx.pos = memory.saved_position(kept, ctx.today)
        if ctx.streaming:
            ctx.pos = stream.playing_position(kept, ctx.device, ctx.pos)
            ctx.into_step = stream.into_step(kept, ctx.device, ctx.pos)


def _unsaved(reply: Reply, pos: Position | None) -> Reply | None:
    """If the reply says the place is saved: the reply saying instead that it could not be."""
    if pos is None or reply.ssml is None:
        return None
    claim, instead = _save_claim(step_name(pos))
    if claim not in reply.ssml:
        return None
    return replace(reply, ssml=reply.ssml.replace(claim, instead))


@functools.lru_cache(maxsize=256)
def _save_claim(name: str) -> tuple[str, str]:
    """What a reply says when it says the place at a movement is saved, and what it says instead."""
    return text(phrase("skill.stop_saved", name=name)), text(phrase("skill.stop_unsaved", name=name))


def _for_the_player(ask: Ask, ctx: Ctx, before: Position | None, reply: Reply, now: datetime) -> Reply:
    """A streaming routine's answer as the player needs it; after a switch to step by step,
    the stream stops (the spoken routine goes on from the same movement)."""
    if stream.can_stream(ctx.kept, ctx.device):
        return stream.adapt(ask, ctx, before, reply, ctx.device, now)
    if ctx.device.playing and isinstance(ctx.kept.get("stream"), dict):
        return replace(reply, audio=(stream.STOP,))
    return reply


def _after_quiet(pos: Position) -> Position:
    """The user went quiet after a movement's response had been fully spoken (the mic
    opens only after it): that part is done, so the next visit carries on after it."""
    after, outcome = seq.advance(pos)
    return after if outcome == Moved.FINISHED else replace(after, state=State.PAUSED)


def _context(
    ask: Ask,
    slots: dict[str, Slot],
    counted: bool,
    session: dict[str, Any],
    kept: dict[str, Any],
    today: date,
    device: Device,
) -> Ctx:
    # Handlers replace a part of ctx.kept (prefs, stream, ...) with a new value and never change
    # one in place, so a copy of the top level keeps `kept` as it was read.
    ctx = Ctx(pos=None, slots=slots, kept=dict(kept), today=today, device=device)
    ctx.visits = kept["visits"] + (1 if counted and ask != Ask.GONE_QUIET else 0)
    tips = session.get("tips", kept["tips"])
    ctx.tips = tips if isinstance(tips, int) and not isinstance(tips, bool) and tips >= 0 else 0
    asked = session.get("ask")
    ctx.ask = QUESTIONS.get(asked) if isinstance(asked, str) else None
    area = session.get("area")
    ctx.area = area if isinstance(area, str) and area in AREAS else None
    done, since = session.get("done"), session.get("since")
    if isinstance(done, list) and all(isinstance(d, str) for d in done) and type(since) is int and since >= 0:
        ctx.done, ctx.since = tuple(done), since
    return ctx


def _kept(ctx: Ctx, kept: dict[str, Any], before: State, now: datetime) -> dict[str, Any]:
    """The kept data after this turn: what a handler changed, the place, and the history."""
    if ctx.forget:
        return keeping.fresh()
    out = {**ctx.kept, "visits": ctx.visits, "tips": ctx.tips}
    pos = ctx.pos
    if pos is not None and pos.state == State.FINISHED and before != State.FINISHED:
        keeping.record_finished(out, pos, ctx.today)
    # Kept paused (that is how it is offered), so pause and resume write nothing.
    place = None
    if pos is not None and pos.state in RESUMABLE:
        place = seq.to_attributes(seq.Position(pos.inputs, pos.step, pos.part, State.PAUSED))
    at = int(now.timestamp())
    if place != kept.get("pos"):
        out["pos"], out["pos_at"] = place, at if place else None
    return keeping.stamp(kept, out, at)


def _session_attributes(ctx: Ctx, kept: dict[str, Any], off: bool) -> dict[str, Any]:
    attrs: dict[str, Any] = {"tips": ctx.tips, "kept": kept}
    if ctx.pos is not None:
        attrs["pos"] = seq.to_attributes(ctx.pos)
    if ctx.ask:
        attrs["ask"] = str(ctx.ask)
    if off:
        attrs["store"] = "off"
    if ctx.ask == Question.TARGET and ctx.area:
        attrs["area"] = ctx.area
    if (ctx.done or ctx.since) and ctx.pos is not None and ctx.pos.state in RESUMABLE:
        attrs["done"], attrs["since"] = list(ctx.done), ctx.since
    return attrs


def settle(result: TurnResult, store: Store, uid: str) -> TurnResult:
    """Save what the turn changed, the one way every front end saves, merged with whatever
    another device or process wrote meanwhile (skill/coach/kept.py's merge). A store that
    writes before it answers (the Lambda's) may fail here: it is tried again within
    SAVE_WAIT_S when no later turn of the session could (the session ends, or there is
    none), else the session carries the data marked unsaved, to try again next turn. The
    server's batched writer takes the save and owns its retries; a turn whose reply says
    the place is saved waits up to SAVE_WAIT_S to learn whether it was, and says it could
    not be if not. A failed write changes neither the rest of the answer nor the place."""
    if result.forget:
        try:
            store.delete(uid)
            result.session.pop("unsaved", None)
        except StoreError:
            result.reply = Reply(say(phrase("memory.forget_failed")), None, True)
        return result
    saved = Saved(Outcome.QUEUED)
    if result.write:
        last = result.reply.end or not result.session
        must_know = result.if_unsaved is not None or (last and not store.retries_later)
        saved = store.save(uid, result.saved, keeping.merge, SAVE_WAIT_S if must_know else 0.0)
    if saved.outcome == Outcome.FAILED:
        result.session["unsaved"] = 1
    else:
        result.session.pop("unsaved", None)
    if saved.outcome == Outcome.WRITTEN:  # the next write of this session starts from here
        result.saved = {**result.saved, REV: list(saved.rev)}
        if "kept" in result.session:
            result.session["kept"] = result.saved
    if result.if_unsaved is not None and saved.outcome != Outcome.WRITTEN:
        result.reply = result.if_unsaved
    return result


def log() -> logging.Logger:
    """The coach's logger. logging is imported on the rare paths that log, not on every
    cold start."""
    import logging

    return logging.getLogger("recovery_coach.skill")
