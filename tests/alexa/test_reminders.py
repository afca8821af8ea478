"""Reminders for the rest day, as a person with an Echo meets them: the table in
reminders/cases.yaml, through the real Flask app, against a local server that answers as
Alexa's Reminders API does (reminders_api.py), started here on 127.0.0.1."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from reminders_api import ZONE, RemindersApi

from skill.alexa.reminders import API_ENV, CONSENT_URI, PERMISSION, UTC_ZONE, request_body
from skill.coach.reminders import Reminder
from skill.sim.chat import Conversation, intent_request, match, ssml_to_text
from skill.sim.permissions import answer_permission

CASES = yaml.safe_load((Path(__file__).parent / "reminders" / "cases.yaml").read_text())
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_reminder(created: list[dict], expected: dict | None) -> None:
    if expected is None:
        assert created == []
        return
    (made,) = created
    trigger = made["trigger"]
    assert trigger["timeZoneId"] == ZONE and not trigger["scheduledTime"].endswith("Z")
    at = datetime.fromisoformat(trigger["scheduledTime"])
    now = datetime.now(ZoneInfo(ZONE))
    assert at.strftime("%H:%M") == expected["time"]
    if "in_days" in expected:
        assert at.date() == now.date() + timedelta(days=expected["in_days"])
    else:
        assert WEEKDAYS[at.weekday()] == expected["weekday"] and 0 <= (at.date() - now.date()).days <= 7
    weekly = {"freq": "WEEKLY", "byDay": [expected.get("weekday")]} if expected.get("weekly") else None
    assert trigger.get("recurrence") == weekly
    assert made["alertInfo"]["spokenInfo"]["content"][0]["text"].startswith("Time for your leg recovery")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_reminders(case, talk, monkeypatch):
    with RemindersApi("allows" if case["api"] == "allows" else case["api"]) as api:
        endpoint = {"unreachable": f"http://127.0.0.1:{free_port()}", "elsewhere": "http://127.0.0.1:9"}.get(
            case["api"], api.url
        )
        monkeypatch.setenv(API_ENV, api.url if case["api"] != "unreachable" else endpoint)
        conv: Conversation = talk
        conv.api = (endpoint, api.token)
        token = None
        for said, heard in case["steps"]:
            if said in ("<allow>", "<deny>"):
                api.allowed = said == "<allow>"
                body = answer_permission(conv, token, api.allowed)
            else:
                m = match(said)
                _, body = conv.request(intent_request(m), new_session=m.new_session)
            response = body["response"]
            speech = ssml_to_text((response.get("outputSpeech") or {}).get("ssml"))
            if heard == "<asks permission>":
                (ask,) = [d for d in response["directives"] if d["type"] == "Connections.StartConnection"]
                assert ask["uri"] == CONSENT_URI and "shouldEndSession" not in response and "reprompt" not in response
                assert ask["input"]["permissionScopes"] == [{"permissionScope": PERMISSION, "consentLevel": "ACCOUNT"}]
                token = ask["token"]
            else:
                assert heard in speech, f"{said!r}: {heard!r} not in {speech!r}"
                assert response.get("shouldEndSession") is False, "the session goes on"
        assert api.refused == []
        check_reminder(api.created, case["reminder"])
        if case["api"] == "elsewhere":
            assert api.calls == 0


@pytest.mark.parametrize(
    "now, reminder, first",
    [
        ("2026-12-07T17:00", Reminder(True, 0, 18, 0), "2026-12-07"),  # Monday 5 PM: tonight at 6
        ("2026-12-07T19:00", Reminder(True, 0, 18, 0), "2026-12-14"),  # Monday 7 PM: next Monday
        ("2026-12-07T23:30", Reminder(False, None, 18, 0), "2026-12-08"),  # tomorrow
    ],
)
def test_the_first_date_is_the_next_one_still_ahead(now, reminder, first):
    body = request_body(reminder, datetime.fromisoformat(now).replace(tzinfo=UTC), UTC_ZONE, "en-GB")
    assert body["trigger"]["scheduledTime"].startswith(first) and body["trigger"]["timeZoneId"] == "UTC"
