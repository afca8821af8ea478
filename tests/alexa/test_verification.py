"""Forged requests against verification, one row per attack with the answer its sender
reads: a 400 with a JSON error naming the rule, never a 500. Chain URLs are refused
before any fetch; forged chains (signed by the test certificate authority, served by a
real local HTTP server standing in for S3) after one; and what forged URLs may cost is
bounded: a few fetches at once, a failure memory that forgets its oldest entry only."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import DEV_SKILL_ID, Clock, body_of, launch_doc
from hypothesis import given, settings
from hypothesis import strategies as st
from testca import CHAIN_URL, make_ca

from skill.alexa.chains import CERT_PATH_PREFIX, VerificationError, chain_url, fetch_chain
from skill.alexa.verify import MAX_FAILED_URLS, MAX_FETCHES_IN_FLIGHT, Verifier
from skill.server.app import create_app

S3 = "https://s3.amazonaws.com"
HOLD_AT_MOST_SECONDS = 10  # a held fetch lets go by itself after this, so a failing test cannot hang

# (attack, SignatureCertChainUrl, what the 400's error says); every request is otherwise well signed
URL_ATTACKS = [
    ("http", "http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "must use https"),
    ("another host", "https://notamazon.com/echo.api/echo-api-cert.pem", "host must be s3.amazonaws.com"),
    ("a host ending in s3's", "https://s3.amazonaws.com.evil.com/echo.api/cert.pem", "host must be"),
    ("the host with a trailing dot", "https://s3.amazonaws.com./echo.api/cert.pem", "host must be"),
    ("s3 as a user name", "https://s3.amazonaws.com@evil.com/echo.api/cert.pem", "must not name a user"),
    ("a user name before s3", "https://me@s3.amazonaws.com/echo.api/cert.pem", "must not name a user"),
    ("port 563", "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port must be 443"),
    ("a port that is not a number", "https://s3.amazonaws.com:https/echo.api/cert.pem", "not a valid URL"),
    ("a port past 65535", "https://s3.amazonaws.com:99999/echo.api/cert.pem", "not a valid URL"),
    ("an unclosed IPv6 bracket", "https://[s3.amazonaws.com/echo.api/cert.pem", "not a valid URL"),
    ("the path in another case", "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path must start"),
    ("another path", "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path must start"),
    ("no path", "https://s3.amazonaws.com", "path must start"),
    ("the folder alone", "https://s3.amazonaws.com/echo.api/", "empty segment"),
    ("slashes before the folder", "https://s3.amazonaws.com///echo.api/cert.pem", "empty segment"),
    ("two slashes inside", "https://s3.amazonaws.com/echo.api//cert.pem", "empty segment"),
    ("dot-dot out of the folder", "https://s3.amazonaws.com/echo.api/../invalid.path/cert.pem", "path must start"),
    ("dot-dot above the root", "https://s3.amazonaws.com/../../echo.api/../etc/cert.pem", "path must start"),
    ("dot-dot out of the file", "https://s3.amazonaws.com/echo.api/cert.pem/..", "name a file in it"),
    ("percent-encoded dot-dot", "https://s3.amazonaws.com/echo.api/%2e%2e/evil/cert.pem", "dot segment"),
    ("half-encoded dot-dot", "https://s3.amazonaws.com/echo.api/.%2E/evil/cert.pem", "dot segment"),
    ("a percent-encoded slash", "https://s3.amazonaws.com/echo.api%2f%2E%2E%2fx/cert.pem", "encoded slash"),
    ("a backslash", "https://s3.amazonaws.com/echo.api/..\\evil/cert.pem", "backslash"),
    ("a percent-encoded backslash", "https://s3.amazonaws.com/echo.api/..%5Cevil/cert.pem", "backslash"),
    ("a tab", "https://s3.amazonaws.com/echo.api/\tcert.pem", "control character"),
    ("a tab in the host", "https://s3.amazonaws.com\t/echo.api/cert.pem", "control character"),
    ("a NUL", "https://s3.amazonaws.com/echo.api/cert.pem\x00.txt", "control character"),
    ("an escape", "https://s3.amazonaws.com/echo.api/\x1b[31mcert.pem", "control character"),
    ("a DEL", "https://s3.amazonaws.com/echo.api/cert\x7f.pem", "control character"),
    ("a space", "https://s3.amazonaws.com/echo.api/my cert.pem", "a space"),
    ("a non-ASCII letter", "https://s3.amazonaws.com/echo.api/cërt.pem", "non-ASCII"),
    ("a C1 control", "https://s3.amazonaws.com/echo.api/cert\x85.pem", "non-ASCII"),
    ("a percent-encoded tab", "https://s3.amazonaws.com/echo.api/%09cert.pem", "encodes a space, a control"),
    ("a percent-encoded NUL", "https://s3.amazonaws.com/echo.api/cert.pem%00.txt", "encodes a space, a control"),
    ("a percent-encoded newline", "https://s3.amazonaws.com/echo.api/%0d%0aHost:evil.pem", "encodes a space"),
    ("a percent-encoded NEL", "https://s3.amazonaws.com/echo.api/cert%C2%85.pem", "non-ASCII"),
    ("a query", "https://s3.amazonaws.com/echo.api/cert.pem?x-id=GetObject", "query or a fragment"),
    ("a fragment", "https://s3.amazonaws.com/echo.api/cert.pem#x", "query or a fragment"),
    ("an empty header", "", "missing SignatureCertChainUrl"),
]


@pytest.mark.parametrize("url, reason", [a[1:] for a in URL_ATTACKS], ids=[a[0] for a in URL_ATTACKS])
def test_forged_chain_urls_are_refused_before_any_fetch(signed_client, ca, fetches, url, reason):
    body = body_of(launch_doc())
    r = signed_client.post("/alexa", data=body, headers=ca.headers(body, url))
    assert r.status_code == 400
    assert "SignatureCertChainUrl" in r.get_json()["error"] and reason in r.get_json()["error"]
    assert fetches == []


def test_every_spelling_of_alexas_url_shares_one_fetch(signed_client, ca, fetches):
    spellings = [
        CHAIN_URL,
        CHAIN_URL.replace("https", "HTTPS"),
        CHAIN_URL.replace("s3.amazonaws.com", "S3.AmazonAWS.com:443"),
        CHAIN_URL.replace("/echo.api/", "/echo.api/../echo.api/"),  # Amazon's own example of a valid URL
        CHAIN_URL.replace("/echo.api/", "/echo.api/./"),
    ]
    for url in spellings:
        body = body_of(launch_doc())
        assert signed_client.post("/alexa", data=body, headers=ca.headers(body, url)).status_code == 200
    assert fetches == [CHAIN_URL]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("./\\%2eE5cCfF09 \t") | st.characters(codec="latin-1"), max_size=40))
def test_a_url_that_passes_names_one_file_under_the_folder(tail):
    try:
        canonical = chain_url(f"{S3}/echo.api/{tail}")
    except VerificationError:
        return
    parts = urllib.parse.urlsplit(canonical)
    segments = urllib.parse.unquote(parts.path).split("/")
    assert canonical.startswith(f"{S3}{CERT_PATH_PREFIX}") and chain_url(canonical) == canonical
    assert "" not in segments[1:] and "." not in segments and ".." not in segments  # dot segments removed
    assert all(c.isascii() and c.isprintable() and c not in " \\" for c in urllib.parse.unquote(canonical))


# ---- forged chains, served over HTTP -----------------------------------------------------


class _S3(BaseHTTPRequestHandler):
    """Serves the server's `pem` at every path; while `release` is not set, holds each answer."""

    def do_GET(self):
        s3 = self.server
        with s3.arrived:
            s3.paths.append(self.path)
            s3.arrived.notify_all()
        s3.release.wait(HOLD_AT_MOST_SECONDS)
        self.send_response(200)
        self.send_header("Content-Length", str(len(s3.pem)))
        self.end_headers()
        self.wfile.write(s3.pem)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _S3)
    server.arrived, server.release = threading.Condition(), threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def s3(s3_server):
    """The stand-in for S3, serving nothing yet, answering at once and with no request seen."""
    s3_server.pem, s3_server.paths = b"", []
    s3_server.release.set()
    yield s3_server
    s3_server.release.set()


def app_fetching_from(s3, ca, db):
    """The app, its chain fetched over HTTP from `s3` at the path of the request's URL (with
    a deadline past the longest hold, so a held fetch is answered, not cut off)."""
    local = f"http://127.0.0.1:{s3.server_port}"
    verifier = Verifier(
        DEV_SKILL_ID,
        roots=[ca.root],
        clock=Clock(),
        fetch=lambda url: fetch_chain(local + urllib.parse.urlsplit(url).path, deadline=2 * HOLD_AT_MOST_SECONDS),
    )
    return create_app(verifier=verifier, db_path=db)


def post(app, signer, url=CHAIN_URL):
    body = body_of(launch_doc())
    return app.test_client().post("/alexa", data=body, headers=signer.headers(body, url))


# (attack, the signing chain: make_ca's arguments, "another root" or the bytes served instead,
#  what the 400's error says; None: the request is answered)
CHAIN_ATTACKS = [
    ("Alexa's shape", {}, None),
    ("the exact name among others", {"san": ("echo-api.amazon.com", "*.amazon.com")}, None),
    ("a wildcard name", {"san": "*.amazon.com"}, "does not name echo-api.amazon.com exactly"),
    ("a wildcard and another name", {"san": ("*.amazon.com", "evil.example.com")}, "exactly (no wildcard)"),
    ("a name ending in Alexa's", {"san": "echo-api.amazon.com.evil.com"}, "not trusted"),
    ("another name", {"san": "evil.example.com"}, "not trusted"),
    ("an RSA-1024 leaf", {"leaf_bits": 1024}, "RSA key shorter than 2048 bits"),
    ("an RSA-1024 intermediate", {"mid_bits": 1024}, "RSA key shorter than 2048 bits"),
    ("an elliptic-curve leaf", {"ec_leaf": True}, "does not have an RSA key"),
    ("a leaf not valid yet", {"leaf_start_days": 2}, "not trusted"),
    ("an expired leaf", {"leaf_start_days": -10, "leaf_days": -1}, "not trusted"),
    ("a chain from another root", "another root", "not trusted"),
    ("not PEM", b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", "not PEM certificates"),
    ("nothing", b"", "not PEM certificates"),
]


@pytest.mark.parametrize("made, reason", [a[1:] for a in CHAIN_ATTACKS], ids=[a[0] for a in CHAIN_ATTACKS])
def test_forged_chains_are_refused_after_one_fetch(ca, db, s3, made, reason):
    if isinstance(made, bytes):
        signer, trusted, s3.pem = ca, ca, made
    else:
        signer = make_ca(**made) if isinstance(made, dict) else make_ca()
        trusted, s3.pem = signer if isinstance(made, dict) else ca, signer.chain_pem
    r = post(app_fetching_from(s3, trusted, db), signer)
    if reason is None:
        assert r.status_code == 200 and "Recovery Coach" in r.get_json()["response"]["outputSpeech"]["ssml"]
    else:
        assert r.status_code == 400 and reason in r.get_json()["error"]
    assert s3.paths == ["/echo.api/echo-api-cert-test.pem"]


def test_fetches_past_the_limit_are_refused_at_once_not_queued(ca, db, s3):
    s3.pem = ca.chain_pem
    s3.release.clear()
    app = app_fetching_from(s3, ca, db)
    held = [f"{S3}/echo.api/held-{n}.pem" for n in range(MAX_FETCHES_IN_FLIGHT)]
    answers = {}
    senders = [threading.Thread(target=lambda u=url: answers.update({u: post(app, ca, u)})) for url in held]
    for sender in senders:
        sender.start()
    try:
        with s3.arrived:
            assert s3.arrived.wait_for(lambda: len(s3.paths) == len(held), timeout=HOLD_AT_MOST_SECONDS)
        r = post(app, ca, f"{S3}/echo.api/one-more.pem")  # answered while the others are still held
        assert r.status_code == 400 and "too many certificate chains are being fetched" in r.get_json()["error"]
        assert len(s3.paths) == len(held)
    finally:
        s3.release.set()
        for sender in senders:
            sender.join()
    assert [answers[url].status_code for url in held] == [200] * len(held)
    assert post(app, ca, f"{S3}/echo.api/one-more.pem").status_code == 200  # refused for load, not remembered


def test_the_failure_memory_forgets_its_oldest_url_and_only_it(ca, verifier, fetches, db):
    verifier.fetch = lambda url: fetches.append(url) or b"not a chain"
    app = create_app(verifier=verifier, db_path=db)
    forged = [f"{S3}/echo.api/forged-{n}.pem" for n in range(MAX_FAILED_URLS + 1)]
    for url in forged:
        r = post(app, ca, url)
        assert r.status_code == 400 and "not PEM certificates" in r.get_json()["error"]
    assert fetches == forged
    for url in (forged[1], forged[-1], forged[0]):
        assert post(app, ca, url).status_code == 400
    assert fetches == [*forged, forged[0]], "only the oldest was forgotten and fetched again"
