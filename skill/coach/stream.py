"""Hands-free routines on a device with a player: each step's track played in turn, so a
whole routine plays after one request.

A routine streams when the device can play the coach's tracks (`Device.player`; the front
end knows whether the tracks are served) and the user has not chosen "step by step". The
handlers still decide where the routine goes; `adapt` turns their answer into what a
player needs: a `PlayTrack` of the step instead of speaking it, `STOP` when the routine
stops, a short answer and then the track again for a question. The player's events
(skill/coach/player_events.py) come with no session, so the place lives in the kept
data: `pos` (the step, as for the spoken routine) and `stream`:

  {"rid": routine id, "step": the playing step, "ms": its offset, "next": the next step is
   enqueued, "fails": failed plays of this track, "broke": a second failure stopped it}

Tokens are "<rid>.<step>"; an event whose token is neither the playing nor the enqueued
track is stale and ignored. A front end turns `Audio` into its player's own commands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from content.phrases import phrase
from skill.coach import intents
from skill.coach.asks import Ask
from skill.coach.context import Ctx, Device
from skill.coach.replies import Reply, answer, name_now, routine_parts, say
from skill.coach.replies import play as play_part
from speech import sequencer as seq
from speech.sequencer import Position
from speech.states import State

STEPS, STREAM = "steps", "stream"  # prefs["mode"]
FROM_THE_TOP = (Ask.REPEAT, Ask.START_OVER)  # these play the step from 0
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, eq=False)
class PlayTrack:
    """Play step `step`'s track of the plan `pos` is in, from `offset_ms`: at once, replacing
    whatever plays, or with `after` (the playing track's token) once that track ends."""

    pos: Position
    step: int
    token: str
    offset_ms: int = 0
    after: str | None = None


@dataclass(frozen=True, eq=False)
class StopAudio:
    """Stop the audio now (the place is kept)."""


Audio = PlayTrack | StopAudio
STOP = StopAudio()


def can_stream(kept: dict[str, Any], device: Device | None) -> bool:
    """Whether this user's routines stream on this device."""
    mode = kept.get("prefs", {}).get("mode")
    return bool(device and device.player and mode != STEPS)


def checked_stream(saved: object) -> dict[str, Any] | None:
    """A hands-free routine's place (skill/coach/stream.py) if every field has its type
    (session attributes come back from the client: they may be anything)."""
    if not isinstance(saved, dict) or not isinstance(saved.get("rid"), str):
        return None
    out: dict[str, Any] = {"rid": saved["rid"][:16]}
    for key in ("step", "ms", "fails"):
        value = saved.get(key, 0)
        out[key] = value if type(value) is int and 0 <= value < 10**9 else 0
    for key in ("next", "broke"):
        out[key] = saved.get(key) is True
    return out


def broke(kept: dict[str, Any]) -> bool:
    """Whether the last stream stopped because its audio failed twice."""
    return isinstance(kept.get("stream"), dict) and bool(kept["stream"].get("broke"))


def token(stream: dict[str, Any], step: int) -> str:
    return f"{stream['rid']}.{step}"


def play(pos: Position, stream: dict[str, Any], step: int, ms: int = 0, enqueue: bool = False) -> PlayTrack:
    """A step's track: replacing everything, or after the playing one."""
    after = token(stream, step - 1) if enqueue else None
    return PlayTrack(pos, step, token(stream, step), max(0, ms), after)


def playing_position(kept: dict[str, Any], device: Device, saved: Position | None) -> Position | None:
    """In a new session while our track plays, the routine is under way, not paused."""
    stream = kept.get("stream")
    if saved is None or not isinstance(stream, dict) or not device.playing:
        return saved
    if device.token != token(stream, stream.get("step", -1)):
        return saved
    return replace(saved, step=stream["step"], part=0, state=State.ACTIVE)


def into_step(kept: dict[str, Any], device: Device, pos: Position | None) -> float:
    """Seconds of the current step the stream has played: what "how much is left" subtracts."""
    stream = kept.get("stream")
    if pos is None or not isinstance(stream, dict) or stream.get("step") != pos.step:
        return 0.0
    return _here(stream, device) / 1000


def help_streaming(ctx: Ctx) -> Reply:
    """Help while a routine streams: the player's commands, then the stream goes on."""
    if ctx.pos is None or ctx.state != State.ACTIVE:
        return intents.help_intent(ctx)
    return answer(ctx, phrase("stream.help", name=name_now(ctx)), phrase("stream.safety"))


def _here(stream: dict[str, Any], device: Device) -> int:
    """Where the player is in the current track: what it reports, else what was saved."""
    if stream and device.token == token(stream, stream.get("step", -1)):
        return device.offset_ms
    return int(stream.get("ms", 0)) if stream else 0


def _new_routine(before: Position | None, after: Position) -> bool:
    if before is None or before.state in (State.READY, State.FINISHED):
        return True
    return before.inputs != after.inputs


def adapt(  # noqa: PLR0911 (one return per kind of answer, in the order they are checked)
    ask: Ask, ctx: Ctx, before: Position | None, reply: Reply, device: Device, now: datetime
) -> Reply:
    """The handler's answer as a player needs it (see the module's docstring)."""
    kept_stream = ctx.kept.get("stream")
    stream: dict[str, Any] = kept_stream if isinstance(kept_stream, dict) else {}
    here = _here(stream, device)
    pos = ctx.pos
    if pos is not None and pos.state == State.ACTIVE and reply.played:
        new = _new_routine(before, pos)
        if stream.get("broke") and not new:
            return reply  # its audio failed twice: this routine carries on spoken
        same = not new and before is not None and before.step == pos.step and ask not in FROM_THE_TOP
        if new or "rid" not in stream:
            stream = {"rid": _rid(now)}
        ms = here if same else 0
        ctx.kept["stream"] = {**stream, "step": pos.step, "ms": ms, "next": False, "fails": 0, "broke": False}
        start = f"{phrase('stream.start', plan=routine_parts(pos))} {phrase('stream.safety')}" if new else ""
        lead = say(reply.lead, start) if reply.lead or start else None
        return Reply(lead, None, True, audio=(play(pos, ctx.kept["stream"], pos.step, ms),))
    if not stream or stream.get("broke"):
        return reply
    if pos is not None and pos.state == State.ACTIVE and ctx.ask is None:
        # A question answered mid-stream (help, time left, what's next...): then the stream again.
        return Reply(reply.ssml, None, True, audio=(play(pos, stream, stream["step"], here),))
    if device.playing:  # paused, stopped, a red flag, a question to answer: the audio stops
        ctx.kept["stream"] = {**stream, "ms": here}
        if ask == Ask.PAUSE:
            return Reply(None, None, True, audio=(STOP,))
        return replace(reply, audio=(STOP,))
    return reply


def _rid(now: datetime) -> str:
    """A routine id: the start time in base 36 and two random letters, so that two starts in
    the same tenth of a second (a replayed request) still get tokens of their own."""
    n, digits = int(now.timestamp() * 10), ""
    while n > 0:
        n, d = divmod(n, 36)
        digits = ALPHABET[d] + digits
    return digits + "".join(ALPHABET[b % 36] for b in os.urandom(2))


def step_by_step(ctx: Ctx) -> Reply:
    """ "Do it step by step": remembered; a routine under way goes on spoken, from this movement."""
    ctx.kept["prefs"] = {**ctx.kept.get("prefs", {}), "mode": STEPS}
    if ctx.pos is not None and ctx.state in (State.ACTIVE, State.PAUSED):
        pos, _ = seq.resume(ctx.pos)
        return play_part(ctx, pos, phrase("stream.steps_now"), welcome=False)
    return answer(ctx, phrase("stream.steps"))


def straight_through(ctx: Ctx) -> Reply:
    """ "Play it straight through": remembered; a routine under way streams from this movement."""
    ctx.kept["prefs"] = {**ctx.kept.get("prefs", {}), "mode": STREAM}
    if isinstance(ctx.kept.get("stream"), dict):
        ctx.kept["stream"] = {**ctx.kept["stream"], "broke": False, "fails": 0}
    if not ctx.device.player:
        return answer(ctx, phrase("stream.cannot_here"))
    if ctx.pos is not None and ctx.state in (State.ACTIVE, State.PAUSED):
        pos, _ = seq.resume(ctx.pos)
        return play_part(ctx, pos, welcome=False)
    return answer(ctx, phrase("stream.straight"))


def not_for_a_routine(ctx: Ctx) -> Reply:
    """Loop and shuffle, which a player skill must accept: a routine has an order."""
    return answer(ctx, phrase("stream.no_loop"))
