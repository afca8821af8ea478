"""Session-wide test setup: a private audio cache, the neural voice loaded once, and a
Flask test client that closes each response as a WSGI server does."""

import os

import pytest
from flask import Flask
from flask.testing import FlaskClient


class ClosingClient(FlaskClient):
    """Each response read whole and closed before open() returns, as gunicorn and
    werkzeug's server do: the skill saves after the answer is sent (on close), and a
    test reading the store next must see what was saved."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = ClosingClient


@pytest.fixture(scope="session", autouse=True)
def audio_cache(tmp_path_factory):
    """Every test (and every command it runs) renders into one temporary cache, not the user's."""
    folder = tmp_path_factory.mktemp("audio-cache")
    saved = os.environ.get("RECOVERY_COACH_CACHE_DIR")
    os.environ["RECOVERY_COACH_CACHE_DIR"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("RECOVERY_COACH_CACHE_DIR", None)
    else:
        os.environ["RECOVERY_COACH_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def neural():
    """The Piper voice at the default rate, loaded once for the whole session."""
    from speech.local.piper_engine import PiperEngine

    return PiperEngine(150)
