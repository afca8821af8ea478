"""Session-wide test setup: a private audio cache, and the neural voice loaded once."""

import os

import pytest


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
