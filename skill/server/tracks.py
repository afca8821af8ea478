"""`GET /audio/<key>.mp3`: a step's track as MP3, which Alexa's AudioPlayer streams from
RECOVERY_COACH_AUDIO_BASE_URL + `speech.local.trackkey.track_path(...)`.

The key names the track's plan inputs, step, voice and rate, with a digest; anything that is
not the canonical key of a track this server can make is 404, so a client can never make it
render something unknown or touch a path outside the cache. Answers carry a strong ETag (the
key's digest: the audio never changes under a key), a year of public caching, Range (206) and
If-None-Match (304) support; a miss is rendered once while other requests for it wait.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, send_file

from speech.local.trackkey import ROUTE
from speech.local.trackstore import Busy, TrackStore

log = logging.getLogger("recovery_coach.tracks")
ONE_YEAR = 365 * 24 * 3600


def tracks_blueprint(store: TrackStore | None = None) -> Blueprint:
    bp = Blueprint("tracks", __name__)
    state: dict[str, TrackStore] = {}

    def the_store() -> TrackStore:
        if "store" not in state:  # made on first use: the cache directory is read then
            state["store"] = store or TrackStore()
        return state["store"]

    @bp.get(f"{ROUTE}/<name>")
    def track(name: str) -> Response | tuple[Response, int]:
        key = name.removesuffix(".mp3")
        ref = the_store().parse(key) if name.endswith(".mp3") else None
        if ref is None:
            return jsonify(error="no such track"), 404
        try:
            path = the_store().file(ref)
        except Busy:
            response = jsonify(error="the track is being rendered; try again shortly")
            response.headers["Retry-After"] = "5"
            return response, 503
        response = send_file(
            path,
            mimetype="audio/mpeg",
            conditional=True,
            etag=key.rsplit(".", 1)[1],
            max_age=ONE_YEAR,
            last_modified=None,
        )
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        response.headers["Accept-Ranges"] = "bytes"
        return response

    return bp
