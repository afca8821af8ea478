"""The coach's `Reminder` through the Alexa Reminders API, and the voice permission for it.

`POST {apiEndpoint}/v1/alerts/reminders` with `Authorization: Bearer {apiAccessToken}` (only
in session): a SCHEDULED_ABSOLUTE trigger in the device's local time (its time zone from the
Settings API, `GET /v2/devices/{deviceId}/settings/System.timeZone`; UTC when that fails),
weekly ones with a recurrence. 201 is set; 401 means no permission, and the skill asks for
it by voice (`Connections.StartConnection` to AskForPermissionsConsent/2, whose answer comes
back as a `SessionResumedRequest` with the token given, the session's attributes kept); 403
is the limit; anything else (5xx, a timeout, no answer) failed. Each call waits at most
TIMEOUT_S.

Requests go only to Amazon's API hosts over HTTPS, or to the one origin an operator names in
API_ENV (a local server that answers as the API does, for tests): in dev mode requests are
not verified, and their apiEndpoint must not send the server anywhere.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skill.coach.reminders import Outcome, Reminder, alert_text

if TYPE_CHECKING:
    from ask_sdk_model.directive import Directive

PATH = "/v1/alerts/reminders"
TIME_ZONE_PATH = "/v2/devices/{device}/settings/System.timeZone"
PERMISSION = "alexa::alerts:reminders:skill:readwrite"
CONSENT_URI = "connection://AMAZON.AskForPermissionsConsent/2"
API_ENV = "RECOVERY_COACH_ALEXA_API"  # another API origin to allow (a local test server)
TIMEOUT_S = 2.0
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
OUTCOMES = {200: Outcome.SET, 201: Outcome.SET, 401: Outcome.NO_PERMISSION, 403: Outcome.LIMIT}


@dataclass(frozen=True)
class Api:
    """What a request gives for calling Alexa's APIs."""

    endpoint: str
    token: str | None
    device: str | None
    locale: str


def api_of(env: Any) -> Api:
    system = env.context.system
    device = getattr(getattr(system, "device", None), "device_id", None)
    token = getattr(system, "api_access_token", None)
    locale = getattr(env.request, "locale", None)
    return Api(
        str(getattr(system, "api_endpoint", "") or ""),
        token if isinstance(token, str) and token else None,
        device if isinstance(device, str) else None,
        locale if isinstance(locale, str) else "en-US",
    )


def allowed_origin(endpoint: str) -> bool:
    """Amazon's API hosts over HTTPS, or the origin API_ENV names."""
    url = urllib.parse.urlsplit(endpoint)
    if endpoint and endpoint.rstrip("/") == os.environ.get(API_ENV, "").strip().rstrip("/"):
        return True
    host = url.hostname or ""
    return url.scheme == "https" and url.port in (None, 443) and host.endswith(".amazonalexa.com") and not url.path


def _call(api: Api, method: str, path: str, body: object = None) -> tuple[int, Any]:
    """(status, parsed JSON or None); status 0 when nothing usable came back."""
    if not allowed_origin(api.endpoint) or api.token is None:
        return 0, None
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {api.token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(api.endpoint.rstrip("/") + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
            status, raw = r.status, r.read(65536)
    except urllib.error.HTTPError as e:
        status, raw = e.code, b""
    except (OSError, ValueError):  # refused, timed out, a broken answer
        return 0, None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


@dataclass(frozen=True)
class Zone:
    """A time zone's id, as the Reminders API takes it, and the zone itself."""

    key: str
    info: tzinfo


UTC_ZONE = Zone("UTC", UTC)  # with no time zone database at all (a bare Lambda image), too


def time_zone(api: Api) -> Zone:
    """The device's time zone, or UTC when the Settings API does not say (or the zone is unknown here)."""
    if api.device is None:
        return UTC_ZONE
    status, name = _call(api, "GET", TIME_ZONE_PATH.format(device=urllib.parse.quote(api.device, safe="")))
    if status != 200 or not isinstance(name, str) or not name:
        return UTC_ZONE
    try:
        return Zone(name, ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def first_day(reminder: Reminder, local: datetime) -> date:
    """The reminder's first date: tomorrow, or the next such weekday (today if still ahead)."""
    if reminder.day is None:
        return local.date() + timedelta(days=1)
    ahead = (reminder.day - local.weekday()) % 7
    if ahead == 0 and local.time() >= time(reminder.hour, reminder.minute):
        ahead = 7
    return local.date() + timedelta(days=ahead)


def request_body(reminder: Reminder, now: datetime, zone: Zone, locale: str) -> dict[str, Any]:
    """The Reminders API's request: local time without a zone suffix, and the zone's id."""
    at = datetime.combine(first_day(reminder, now.astimezone(zone.info)), time(reminder.hour, reminder.minute))
    trigger: dict[str, Any] = {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": at.strftime("%Y-%m-%dT%H:%M:%S.000"),
        "timeZoneId": zone.key,
    }
    if reminder.weekly and reminder.day is not None:
        trigger["recurrence"] = {"freq": "WEEKLY", "byDay": [WEEKDAYS[reminder.day]]}
    return {
        "requestTime": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000"),
        "trigger": trigger,
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": alert_text()}]}},
        "pushNotification": {"status": "ENABLED"},
    }


def create(api: Api, reminder: Reminder, now: datetime) -> Outcome:
    """Set the reminder; how it went."""
    status, _ = _call(api, "POST", PATH, request_body(reminder, now, time_zone(api), api.locale))
    return OUTCOMES.get(status, Outcome.FAILED)


def ask_permission(reminder: Reminder) -> Directive:
    """Alexa asks the person to allow reminders; the answer comes back with this token."""
    from ask_sdk_model.interfaces.connections.v1.start_connection_directive import StartConnectionDirective

    consent: dict[str, object] = {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": PERMISSION, "consentLevel": "ACCOUNT"}],
    }
    return StartConnectionDirective(uri=CONSENT_URI, input=consent, token=reminder.token)
