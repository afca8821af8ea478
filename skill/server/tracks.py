"""`GET /audio/<key>.mp3`: a step's track as MP3, which Alexa's AudioPlayer streams from
RECOVERY_COACH_AUDIO_BASE_URL + `speech.local.trackkey.track_path(...)`.

The key names the track's plan inputs, step, voice and rate, with a digest. Only tracks the
skill itself would ask for are made: the skill's voice and rate (RECOVERY_COACH_AUDIO_VOICE,
and the rate the scripts are timed for), or those an operator lists in VOICES_ENV and
RATES_ENV; anything else, and anything that is not the canonical key of such a track, is
404 without rendering, so no client can make it render something unknown or touch a path
outside the cache. Renders queue as speech.local.trackstore says; a request beyond the
queue, or one whose turn does not come in time, is 503 with Retry-After.

When the skill sends a step's track to a player, the rest of the routine is rendered ahead
(`render_ahead`, speech.local.trackstore), so each track is made before the player asks;
that starts once the track sent is made (or after a few seconds), so the track the player
fetches first has the cores to itself.

A track not made yet is sent as it is rendered (chunked, from the first cue's clip on), and
the finished file is served from the cache after that.

Answers carry a strong ETag (the key's digest: the audio never changes under a key), a year
of public caching, Range (206) and If-None-Match (304) support. HEAD never renders: for a
track not rendered yet it is 503 with Retry-After and `no-store`, which a CDN does not keep
(a 404 it might, for a track a GET is about to make), and a player fetching with GET never
sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_file

from content.planner import PlanInputs
from skill.alexa import audio
from skill.store.base import ConfigError
from speech.local.engine import DEFAULT_RATE
from speech.local.trackkey import ROUTE, TrackRef, rate_in_range
from speech.local.trackstore import Busy, Full, TrackStore
from speech.script import script_for

ONE_YEAR = 365 * 24 * 3600
VOICES_ENV = "RECOVERY_COACH_AUDIO_VOICES"
RATES_ENV = "RECOVERY_COACH_AUDIO_RATES"
RETRY_AFTER = "5"  # seconds: a render takes a few at most


@dataclass(frozen=True)
class Served:
    """The voices and rates this server renders tracks in."""

    voices: frozenset[str]
    rates: frozenset[int]

    @classmethod
    def from_env(cls) -> Served:
        """The skill's voice and rate, and any more the operator lists (comma-separated)."""
        voices = {audio.voice(), *_listed(VOICES_ENV)}
        rates = {DEFAULT_RATE}
        for word in _listed(RATES_ENV):
            if not (word.isdigit() and rate_in_range(int(word))):
                raise ConfigError(f"{RATES_ENV} lists {word!r}: rates are whole words a minute from 80 to 450")
            rates.add(int(word))
        return cls(frozenset(voices), frozenset(rates))


def _listed(name: str) -> list[str]:
    return [word.strip() for word in os.environ.get(name, "").split(",") if word.strip()]


def track_store() -> TrackStore:
    """The tracks this server makes: the voices and rates in Served."""
    served = Served.from_env()
    return TrackStore(voices=served.voices, rates=served.rates)


def render_ahead(store: TrackStore) -> Callable[[PlanInputs, int], None]:
    """What the skill calls when it sends a step's track to the player: the steps after it,
    in the skill's voice and rate (the tracks the player will ask for next), rendered ahead."""
    voice = audio.voice()

    def rest_of_routine(inputs: PlanInputs, step: int) -> None:
        steps = len(script_for(inputs).steps)
        now = TrackRef(inputs, step, voice, DEFAULT_RATE)  # the track the player fetches first
        store.ahead((TrackRef(inputs, later, voice, DEFAULT_RATE) for later in range(step + 1, steps)), after=now)

    return rest_of_routine


def tracks_blueprint(store: TrackStore | None = None) -> Blueprint:
    """The /audio route, serving `store` (by default track_store())."""
    if store is None:
        store = track_store()
    bp = Blueprint("tracks", __name__)

    @bp.get(f"{ROUTE}/<name>")  # HEAD too
    def track(name: str) -> Response | tuple[Response, int]:
        key = name.removesuffix(".mp3")
        ref = store.parse(key) if name.endswith(".mp3") else None
        if ref is None:
            return jsonify(error="no such track"), 404
        if request.method == "HEAD":
            path = store.cached(ref)
            if path is None:
                return _later("the track is made when it is first fetched with GET")
        else:
            try:
                made = store.track(ref)
            except Full:
                return _later("too many tracks are being made; try again shortly")
            except Busy:
                return _later("the track is being made; try again shortly")
            if not isinstance(made, Path):
                return _mp3_as_made(made, etag=key.rsplit(".", 1)[1])
            path = made
        try:
            return _mp3(path, etag=key.rsplit(".", 1)[1])
        except FileNotFoundError:  # dropped from the cache (to keep its bound) just now
            return _later("the track is being made; try again shortly")

    return bp


def _later(reason: str) -> tuple[Response, int]:
    response = jsonify(error=reason)
    response.headers["Retry-After"] = RETRY_AFTER
    response.headers["Cache-Control"] = "no-store"
    return response, 503


def _mp3_as_made(pieces: Iterator[bytes], etag: str) -> Response:
    """A track sent while it is rendered: chunked, no length or ranges yet (a Range request
    gets the whole track, as HTTP allows), the same ETag and caching as the finished file."""
    response = Response(pieces, mimetype="audio/mpeg", direct_passthrough=True)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


def _mp3(path: Path, etag: str) -> Response:
    response = send_file(
        path,
        mimetype="audio/mpeg",
        conditional=True,
        etag=etag,
        max_age=ONE_YEAR,
        last_modified=None,
    )
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["Accept-Ranges"] = "bytes"
    return response
