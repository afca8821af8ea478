"""The player's events (a track started, nearly finished, finished, stopped, failed) and
its buttons (play, pause, next, previous), in the coach's words.

They come with no session and no speech, so each reads the user's kept data, moves the
place (`pos`, and `stream`: see skill/coach/stream.py) and answers with `Audio` only; the
front end saves the result as it saves any turn (`settle`). An event about a track that is
neither playing nor enqueued is stale: ignored.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from skill.coach import kept as keeping
from skill.coach.context import Device
from skill.coach.replies import Reply
from skill.coach.stream import STOP, Audio, play, token
from skill.coach.turn import TurnResult
from speech import sequencer as seq
from speech.sequencer import Position
from speech.states import State


class PlayerEvent(StrEnum):
    """What the player reports, or which of its buttons was pressed."""

    STARTED = "started"
    NEARLY_FINISHED = "nearly-finished"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    PLAY = "play"  # the buttons
    PAUSE = "pause"
    NEXT = "next"
    PREVIOUS = "previous"


BUTTONS = (PlayerEvent.PLAY, PlayerEvent.PAUSE, PlayerEvent.NEXT, PlayerEvent.PREVIOUS)


def player_turn(
    event: PlayerEvent, event_token: str | None, ms: int, saved: object, device: Device, now: datetime
) -> TurnResult:
    """Follow one player event for a user whose kept data is `saved`; `ms` is the track's
    offset the event reports. The result is saved like any turn's (no session to carry)."""
    kept = keeping.migrate(saved)
    before = copy.deepcopy(kept)
    audio = on_event(event, event_token, ms, kept, device, now)
    return TurnResult(
        Reply(None, audio=tuple(audio)), {}, keeping.stamp(before, kept, int(now.timestamp())), write=kept != before
    )


def on_event(
    kind: PlayerEvent, event_token: str | None, ms: int, kept: dict[str, Any], device: Device, now: datetime
) -> list[Audio]:
    """Follow one player request; `kept` is changed in place."""
    stream = kept.get("stream")
    pos = seq.from_attributes(kept.get("pos"))
    if not isinstance(stream, dict) or not isinstance(stream.get("step"), int) or pos is None:
        return []  # no stream of ours under way (finished, forgotten, or never started)
    if not 0 <= stream["step"] < pos.step_count:
        return []
    if kind in BUTTONS:
        return _button(kind, kept, pos, device, now)
    step = stream["step"]
    current = token(stream, step)
    queued = token(stream, step + 1) if stream.get("next") else None
    if event_token is None or event_token not in (current, queued):
        return []
    if kind == PlayerEvent.STARTED:
        if event_token == queued:
            _move(kept, pos, step + 1, now)
        return []
    if kind == PlayerEvent.NEARLY_FINISHED:
        if event_token == current and not stream.get("next") and step + 1 < pos.step_count:
            stream["next"] = True
            return [play(pos, stream, step + 1, enqueue=True)]
        return []
    if kind == PlayerEvent.FINISHED:
        if event_token == current and step + 1 >= pos.step_count:
            _finish(kept, pos, now)
        elif event_token == current and not stream.get("next"):
            _move(kept, pos, step + 1, now)  # nothing was enqueued: a resume starts there
        return []
    if kind == PlayerEvent.STOPPED:
        if event_token == current:
            stream["ms"] = max(0, ms)
        return []
    if kind == PlayerEvent.FAILED:
        return _failed(kept, pos, event_token == queued, ms, now)
    return []


def _failed(kept: dict[str, Any], pos: Position, was_queued: bool, ms: int, now: datetime) -> list[Audio]:
    """A track that would not play is tried once more; a second failure stops the stream,
    and the next launch says so and offers the spoken routine."""
    stream = kept["stream"]
    if was_queued:
        _move(kept, pos, stream["step"] + 1, now)
        ms = 0
    stream["fails"] = int(stream.get("fails", 0)) + 1
    if stream["fails"] <= 1:
        return [play(pos, stream, stream["step"], ms)]
    stream["broke"], stream["ms"] = True, max(0, ms)
    return []


def _button(command: PlayerEvent, kept: dict[str, Any], pos: Position, device: Device, now: datetime) -> list[Audio]:
    """A button on the device: what the voice command of the same name does, without speech."""
    stream = kept["stream"]
    step = stream["step"]
    here = device.offset_ms if device.token == token(stream, step) else int(stream.get("ms", 0))
    if command == PlayerEvent.PLAY:
        stream.update(broke=False, fails=0, next=False)
        return [play(pos, stream, step, here)]
    if command == PlayerEvent.PAUSE:
        stream["ms"] = here
        return [STOP]
    if command == PlayerEvent.NEXT and step + 1 < pos.step_count:
        _move(kept, pos, step + 1, now)
        return [play(pos, stream, step + 1)]
    if command == PlayerEvent.PREVIOUS:
        _move(kept, pos, max(step - 1, 0), now)
        return [play(pos, stream, max(step - 1, 0))]
    return []


def _move(kept: dict[str, Any], pos: Position, step: int, now: datetime) -> None:
    """The place is now `step`, from its start (kept paused: that is how a launch offers it)."""
    kept["stream"].update(step=step, ms=0, next=False, fails=0)
    kept["pos"] = seq.to_attributes(replace(pos, step=step, part=0, state=State.PAUSED))
    kept["pos_at"] = int(now.timestamp())


def _finish(kept: dict[str, Any], pos: Position, now: datetime) -> None:
    keeping.record_finished(kept, pos, now.date())
    kept["pos"], kept["pos_at"], kept["stream"] = None, None, None
