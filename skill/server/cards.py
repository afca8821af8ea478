"""`GET /cards/<name>.png`: a movement's card (speech/local/cards.py), the picture a screen's
player shows while that step plays, named in each Play's metadata beside the track.

Only names of cards the coach draws are answered (anything else is 404 without drawing);
there are two per movement, each drawn once per process. A name covers everything drawn,
so answers carry a strong ETag and a year of public, immutable caching.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from speech.local.cards import ROUTE, parse, png

ONE_YEAR = 365 * 24 * 3600


def cards_blueprint() -> Blueprint:
    bp = Blueprint("cards", __name__)

    @bp.get(f"{ROUTE}/<name>")  # HEAD too
    def card(name: str) -> Response | tuple[Response, int]:
        found = parse(name)
        if found is None:
            return jsonify(error="no such card"), 404
        movement, size = found
        etag = name.removesuffix(".png").rsplit("-", 1)[1]
        if request.if_none_match.contains(etag):
            out = Response(status=304)
        else:
            out = Response(png(movement.id, size.kind), mimetype="image/png")
        out.set_etag(etag)
        out.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return out

    return bp
