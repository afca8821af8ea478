"""Sending the skill's requests to a server over HTTP, as `chat --url` does, with what
can go wrong said in one sentence (`Unreachable`) rather than a traceback."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

Transport = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
TIMEOUT_S = 10


class Unreachable(RuntimeError):
    """The server could not be asked, or did not answer as a skill does: one sentence."""


def check_url(url: str) -> str:
    """The URL, or ValueError with a sentence saying what is wrong with it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expects a URL like http://127.0.0.1:5000/alexa, not '{url}'")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        raise ValueError(f"'{url}' has a port that is not a number from 1 to 65535") from None
    return url


def over_http(url: str) -> Transport:
    def send(doc: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        req = urllib.request.Request(
            url, data=json.dumps(doc).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
                return r.status, _json(r.read(), url)
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read() or b"{}")
            except ValueError:
                return e.code, {}
        except urllib.error.URLError as e:
            if isinstance(e.reason, socket.gaierror):
                raise Unreachable(f"cannot reach {url}: there is no such host; check the address") from None
            hint = "is the server running? Start one with `make run` or `recovery-coach serve --dev`"
            raise Unreachable(f"cannot reach {url} ({_reason(e.reason)}); {hint}") from None
        except TimeoutError:
            raise Unreachable(f"{url} did not answer within {TIMEOUT_S} seconds") from None
        except (OSError, http.client.HTTPException) as e:
            raise Unreachable(f"the connection to {url} failed ({_reason(e)})") from None

    return send


def _json(body: bytes, url: str) -> dict[str, Any]:
    try:
        doc = json.loads(body or b"{}")
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise Unreachable(f"{url} did not answer with an Alexa response (is it the skill's /alexa address?)")
    return doc


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "no such host"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT_S} seconds"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
