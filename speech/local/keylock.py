"""One render per track across processes: an flock on one of LOCK_FILES lock files in the
cache's `locks` folder, picked by the key's hash (keys share them, so a storm of keys leaves
no more files behind). Whoever waits for it tries again every POLL_S until its deadline."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from speech.local.cache import digest

LOCK_FILES = 256
POLL_S = 0.05


class Busy(Exception):
    """The track is being rendered by someone else and did not come in time."""


@contextlib.contextmanager
def held(root: Path, key: str, deadline: float) -> Iterator[None]:
    """Hold `key`'s lock (Busy if it is not free by `deadline`, a time.monotonic())."""
    folder = root / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{int(digest('lock', key)[:8], 16) % LOCK_FILES:03d}"
    fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)  # flock excludes other fds in this process too
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy(key) from None
                time.sleep(POLL_S)
        yield
    finally:
        os.close(fd)  # releases the lock
