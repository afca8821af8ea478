"""The player's events (AudioPlayer.*) and its buttons (PlaybackController.*).

They come with no session and must be answered with AudioPlayer directives only (no
speech), so each reads the user's kept data, moves the place (`pos`, and `stream`: see
skill/coach/stream.py) and returns the directives; the adapter saves the kept data if it
changed. An event about a track that is neither playing nor enqueued is stale: ignored.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from skill.coach import memory
from skill.coach.context import Device
from skill.store.base import Store, StoreError, user_id
from skill.coach.stream import STOP, play, token
from speech import sequencer as seq
from speech.sequencer import Position
from speech.states import State

Directives = list[dict[str, Any]]


def player_answer(env, name: str, store: Store) -> Directives:
    """The directives answering a player request (an SDK RequestEnvelope). The kept data is
    read, moved and saved; a store fault answers with nothing (the player carries on as it
    is) and a failed save is only logged (by the store): the place is a step behind at worst."""
    req, uid = env.request, user_id(env)
    try:
        kept = memory.migrate(store.get(uid))
    except StoreError:
        return []
    before = copy.deepcopy(kept)
    state = getattr(req, "current_playback_state", None)  # PlaybackFailed's
    ms = _whole(getattr(req, "offset_in_milliseconds", None)) or _whole(getattr(state, "offset_in_milliseconds", None))
    stamp = req.timestamp if isinstance(req.timestamp, datetime) else datetime.now(UTC)
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    event_token = getattr(req, "token", None)
    event_token = event_token if isinstance(event_token, str) else None
    directives = on_event(name, event_token, ms, kept, device_of(env), stamp)
    if kept != before:
        try:
            store.put(uid, kept)
        except StoreError:
            pass
    return directives


def _whole(value: object) -> int:
    """A millisecond offset as Alexa sends it (the SDK does not check its type), else 0."""
    return value if type(value) is int and 0 <= value < 10**9 else 0


def device_of(env) -> Device:
    """The device's audio player, as a request envelope describes it."""
    system = env.context.system if env.context else None
    interfaces = getattr(getattr(system, "device", None), "supported_interfaces", None)
    player = env.context.audio_player if env.context else None
    activity = getattr(getattr(player, "player_activity", None), "value", None)
    offset = _whole(getattr(player, "offset_in_milliseconds", None))
    playing_token = getattr(player, "token", None)
    return Device(
        player=getattr(interfaces, "audio_player", None) is not None,
        token=playing_token if isinstance(playing_token, str) else None,
        offset_ms=offset,
        playing=activity == "PLAYING",
    )


def on_event(
    kind: str, event_token: str | None, ms: int, kept: dict[str, Any], device: Device, now: datetime
) -> Directives:
    """Follow one player request; `kept` is changed in place."""
    stream = kept.get("stream")
    pos = seq.from_attributes(kept.get("pos"))
    if not isinstance(stream, dict) or not isinstance(stream.get("step"), int) or pos is None:
        return []  # no stream of ours under way (finished, forgotten, or never started)
    if not 0 <= stream["step"] < pos.step_count:
        return []
    if kind.startswith("PlaybackController."):
        return _button(kind.removeprefix("PlaybackController.").removesuffix("CommandIssued"), kept, pos, device, now)
    step = stream["step"]
    current = token(stream, step)
    queued = token(stream, step + 1) if stream.get("next") else None
    if event_token is None or event_token not in (current, queued):
        return []
    event = kind.removeprefix("AudioPlayer.")
    if event == "PlaybackStarted":
        if event_token == queued:
            _move(kept, pos, step + 1, now)
        return []
    if event == "PlaybackNearlyFinished":
        if event_token == current and not stream.get("next") and step + 1 < pos.step_count:
            stream["next"] = True
            return [play(pos, stream, step + 1, enqueue=True)]
        return []
    if event == "PlaybackFinished":
        if event_token == current and step + 1 >= pos.step_count:
            _finish(kept, pos, now)
        elif event_token == current and not stream.get("next"):
            _move(kept, pos, step + 1, now)  # nothing was enqueued: a resume starts there
        return []
    if event == "PlaybackStopped":
        if event_token == current:
            stream["ms"] = max(0, ms)
        return []
    if event == "PlaybackFailed":
        return _failed(kept, pos, event_token == queued, ms, now)
    return []


def _failed(kept: dict[str, Any], pos: Position, was_queued: bool, ms: int, now: datetime) -> Directives:
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


def _button(command: str, kept: dict[str, Any], pos: Position, device: Device, now: datetime) -> Directives:
    """A button on the device: what the voice command of the same name does, without speech."""
    stream = kept["stream"]
    step = stream["step"]
    here = device.offset_ms if device.token == token(stream, step) else int(stream.get("ms", 0))
    if command == "Play":
        stream.update(broke=False, fails=0, next=False)
        return [play(pos, stream, step, here)]
    if command == "Pause":
        stream["ms"] = here
        return [STOP]
    if command == "Next" and step + 1 < pos.step_count:
        _move(kept, pos, step + 1, now)
        return [play(pos, stream, step + 1)]
    if command == "Previous":
        _move(kept, pos, max(step - 1, 0), now)
        return [play(pos, stream, max(step - 1, 0))]
    return []


def _move(kept: dict[str, Any], pos: Position, step: int, now: datetime) -> None:
    """The place is now `step`, from its start (kept paused: that is how a launch offers it)."""
    kept["stream"].update(step=step, ms=0, next=False, fails=0)
    kept["pos"] = seq.to_attributes(replace(pos, step=step, part=0, state=State.PAUSED))
    kept["pos_at"] = int(now.timestamp())


def _finish(kept: dict[str, Any], pos: Position, now: datetime) -> None:
    memory.record_finished(kept, pos, now.date())
    kept["pos"], kept["pos_at"], kept["stream"] = None, None, None
