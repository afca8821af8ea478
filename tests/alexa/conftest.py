"""Fixtures for the Alexa skill tests: a real Flask app over a real SQLite file, in dev
mode or with verification against a certificate authority made for the test session."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from storekit import AWS_ENV, MotoServer  # noqa: E402
from testca import make_ca  # noqa: E402

from skill.alexa.verify import Verifier  # noqa: E402
from skill.server.app import create_app  # noqa: E402
from skill.sim.chat import DEV_SKILL_ID, Conversation, envelope  # noqa: E402
from skill.store.dynamo import DynamoStore, create_table  # noqa: E402
from skill.store.sqlite import SQLiteStore  # noqa: E402


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "coach.sqlite3"


@pytest.fixture
def dev_client(db):
    return create_app(dev=True, skill_id=DEV_SKILL_ID, db_path=db).test_client()


def written(client) -> None:
    """Write the app's queued saves now (its writer thread would within 20 ms), so the
    file can be read from outside the app."""
    assert client.application.extensions["recovery_coach.skill"].store.flush()


@pytest.fixture
def talk(dev_client):
    """A conversation through the dev app; returns the Conversation."""

    def send(doc):
        r = dev_client.post("/alexa", json=doc)
        return r.status_code, r.get_json(silent=True) or {}

    return Conversation(send)


@pytest.fixture(scope="session")
def ca():
    return make_ca()


class Clock:
    """A settable clock: tests move time without sleeping."""

    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def fetches():
    return []


@pytest.fixture
def verifier(ca, fetches):
    def fetch(url):
        fetches.append(url)
        return ca.chain_pem

    return Verifier(DEV_SKILL_ID, roots=[ca.root], fetch=fetch, clock=Clock())


@pytest.fixture
def signed_client(verifier, db):
    return create_app(verifier=verifier, db_path=db).test_client()


def launch_doc(skill_id: str = DEV_SKILL_ID, **request) -> dict:
    return envelope(
        {"type": "LaunchRequest", **request},
        session_id="amzn1.echo-api.session.t",
        new=True,
        attributes={},
        user_id="amzn1.ask.account.t",
        skill_id=skill_id,
    )


def body_of(doc: dict) -> bytes:
    return json.dumps(doc).encode()


@pytest.fixture(scope="session")
def moto():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request, tmp_path, monkeypatch):
    """(store, db_path for create_app): the env points the app at the same backend."""
    if request.param == "sqlite":
        path = tmp_path / "coach.sqlite3"
        monkeypatch.delenv("RECOVERY_COACH_DYNAMODB_TABLE", raising=False)
        yield SQLiteStore(path), path
        return
    moto = request.getfixturevalue("moto")
    for k, v in AWS_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto.url)
    table = f"recovery-coach-{uuid.uuid4().hex[:8]}"
    create_table(boto3.resource("dynamodb"), table)
    monkeypatch.setenv("RECOVERY_COACH_DYNAMODB_TABLE", table)
    yield DynamoStore(table), None
