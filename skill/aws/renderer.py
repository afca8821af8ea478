"""The renderer Lambda: `handler(event, context)` answers its Function URL with the same
`GET /audio/<key>.mp3` and `GET /cards/<name>.png` as the self-hosted server, and renders
the tracks an invoke lists (`{"ahead": [key, ...]}`, sent by the skill's Lambda when a
routine starts playing) into the bucket.

What must stay true:
- A key is checked by the track store's own parse (speech.local.trackstore), in the skill's
  voice and rate only: anything else is 404 without rendering, and nothing is written.
- A track or card in the bucket is answered with a redirect to its public HTTPS URL; one not
  there yet is made, put in the bucket, and sent in the answer itself.
- A track is rendered once, whoever asks: the bucket's claim (bucket.py) across containers,
  the track store's file lock within one. A request that finds another container rendering
  it waits up to WAIT_S for the bucket, then is 503 with Retry-After.
- HEAD never renders. Bad input gets a JSON error, never a traceback.

Configuration (set by deploy/template.yaml): RECOVERY_COACH_TRACKS_BUCKET, the bucket;
RECOVERY_COACH_TRACKS_URL, its public HTTPS origin; RECOVERY_COACH_AUDIO_VOICE, the voice
(the neural one by default); RECOVERY_COACH_CACHE_DIR, a folder under /tmp.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from skill.aws.bucket import Bucket
from speech.local.engine import DEFAULT_RATE
from speech.local.piper_engine import VOICE_ID
from speech.local.trackkey import ROUTE, TrackRef
from speech.local.trackstore import Busy, TrackStore

BUCKET_ENV, URL_ENV = "RECOVERY_COACH_TRACKS_BUCKET", "RECOVERY_COACH_TRACKS_URL"
VOICE_ENV = "RECOVERY_COACH_AUDIO_VOICE"  # the skill's (skill/alexa/audio.py): the tracks it asks for
CARDS = "/cards"
WAIT_S = 20.0  # how long a request waits for a track another container is rendering
MAX_BODY = 4 * 1024 * 1024  # bytes sent in an answer; a Function URL answers at most 6 MB (base64 grows it by 4/3)
FOREVER = "public, max-age=31536000, immutable"  # a key's audio or picture never changes
MP3, PNG = "audio/mpeg", "image/png"

log = logging.getLogger("recovery_coach.aws")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""

    def event(self) -> dict[str, Any]:
        """The answer as a Function URL (or API Gateway HTTP API) response."""
        binary = self.headers.get("Content-Type") in (MP3, PNG)
        text = base64.b64encode(self.body).decode() if binary else self.body.decode()
        return {"statusCode": self.status, "headers": self.headers, "body": text, "isBase64Encoded": binary}


def error(status: int, reason: str, **headers: str) -> Answer:
    return Answer(status, {"Content-Type": "application/json", **headers}, json.dumps({"error": reason}).encode())


@functools.cache
def parts() -> tuple[TrackStore, Bucket]:
    """The track store and bucket of this container, made on its first request."""
    voice = os.environ.get(VOICE_ENV, "").strip() or VOICE_ID
    store = TrackStore(voices=frozenset({voice}), rates=frozenset({DEFAULT_RATE}))
    return store, Bucket(os.environ[BUCKET_ENV], os.environ[URL_ENV])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if isinstance(event.get("ahead"), list):
        return {"rendered": render_ahead([k for k in event["ahead"] if isinstance(k, str)])}
    http = (event.get("requestContext") or {}).get("http") or {}
    if not isinstance(event.get("rawPath"), str) or http.get("method") not in ("GET", "HEAD"):
        return error(400, "ask for /audio/<key>.mp3 or /cards/<name>.png with GET").event()
    try:
        return answer(event["rawPath"], head=http["method"] == "HEAD").event()
    except Busy:  # this container's lock did not come free in time
        return error(503, "the track is being made; try again shortly", **later()).event()
    except Exception:  # the bucket or a render failed: said in the log, a short JSON answer to the player
        log.exception("answering %.120s failed", event["rawPath"])
        return error(503, "the track could not be made just now; try again shortly", **later()).event()


def answer(path: str, head: bool) -> Answer:
    folder, _, name = path.rpartition("/")
    if folder == CARDS:
        return card(name, head)
    store, bucket = parts()
    ref = store.parse(name.removesuffix(".mp3")) if folder == ROUTE and name.endswith(".mp3") else None
    if ref is None:
        return error(404, "no such track")
    key = ref.path.lstrip("/")
    if bucket.has(key):
        return redirect(bucket.url(key))
    if head:
        return error(503, "the track is made when it is first fetched with GET", **later())
    if not bucket.claim(key):
        if bucket.wait_for(key, WAIT_S):
            return redirect(bucket.url(key))
        return error(503, "the track is being made; try again shortly", **later())
    try:
        body = make(store, bucket, ref, key)
    finally:
        bucket.release(key)
    if len(body) > MAX_BODY:
        return redirect(bucket.url(key))
    return Answer(200, {"Content-Type": MP3, "Cache-Control": FOREVER, "ETag": f'"{ref.key.rsplit(".", 1)[1]}"'}, body)


def make(store: TrackStore, bucket: Bucket, ref: TrackRef, key: str) -> bytes:
    """Render the track (or read it from this container's cache) and put it in the bucket."""
    body = store.file(ref).read_bytes()
    bucket.put(key, body, MP3, FOREVER)
    return body


def card(name: str, head: bool) -> Answer:
    from speech.local.cards import parse, png

    found = parse(name)
    if found is None:
        return error(404, "no such card")
    _, bucket = parts()
    key = f"{CARDS}/{name}".lstrip("/")
    if bucket.has(key):
        return redirect(bucket.url(key))
    movement, size = found
    body = png(movement.id, size.kind)  # a card is drawn in a moment: no claim needed
    bucket.put(key, body, PNG, FOREVER)
    return Answer(200, {"Content-Type": PNG, "Cache-Control": FOREVER}, b"" if head else body)


def render_ahead(keys: list[str]) -> int:
    """Render each track these keys name that the bucket lacks, in order; how many were made.
    A key that names no track, or one being rendered elsewhere, is passed over."""
    store, bucket = parts()
    made = 0
    for name in keys:
        ref = store.parse(name)
        if ref is None:
            log.warning("asked to render ahead something that is no track: %.80s", name)
            continue
        try:
            made += render_one(store, bucket, ref)
        except Busy:  # this container's lock: rendered by another request here
            pass
        except Exception:  # the player's request makes it (or says why not)
            log.exception("rendering %s ahead failed", ref.path)
    return made


def render_one(store: TrackStore, bucket: Bucket, ref: TrackRef) -> int:
    """1 when this rendered the track into the bucket, 0 when it is there or being rendered."""
    key = ref.path.lstrip("/")
    if bucket.has(key) or not bucket.claim(key):
        return 0
    try:
        make(store, bucket, ref, key)
    finally:
        bucket.release(key)
    return 1


def redirect(url: str) -> Answer:
    return Answer(302, {"Location": url, "Cache-Control": FOREVER})


def later() -> dict[str, str]:
    return {"Retry-After": "5", "Cache-Control": "no-store"}
