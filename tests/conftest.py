"""Session-wide test setup: a home of the tests' own (HOME, the XDG folders and every
default path inside pytest's tmp dirs, checked at the end), a private audio cache, the neural
voice loaded once, and a Flask test client that closes each response as a WSGI server does."""

import os
import time
from pathlib import Path

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

REAL_HOME = Path(os.path.expanduser("~")).resolve()
HOME_VARS = ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR")
# The user's own settings must not reach the tests (a real database, table or cache).
USER_SETTINGS = ("RECOVERY_COACH_DB", "RECOVERY_COACH_DYNAMODB_TABLE", "RECOVERY_COACH_CACHE_DIR", "GUNICORN_CMD_ARGS")
# What the session check leaves out: tool chains and the shell's own files, which no test writes.
NOT_CHECKED = {".pyenv", ".rustup", ".cargo", ".m2", ".npm", ".claude", ".bash_history"}


@pytest.hookimpl(trylast=True)  # after pytest's tmpdir plugin has made its factory
def pytest_configure(config):
    """Before any test module is imported: every per-user folder points into pytest's tmp dir,
    so no command a test runs (gunicorn's control socket, the default database, the audio
    cache, pip) can write to the real home."""
    home = config._tmp_path_factory.mktemp("home")
    for name in HOME_VARS:
        folder = home if name == "HOME" else home / name.lower()
        folder.mkdir(exist_ok=True, mode=0o700)
        os.environ[name] = str(folder)
    for name in USER_SETTINGS:
        os.environ.pop(name, None)
    config.stash[started_key] = time.time()


started_key = pytest.StashKey[float]()


def written_since(root: Path, since: float) -> list[str]:
    """Files and folders under `root` made or changed after `since` (not following links)."""
    found = []
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in NOT_CHECKED]
            files = [f for f in files if f not in NOT_CHECKED]
        for name in dirs + files:
            path = os.path.join(folder, name)
            try:
                if os.lstat(path).st_mtime > since:
                    found.append(path)
            except OSError:  # gone meanwhile
                continue
    return found


def pytest_sessionfinish(session, exitstatus):
    """The whole run fails if anything under the real home was written while it ran."""
    since = session.config.stash.get(started_key, None)
    if since is None or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    found = written_since(REAL_HOME, since)
    if found:
        print(f"\nTests wrote to the real home ({REAL_HOME}): " + ", ".join(sorted(found)[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
