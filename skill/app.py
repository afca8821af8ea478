"""The Flask app: `POST /alexa` (verified Alexa requests) and `GET /health`.

`create_app()` is the factory gunicorn serves (`gunicorn 'skill.app:create_app()'`).
Every failure answers 400 with a JSON error and is logged; a client can never cause a 500.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from skill.alexa import BadRequest, Skill
from skill.tracks_route import tracks_blueprint  # GET /audio/<key>.mp3
from skill.verify import VerificationError, Verifier

log = logging.getLogger("recovery_coach.app")
MAX_BODY_BYTES = 128 * 1024
DEV_WARNING = ("DEV MODE: Alexa request signature and timestamp checks are OFF. "
               "Never expose this server to the internet.")


class ConfigError(RuntimeError):
    """The server cannot start as configured; the message says what to set."""


def create_app(dev: bool = False, skill_id: str | None = None, db_path: Path | str | None = None,
               verifier: Verifier | None = None) -> Flask:
    skill_id = skill_id or os.environ.get("RECOVERY_COACH_SKILL_ID") or None
    if verifier is None:
        if not dev and not skill_id:
            raise ConfigError("set RECOVERY_COACH_SKILL_ID to your skill's id (amzn1.ask.skill...), "
                              "or use --dev for local testing")
        verifier = Verifier(skill_id=skill_id, check_signature=not dev)
    if not verifier.check_signature:
        log.warning(DEV_WARNING)
    skill = Skill(db_path, skill_id=verifier.skill_id)

    app = Flask("recovery_coach")
    app.config["RECOVERY_COACH_DEV"] = not verifier.check_signature
    app.register_blueprint(tracks_blueprint())

    def refuse(reason: str) -> tuple[Response, int]:
        log.warning("refused %s %s from %s: %s", request.method, request.path, request.remote_addr, reason)
        return jsonify(error=reason), 400

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.post("/alexa")
    def alexa():
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return refuse("the body is too large")
        body = request.stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return refuse("the body is too large")
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return refuse("the body is not valid JSON")
        try:
            if not isinstance(doc, dict):
                raise BadRequest("the body must be a JSON object (an Alexa request envelope)")
            verifier.verify(request.headers, body, doc)
            return jsonify(skill.respond(doc))
        except (VerificationError, BadRequest) as e:
            return refuse(str(e))
        except Exception:  # a request we did not foresee must still not become a 500
            log.exception("unexpected failure answering a request")
            return refuse("the request could not be handled")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        return jsonify(error=e.description), e.code

    return app
