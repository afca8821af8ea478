"""Inputs that once broke the endpoint, as a table of what was sent and what the user
hears or is told; and verification done cheaply and in Alexa's order, rule by rule,
with the test certificate authority."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
import warnings
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import body_of, launch_doc, written
from test_requests import intent_doc
from testca import CHAIN_URL

from skill.alexa.chains import VerificationError, fetch_chain
from skill.alexa.verify import system_roots
from skill.sim.chat import ssml_to_text
from skill.store.sqlite import SQLiteAdapter
from speech.ssml import heard, validate_ssml

NULL_RESOLUTIONS = {"resolutionsPerAuthority": None}
ODD_SLOTS = [
    ("null resolutions", "HowToIntent", {"value": "hip circles", "resolutions": NULL_RESOLUTIONS}, "Hip Circles"),
    ("resolution values null", "HowToIntent", {"value": "zumba", "resolutions": {"x": None}}, "called zumba"),
    ("a huge duration", "StartRoutineIntent", {"name": "duration", "value": "PT" + "9" * 400 + "M"}, "20-minute"),
    ("a huge week count", "StartRoutineIntent", {"name": "duration", "value": "P99999999W"}, "longest routine"),
    ("control characters", "HowToIntent", {"value": "zu\x00m\x1bba\ud800"}, "called zumba"),
    ("a 100 KB name", "HowToIntent", {"value": "wobble " * 14_000}, "called wobble wobble wobble wobble wobble"),
]


@pytest.mark.parametrize("intent, slot, says", [o[1:] for o in ODD_SLOTS], ids=[o[0] for o in ODD_SLOTS])
def test_odd_slots_get_a_short_valid_spoken_answer(dev_client, intent, slot, says):
    name = slot.pop("name", "movement")
    r = dev_client.post("/alexa", json=intent_doc(intent, {name: {"name": name, **slot}}))
    assert r.status_code == 200
    ssml = r.get_json()["response"]["outputSpeech"]["ssml"]
    assert validate_ssml(ssml) == [] and len(ssml) < 2000
    assert says.lower() in ssml_to_text(ssml).lower()


def test_heard_text_is_cut_at_a_word_and_keeps_only_xml_characters():
    assert heard("stretch   the\x00 hamstrings " * 10) == "stretch the hamstrings stretch the"
    assert heard("x" * 100) == "x" * 40
    assert heard("\ud800\x07") == "" and heard(None) == ""


def test_validate_ssml_reports_rather_than_raises():
    assert "forbids" in validate_ssml("<speak>\ud800</speak>")[0]
    assert "not well-formed" in validate_ssml("<speak>" + "<p>" * 500 + "</speak>")[0]
    assert validate_ssml(None) == ["SSML must be text, not NoneType"]


def test_a_user_id_with_a_lone_surrogate_gets_a_place_of_its_own(dev_client, db):
    doc = launch_doc()
    doc["session"]["user"]["userId"] = doc["context"]["System"]["user"]["userId"] = "amzn1.ask.account.\ud800"
    r = dev_client.post("/alexa", data=json.dumps(doc), content_type="application/json")
    assert r.status_code == 200 and "Recovery Coach" in r.get_json()["response"]["outputSpeech"]["ssml"]
    assert dev_client.post("/alexa", data=json.dumps(doc), content_type="application/json").status_code == 200
    written(dev_client)
    import sqlite3

    ids = [row[0] for row in sqlite3.connect(db).execute("SELECT user_id FROM attributes")]
    assert len(ids) == 1 and ids[0].startswith("unusual.")
    assert SQLiteAdapter(db).get(ids[0])["visits"] == 2


REFUSED = [
    ("nested brackets", b"[" * 1000 + b"]" * 1000, "application/json", "nests too deeply"),
    ("a deep envelope", ("{" + '"a":{' * 80 + "}" * 81).encode(), "application/json", "deeper than 64"),
    ("plain text", body_of(launch_doc()), "text/plain", "Content-Type"),
    ("no content type", body_of(launch_doc()), "", "Content-Type"),
    ("form data", b"a=1", "application/x-www-form-urlencoded", "Content-Type"),
]


@pytest.mark.parametrize("body, ctype, reason", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_bodies_get_400_with_a_reason(dev_client, signed_client, body, ctype, reason):
    for client in (dev_client, signed_client):  # before any signature check
        r = client.post("/alexa", data=body, headers={"Content-Type": ctype} if ctype else {})
        assert r.status_code == 400 and reason in r.get_json()["error"]


def test_deep_or_large_session_attributes_are_refused(dev_client):
    deep = intent_doc("AMAZON.NextIntent", attributes={"pos": json.loads("[" * 70 + "]" * 70)})
    r = dev_client.post("/alexa", json=deep)
    assert r.status_code == 400 and "64 levels" in r.get_json()["error"]
    large = intent_doc("AMAZON.NextIntent", attributes={"junk": "x" * 20_000})
    r = dev_client.post("/alexa", json=large)
    assert r.status_code == 400 and "16 KB" in r.get_json()["error"]


def test_a_request_field_cannot_forge_a_log_line(dev_client, caplog):
    doc = launch_doc()
    doc["request"]["type"] = "Bogus\nINFO forged line \x1b[31m" + "x" * 1000
    with caplog.at_level(logging.WARNING, "recovery_coach.app"):
        assert dev_client.post("/alexa", json=doc).status_code == 400
    (line,) = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert "\n" not in line and "\x1b" not in line and "\\n" in line and len(line) < 400


# ---- verification: cheap rules first, then the chain -----------------------------------


def signed(ca, doc=None, url=CHAIN_URL):
    body = body_of(doc or launch_doc())
    return body, ca.headers(body, url)


CHEAP = [  # forged chain URLs, refused before any fetch too: test_verification.py
    ("no signature", "no signature", CHAIN_URL, "Signature-256"),
    ("an old timestamp", "old", CHAIN_URL, "150 s"),
    ("another skill", "other skill", CHAIN_URL, "application id"),
]


@pytest.mark.parametrize("what, url, reason", [c[1:] for c in CHEAP], ids=[c[0] for c in CHEAP])
def test_cheap_rules_refuse_before_any_fetch(signed_client, ca, fetches, what, url, reason):
    doc = launch_doc()
    if what == "old":
        doc["request"]["timestamp"] = "2020-01-01T00:00:00Z"
    if what == "other skill":
        doc = launch_doc(skill_id="amzn1.ask.skill.other")
    body, headers = signed(ca, doc, url)
    if what == "no signature":
        del headers["Signature-256"]
    r = signed_client.post("/alexa", data=body, headers=headers)
    assert r.status_code == 400 and reason in r.get_json()["error"]
    assert fetches == []


def test_a_failed_chain_url_is_not_fetched_again_for_a_while(ca, db, verifier, fetches):
    from skill.server.app import create_app

    verifier.fetch = lambda url: fetches.append(url) or b"not a chain"
    client = create_app(verifier=verifier, db_path=db).test_client()
    for _ in range(50):
        body, headers = signed(ca)
        r = client.post("/alexa", data=body, headers=headers)
        assert r.status_code == 400 and "PEM" in r.get_json()["error"]
    assert len(fetches) == 1
    verifier.clock.now += timedelta(seconds=61)
    body, headers = signed(ca, launch_doc(timestamp=verifier.clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")))
    assert client.post("/alexa", data=body, headers=headers).status_code == 400
    assert len(fetches) == 2


class _Trickle(BaseHTTPRequestHandler):
    """A server that answers one byte at a time, each well inside a per-read timeout."""

    stop = threading.Event()

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        while not self.stop.wait(0.05):
            try:
                self.wfile.write(b"-")
                self.wfile.flush()
            except OSError:
                return

    def log_message(self, *args):
        pass


def test_a_chain_fetch_has_one_total_deadline():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(VerificationError, match="within 0.5 s"):
            fetch_chain(f"http://127.0.0.1:{server.server_port}/chain.pem", deadline=0.5)
        assert time.monotonic() - started < 1.5
    finally:
        _Trickle.stop.set()
        server.shutdown()
        server.server_close()


def test_the_trust_store_loads_once_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        roots = system_roots()
    assert len(roots) > 50


def test_a_server_that_cannot_load_the_trust_store_does_not_start(monkeypatch, db):
    import certifi

    from skill.server.app import ConfigError, create_app

    monkeypatch.setattr(certifi, "where", lambda: "/nonexistent/cacert.pem")
    with pytest.raises(ConfigError, match="cannot verify Alexa requests"):
        create_app(skill_id="amzn1.ask.skill.x", db_path=db)


def test_recovery_coach_dev_in_the_environment_makes_a_dev_server(monkeypatch, db, caplog):
    from skill.server.app import create_app

    monkeypatch.setenv("RECOVERY_COACH_DEV", "1")
    monkeypatch.delenv("RECOVERY_COACH_SKILL_ID", raising=False)
    with caplog.at_level(logging.WARNING):
        app = create_app(db_path=db)
    assert app.config["RECOVERY_COACH_DEV"] and "DEV MODE" in caplog.text
    assert app.test_client().post("/alexa", json=launch_doc()).status_code == 200


def test_the_skill_core_imports_neither_flask_nor_cryptography():
    code = (
        "import sys, skill.alexa.adapter; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'cryptography', 'werkzeug'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
