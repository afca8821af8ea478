"""The tests keep out of the user's home: every default path a command would write to
lies inside pytest's tmp dirs (the session also fails if anything under the real home was
written while it ran: tests/conftest.py)."""

import os
import pwd
from pathlib import Path

from gunicorn.config import Config

from skill.store.base import default_db_path
from speech.local.cache import default_dir


def test_every_default_path_is_inside_the_tests_own_home(tmp_path_factory):
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()
    tmp = tmp_path_factory.getbasetemp().resolve()
    home = Path(os.environ["HOME"]).resolve()
    assert home.is_relative_to(tmp) and not tmp.is_relative_to(real_home)
    defaults = {
        "the database": default_db_path(),
        "the audio cache": default_dir(),
        "gunicorn's control socket": Path(Config().control_socket),
        "the home folder": Path(os.path.expanduser("~")),
    }
    for what, path in defaults.items():
        assert path.resolve().is_relative_to(tmp), f"{what} is at {path}"
