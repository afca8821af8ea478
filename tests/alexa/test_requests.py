"""Bad and odd requests: each gets a clear answer (400 with a JSON reason, or a spoken
reply), never a 500; verification with a test certificate authority, rule by rule."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import body_of, launch_doc
from testca import CHAIN_URL, make_ca

from skill.alexa.chains import MAX_CHAIN_BYTES, VerificationError, fetch_chain
from skill.sim.chat import ssml_to_text


def intent_doc(name: str, slots: dict | None = None, attributes: dict | None = None) -> dict:
    doc = launch_doc()
    doc["request"] = {
        "type": "IntentRequest",
        "requestId": "r1",
        "timestamp": doc["request"]["timestamp"],
        "locale": "en-US",
        "intent": {"name": name, "slots": slots or {}},
    }
    doc["session"]["new"] = False
    doc["session"]["attributes"] = attributes or {}
    return doc


def without(path: str) -> dict:
    doc = launch_doc()
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[key]
    del node[last]
    return doc


MALFORMED = [
    ("not JSON", b"{'request': ", "not valid JSON"),
    ("a JSON list", b"[1, 2]", "JSON object"),
    ("empty body", b"", "not valid JSON"),
    ("no request", body_of(without("request")), "missing field: request"),
    ("no request type", body_of(without("request.type")), "request.type"),
    ("no timestamp", body_of(without("request.timestamp")), "request.timestamp"),
    ("no application id", body_of({k: v for k, v in without("context").items() if k != "session"}), "applicationId"),
    (
        "unknown request type",
        body_of({**launch_doc(), "request": {**launch_doc()["request"], "type": "Bogus"}}),
        "unsupported request type",
    ),
    (
        "intent without a name",
        body_of(intent_doc("x") | {"request": {**intent_doc("x")["request"], "intent": {}}}),
        "intent.name",
    ),
    (
        "slot value not text",
        body_of(intent_doc("StartRoutineIntent", {"duration": {"name": "duration", "value": 5}})),
        "slots",
    ),
    ("wrong application id", body_of(launch_doc(skill_id="amzn1.ask.skill.someone-else")), "application id"),
    ("huge body", b"{" + b" " * 200_000 + b"}", "too large"),
]


@pytest.mark.parametrize("body, reason", [(b, r) for _, b, r in MALFORMED], ids=[n for n, _, _ in MALFORMED])
def test_malformed_requests_get_400_with_a_reason_and_a_huge_one_413(dev_client, body, reason):
    r = dev_client.post("/alexa", data=body, content_type="application/json")
    assert r.status_code == (413 if reason == "too large" else 400)
    assert reason in r.get_json()["error"]


@pytest.mark.parametrize("megabytes", [1, 20])
def test_an_oversized_body_is_refused_413_with_the_json_error(dev_client, megabytes):
    r = dev_client.post("/alexa", data=b"{" + b" " * (megabytes << 20) + b"}", content_type="application/json")
    assert r.status_code == 413
    assert r.get_json() == {"error": "the body is too large (at most 128 KB)"}


ODD = [
    ("unknown intent", "DanceIntent", {}, None, "Sorry, I didn't get that"),
    ("nine hours", "StartRoutineIntent", {"duration": "PT9H"}, None, "longest routine I can plan is 60 minutes"),
    ("zero seconds", "StartRoutineIntent", {"duration": "PT0S"}, None, "A routine needs some time"),
    ("unparseable duration", "StartRoutineIntent", {"duration": "?"}, None, "didn't catch how long"),
    ("raw words duration", "StartRoutineIntent", {"duration": "ten minutes"}, None, "10-minute leg recovery"),
    ("unknown focus", "StartRoutineIntent", {"focus": "zumba"}, None, "I don't have a zumba routine"),
    ("odd roller", "StartRoutineIntent", {"roller": "banana"}, None, "20-minute leg recovery"),
    ("empty movement", "HowToIntent", {"movement": ""}, None, "Which movement?"),
    ("escaped movement", "HowToIntent", {"movement": "<b>&"}, None, "I don't know a movement called <b>&"),
    ("corrupted place", "AMAZON.NextIntent", {}, {"pos": {"v": 1, "plan": "x"}}, "I lost track of where we were"),
    ("old version", "AMAZON.NextIntent", {}, {"pos": {"v": 0, "at": [1, 0]}}, "I lost track of where we were"),
    (
        "step out of range",
        "AMAZON.ResumeIntent",
        {},
        {"pos": {"v": 1, "plan": [10, "full", 1], "at": [99, 0], "state": "active"}},
        "I lost track",
    ),
    ("attributes not an object", "AMAZON.NextIntent", {}, "garbage", "I lost track of where we were"),
]


@pytest.mark.parametrize("intent, slots, attributes, says", [o[1:] for o in ODD], ids=[o[0] for o in ODD])
def test_odd_values_get_a_spoken_answer(dev_client, intent, slots, attributes, says):
    doc = intent_doc(intent, {k: {"name": k, "value": v} for k, v in slots.items()})
    doc["session"]["attributes"] = attributes
    r = dev_client.post("/alexa", json=doc)
    assert r.status_code == 200
    assert says.lower() in ssml_to_text(r.get_json()["response"]["outputSpeech"]["ssml"]).lower()


def test_health_and_wrong_methods_answer_json(dev_client):
    assert dev_client.get("/health").get_json() == {"status": "ok"}
    r = dev_client.get("/alexa")
    assert r.status_code == 405 and "error" in r.get_json()


# ---- verification -------------------------------------------------------------------


def tamper(ca, doc: dict, what: str):
    """(body, headers) for a request broken in one way."""
    body = body_of(doc)
    headers = ca.headers(body)
    if what == "unsigned":
        del headers["Signature-256"], headers["SignatureCertChainUrl"]
    elif what == "no signature":
        del headers["Signature-256"]
    elif what == "body changed after signing":
        body = body.replace(b"LaunchRequest", b"LaunchRequest ")
    elif what == "signature not base64":
        headers["Signature-256"] = "not base64!"
    return body, headers


BROKEN = [
    ("unsigned", "SignatureCertChainUrl"),
    ("no signature", "Signature-256"),
    ("body changed after signing", "does not match"),
    ("signature not base64", "does not match"),
]  # forged chain URLs and chains: test_verification.py


@pytest.mark.parametrize("what, reason", BROKEN, ids=[b[0] for b in BROKEN])
def test_tampered_requests_get_400(signed_client, ca, what, reason):
    body, headers = tamper(ca, launch_doc(), what)
    r = signed_client.post("/alexa", data=body, headers=headers)
    assert r.status_code == 400
    assert reason in r.get_json()["error"]


def test_signed_request_is_answered_and_the_chain_is_fetched_once(signed_client, ca, fetches):
    for _ in range(2):
        body = body_of(launch_doc())
        r = signed_client.post("/alexa", data=body, headers=ca.headers(body))
        assert r.status_code == 200
        assert "to Recovery Coach" in r.get_json()["response"]["outputSpeech"]["ssml"]
    assert fetches == [CHAIN_URL]


def test_timestamps_more_than_150_s_away_are_refused(signed_client, ca, verifier):
    body = body_of(launch_doc())
    verifier.clock.now += timedelta(seconds=151)
    r = signed_client.post("/alexa", data=body, headers=ca.headers(body))
    assert r.status_code == 400 and "150 s" in r.get_json()["error"]
    verifier.clock.now -= timedelta(seconds=2)
    assert signed_client.post("/alexa", data=body, headers=ca.headers(body)).status_code == 200


def test_a_cached_chain_is_fetched_again_after_it_expires(signed_client, ca, verifier, fetches):
    body = body_of(launch_doc())
    assert signed_client.post("/alexa", data=body, headers=ca.headers(body)).status_code == 200
    verifier.clock.now += timedelta(days=31)  # the leaf has expired: refetched, and refused
    body = body_of(launch_doc(timestamp=verifier.clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")))
    r = signed_client.post("/alexa", data=body, headers=ca.headers(body))
    assert r.status_code == 400 and "not trusted" in r.get_json()["error"]
    assert len(fetches) == 2


def test_headers_cannot_replace_the_trust_store(signed_client, ca):
    other = make_ca()
    body = body_of(launch_doc())
    headers = other.headers(body) | {"X-Trust-Root": other.root_pem().decode().replace("\n", " ")}
    assert signed_client.post("/alexa", data=body, headers=headers).status_code == 400


class _Big(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"x" * (MAX_CHAIN_BYTES + 10))

    def log_message(self, *args):
        pass


def test_chain_fetch_has_a_size_limit():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Big)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(VerificationError, match="size limit"):
            fetch_chain(f"http://127.0.0.1:{server.server_port}/chain.pem")
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(VerificationError, match="could not fetch"):
        fetch_chain(f"http://127.0.0.1:{server.server_port}/gone.pem")


def test_the_app_refuses_to_start_without_a_skill_id_unless_dev(monkeypatch, db):
    from skill.server.app import ConfigError, create_app

    monkeypatch.delenv("RECOVERY_COACH_SKILL_ID", raising=False)
    with pytest.raises(ConfigError, match="RECOVERY_COACH_SKILL_ID"):
        create_app(db_path=db)
    assert create_app(dev=True, db_path=db).config["RECOVERY_COACH_DEV"]


def test_an_unsigned_request_does_not_touch_the_users_saved_place(signed_client, db):
    from skill.store.sqlite import SQLiteAdapter

    assert signed_client.post("/alexa", data=body_of(launch_doc())).status_code == 400
    assert SQLiteAdapter(db).get("amzn1.ask.account.t") == {}


def test_alexas_error_report_is_acknowledged_without_speech(dev_client):
    doc = launch_doc()
    doc["request"] = {
        "type": "System.ExceptionEncountered",
        "requestId": "r",
        "timestamp": "2026-01-01T00:00:00Z",
        "error": {"type": "INVALID_RESPONSE", "message": "bad"},
    }
    r = dev_client.post("/alexa", json=doc)
    assert r.status_code == 200 and r.get_json()["response"] == {}
