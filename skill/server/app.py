"""The Flask app: `POST /alexa` (verified Alexa requests), `GET /health`, and `GET /audio/`
(skill/server/tracks.py) when RECOVERY_COACH_AUDIO_BASE_URL turns streaming on.

`create_app()` is the factory gunicorn serves (`gunicorn -c deploy/gunicorn.conf.py`);
`RECOVERY_COACH_DEV=1` in the environment makes it a dev server, as `--dev` does.
Every failure answers 400 with a JSON error and is logged on one escaped line; a client
can never cause a 500. The trusted roots are loaded here, at start: a server that could
not verify requests refuses to start rather than answer every request with 400.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from skill.alexa import audio
from skill.alexa.adapter import Skill
from skill.alexa.envelope import MAX_DEPTH, BadRequest, for_log, too_deep
from skill.alexa.verify import TrustStoreError, VerificationError, Verifier
from skill.server.cards import cards_blueprint  # GET /cards/<name>.png
from skill.server.tracks import render_ahead, track_store, tracks_blueprint  # GET /audio/<key>.mp3
from skill.store.base import ConfigError, open_store  # beside the stores, so the Lambda entry needs no Flask
from skill.store.write_behind import WriteBehind
from speech.local.engine import DEFAULT_RATE
from speech.local.trackstore import TrackStore

log = logging.getLogger("recovery_coach.app")
MAX_BODY_BYTES = 128 * 1024
DEV_WARNING = (
    "DEV MODE: Alexa request signature and timestamp checks are OFF. Never expose this server to the internet."
)
DEV_ENV = "RECOVERY_COACH_DEV"
to_json = json.JSONEncoder(separators=(",", ":")).encode  # one encoder for every answer, not one each


def dev_from_env() -> bool:
    return os.environ.get(DEV_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def create_app(
    dev: bool = False,
    skill_id: str | None = None,
    db_path: Path | str | None = None,
    verifier: Verifier | None = None,
    skill: Skill | None = None,
    write_behind: bool = True,
    preload_voice: bool = False,
    tracks_ahead: bool = True,
) -> Flask:
    """The app. `write_behind`: saves go to a batched writer (skill/store/write_behind.py)
    that owns their retries, else they are written within the request. With streaming on:
    `preload_voice` loads the tracks' voice at once (gunicorn's workers do); `tracks_ahead`
    renders a routine's tracks once it plays (not for simulators: they fetch none)."""
    dev = dev or dev_from_env()
    skill_id = skill_id or os.environ.get("RECOVERY_COACH_SKILL_ID") or None
    if verifier is None:
        verifier = _verifier(dev, skill_id)
    if not verifier.check_signature:
        log.warning(DEV_WARNING)
    tracks = _tracks(preload_voice)
    if skill is None:
        store = open_store(db_path)
        skill = Skill(
            store=WriteBehind(store) if write_behind else store,
            skill_id=verifier.skill_id,
            on_play=render_ahead(tracks) if tracks is not None and tracks_ahead else None,
        )

    app = Flask("recovery_coach")
    app.config["RECOVERY_COACH_DEV"] = not verifier.check_signature
    app.extensions["recovery_coach.skill"] = skill  # its store, for tests and tools
    if tracks is not None:
        app.extensions["recovery_coach.tracks"] = tracks
        app.register_blueprint(tracks_blueprint(tracks))
    app.register_blueprint(cards_blueprint())  # the movement cards a screen shows

    _routes(app, skill, verifier)
    return app


def _routes(app: Flask, skill: Skill, verifier: Verifier) -> None:
    """GET /health, POST /alexa, and a JSON error for anything HTTP refuses."""

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.post("/alexa")
    def alexa() -> Response | tuple[Response, int]:
        try:
            body = _read_json_body()
            doc = _parse(body)
            verifier.verify(request.headers, body, doc)
            answer = to_json(skill.respond(doc))  # ASCII: lone surrogates too
            return Response(answer, mimetype="application/json")
        except TooLarge as e:
            return _refuse(str(e), 413)
        except (VerificationError, BadRequest) as e:
            return _refuse(str(e))
        except Exception:  # a request we did not foresee must still not become a 500
            log.exception("unexpected failure answering a request")
            return _refuse("the request could not be handled")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> tuple[Response, int]:
        return jsonify(error=e.description), e.code or 400


def _tracks(preload_voice: bool) -> TrackStore | None:
    """The tracks this server makes when streaming is on (None when it is off)."""
    if audio.base_url() is None:
        return None
    tracks = track_store()
    if preload_voice:
        tracks.preload(audio.voice(), DEFAULT_RATE)
    return tracks


def settings_problem() -> str | None:
    """What keeps the app from starting under gunicorn, from its settings alone, in one
    sentence (None: nothing). gunicorn's config checks it before any worker starts."""
    skill_id = os.environ.get("RECOVERY_COACH_SKILL_ID") or None
    if not dev_from_env() and not skill_id:
        return (
            "set RECOVERY_COACH_SKILL_ID to your skill's id (amzn1.ask.skill...), "
            f"or {DEV_ENV}=1 for a local dev server without signature checks"
        )
    if os.environ.get("RECOVERY_COACH_DYNAMODB_TABLE") and not (
        os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    ):
        return "RECOVERY_COACH_DYNAMODB_TABLE is set: also set AWS_DEFAULT_REGION (e.g. us-east-1)"
    try:
        _verifier(dev_from_env(), skill_id)
    except ConfigError as e:
        return str(e)
    return None


def _verifier(dev: bool, skill_id: str | None) -> Verifier:
    if not dev and not skill_id:
        raise ConfigError(
            "set RECOVERY_COACH_SKILL_ID to your skill's id (amzn1.ask.skill...), or use --dev "
            "(RECOVERY_COACH_DEV=1 under gunicorn) for local testing"
        )
    try:
        return Verifier(skill_id=skill_id, check_signature=not dev)
    except TrustStoreError as e:
        raise ConfigError(f"cannot verify Alexa requests: {e}; install the ca-certificates package") from None


class TooLarge(BadRequest):
    """A body over MAX_BODY_BYTES: answered 413, with the same JSON error as any refusal."""


def _refuse(reason: str, status: int = 400) -> tuple[Response, int]:
    log.warning(
        "refused %s %s from %s: %s",
        request.method,
        for_log(request.path, 80),
        for_log(request.remote_addr, 60),
        for_log(reason),
    )
    return jsonify(error=reason), status


def _read_json_body() -> bytes:
    """The body, read from the WSGI environ. Without a length, only a server that ends the
    input itself (gunicorn, for chunked bodies) is read, as werkzeug does."""
    environ = request.environ
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != "application/json":
        raise BadRequest("Content-Type must be application/json")
    try:
        length: int | None = max(0, int(environ.get("CONTENT_LENGTH") or ""))
    except ValueError:
        length = None
    if length is None and not environ.get("wsgi.input_terminated"):
        return b""
    too_large = f"the body is too large (at most {MAX_BODY_BYTES // 1024} KB)"
    if (length or 0) > MAX_BODY_BYTES:
        raise TooLarge(too_large)
    body: bytes = environ["wsgi.input"].read(MAX_BODY_BYTES + 1 if length is None else length)
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(too_large)
    return body


def _parse(body: bytes) -> dict[str, Any]:
    try:
        try:
            doc = json.loads(body.decode())  # Alexa sends UTF-8: no need for json's guess at the encoding
        except ValueError:
            doc = json.loads(body)  # a BOM, UTF-16 or an encoded lone surrogate; or the error to report
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None
    except RecursionError:
        raise BadRequest("the request nests too deeply") from None
    if not isinstance(doc, dict):
        raise BadRequest("the body must be a JSON object (an Alexa request envelope)")
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH and too_deep(doc):  # fewer brackets cannot nest deeper
        raise BadRequest(f"the request nests deeper than {MAX_DEPTH} levels")
    return doc
