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
# The tests' home has the usual layout, so what a program writes there has the same place
# relative to it as it would in the real home (the session check below relies on that).
HOME_VARS = {
    "HOME": ".",
    "XDG_DATA_HOME": ".local/share",
    "XDG_CACHE_HOME": ".cache",
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".local/state",
}
# The user's own settings must not reach the tests (a real database, table or cache).
USER_SETTINGS = (
    "RECOVERY_COACH_DB",
    "RECOVERY_COACH_DYNAMODB_TABLE",
    "RECOVERY_COACH_CACHE_DIR",
    "GUNICORN_CMD_ARGS",
    "XDG_RUNTIME_DIR",  # gunicorn's control socket then goes to $HOME/.gunicorn
)
# What the session check leaves out: tool chains and the shell's own files, which no test writes.
NOT_CHECKED = {".pyenv", ".rustup", ".cargo", ".m2", ".npm", ".claude", ".bash_history"}


@pytest.hookimpl(trylast=True)  # after pytest's tmpdir plugin has made its factory
def pytest_configure(config):
    """Before any test module is imported: every per-user folder points into pytest's tmp dir,
    so no command a test runs (gunicorn's control socket, the default database, the audio
    cache, pip) can write to the real home."""
    home = config._tmp_path_factory.mktemp("home")
    for name, place in HOME_VARS.items():
        (home / place).mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ[name] = str(home / place)
    for name in USER_SETTINGS:
        os.environ.pop(name, None)
    config.stash[started_key] = time.time()
    config.stash[home_key] = home


started_key = pytest.StashKey[float]()
home_key = pytest.StashKey[Path]()


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
    """The whole run fails if something was written under the real home while it ran that
    the tests' own home does not have at the same place. (Another program sharing the real
    home, such as a server or another test run, writes what these tests write, in the real
    home, while these tests write it in theirs: that is not counted. A test that escaped
    its home leaves the file in the real home only.)"""
    since = session.config.stash.get(started_key, None)
    home = session.config.stash.get(home_key, None)
    if since is None or home is None:
        return
    found = [p for p in written_since(REAL_HOME, since) if not (home / Path(p).relative_to(REAL_HOME)).exists()]
    if found:
        print(
            f"\nTests wrote to the real home ({REAL_HOME}): {', '.join(sorted(found)[:20])}. (A program using "
            "this home meanwhile, such as a server or another test run, could have written them too.)"
        )
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
