"""A local HTTP server that answers as Alexa's Reminders API and Settings API do, for tests:
`POST /v1/alerts/reminders` (201 with an alertToken, 401 without permission, 403 at the
limit, 500 when broken, 400 for a body the API would refuse) and
`GET /v2/devices/{deviceId}/settings/System.timeZone` (a JSON string). It checks the
documented request shape and keeps what it created, on 127.0.0.1, on a port of its own."""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

LOCAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?")  # no zone suffix
DAYS = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
ZONE = "Europe/London"


def problems(body: object) -> list[str]:
    """What the Reminders API would refuse in a create request."""
    if not isinstance(body, dict):
        return ["not an object"]
    out = []
    if not LOCAL_TIME.fullmatch(str(body.get("requestTime", ""))):
        out.append("requestTime")
    trigger = body.get("trigger") or {}
    if trigger.get("type") != "SCHEDULED_ABSOLUTE" or not LOCAL_TIME.fullmatch(str(trigger.get("scheduledTime"))):
        out.append("trigger")
    try:
        ZoneInfo(trigger.get("timeZoneId", ZONE))
    except (ValueError, KeyError):
        out.append("timeZoneId")
    recurrence = trigger.get("recurrence")
    if recurrence is not None and (
        recurrence.get("freq") not in ("DAILY", "WEEKLY") or not set(recurrence.get("byDay", [])) <= DAYS
    ):
        out.append("recurrence")
    content = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or []
    if not content or not all(c.get("locale") and c.get("text") for c in content):
        out.append("alertInfo")
    if (body.get("pushNotification") or {}).get("status") not in ("ENABLED", "DISABLED"):
        out.append("pushNotification")
    return out


class RemindersApi:
    """mode: "allows", "asks" (401 until `allowed` is set), "full" (403), "broken" (500)."""

    def __init__(self, mode: str = "allows", token: str = "test-access-token"):
        self.mode, self.token, self.allowed = mode, token, mode != "asks"
        self.created: list[dict] = []
        self.refused: list[list[str]] = []  # bodies the API would have refused, and why
        self.calls = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, doc: object) -> None:
                raw = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _authorized(self) -> bool:
                return self.headers.get("Authorization") == f"Bearer {api.token}"

            def do_GET(self):
                api.calls += 1
                if not self._authorized():
                    return self._send(401, {"code": "UNAUTHORIZED", "message": "no token"})
                if re.fullmatch(r"/v2/devices/[^/]+/settings/System\.timeZone", self.path):
                    return self._send(200, ZONE)
                return self._send(404, {"code": "NOT_FOUND", "message": self.path})

            def do_POST(self):
                api.calls += 1
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
                if self.path != "/v1/alerts/reminders":
                    return self._send(404, {"code": "NOT_FOUND", "message": self.path})
                if not self._authorized() or not api.allowed:
                    return self._send(401, {"code": "UNAUTHORIZED", "message": "the user has not granted permission"})
                if api.mode == "full":
                    return self._send(403, {"code": "MAX_REMINDERS_EXCEEDED", "message": "limit reached"})
                if api.mode == "broken":
                    return self._send(500, {"code": "INTERNAL_SERVER_ERROR", "message": "broken on purpose"})
                wrong = problems(body)
                if wrong:
                    api.refused.append(wrong)
                    return self._send(400, {"code": "INVALID_REQUEST", "message": ", ".join(wrong)})
                api.created.append(body)
                token = str(uuid.uuid4())
                return self._send(
                    201,
                    {
                        "alertToken": token,
                        "createdTime": body["requestTime"],
                        "status": "ON",
                        "version": "1",
                        "href": f"/v1/alerts/reminders/{token}",
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> RemindersApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
