"""A content-addressed disk cache for rendered audio: clips, step tracks, whole renders.

Entries live under RECOVERY_COACH_CACHE_DIR (default: the user's cache directory, e.g.
~/.cache/recovery-coach), one file each, named by the sha256 of their key, so nothing a
caller passes becomes a path. Writes go to a temporary file in the same folder and are
renamed into place (os.replace), so several processes can fill the cache at once and a
reader sees a whole entry or none. A read touches the entry's mtime; when the cache grows
past its bound (RECOVERY_COACH_CACHE_MAX_MB, default 1024) the least recently used entries
are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

ENV_DIR = "RECOVERY_COACH_CACHE_DIR"
ENV_MAX_MB = "RECOVERY_COACH_CACHE_MAX_MB"
DEFAULT_MAX_MB = 1024
EVICT_EVERY = 64  # writes between size checks (a check walks the cache)


def default_dir() -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "recovery-coach"


def default_max_bytes() -> int:
    try:
        return int(float(os.environ.get(ENV_MAX_MB, DEFAULT_MAX_MB)) * 1024 * 1024)
    except ValueError:
        return DEFAULT_MAX_MB * 1024 * 1024


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class DiskCache:
    def __init__(self, root: Path | str | None = None, max_bytes: int | None = None) -> None:
        self.root = Path(root) if root else default_dir()
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self._writes = 0

    def path(self, kind: str, key: str, ext: str) -> Path:
        """Where an entry lives: kind and ext are the caller's constants; key is hashed."""
        name = digest(kind, key)
        return self.root / kind / name[:2] / f"{name}.{ext}"

    def get(self, kind: str, key: str, ext: str) -> bytes | None:
        path = self.path(kind, key, ext)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self.touch(path)
        return data

    def find(self, kind: str, key: str, ext: str) -> Path | None:
        """The entry's file if it is there (touched as used), for streaming it."""
        path = self.path(kind, key, ext)
        if not path.is_file():
            return None
        self.touch(path)
        return path

    @staticmethod
    def touch(path: Path) -> None:
        with contextlib.suppress(OSError):
            os.utime(path)

    def put(
        self, kind: str, key: str, ext: str, data: bytes | Iterable[bytes], opened: Callable[[Path], None] | None = None
    ) -> Path:
        """Write an entry atomically (bytes, or pieces streamed to the file); returns its path.
        `opened(temp)` is told the file the pieces go to before the first is made: each piece
        is in it once the next is asked for, so a reader may follow it as it grows (the file
        is renamed into place, a reader's open file stays whole)."""
        path = self.path(kind, key, ext)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                if opened is not None:
                    opened(Path(temp))
                for piece in [data] if isinstance(data, bytes) else data:
                    f.write(piece)
                    f.flush()
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temp)
            raise
        self._writes += 1
        if self._writes % EVICT_EVERY == 0:
            self.evict()
        return path

    def entries(self) -> Iterator[os.DirEntry[str]]:
        if not self.root.is_dir():
            return
        stack = [str(self.root)]
        while stack:
            with contextlib.suppress(OSError), os.scandir(stack.pop()) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        yield entry

    def size(self) -> int:
        return sum(e.stat().st_size for e in self.entries())

    def evict(self) -> int:
        """Remove least recently used entries until the cache fits its bound; returns how many."""
        files = []
        for e in self.entries():
            with contextlib.suppress(OSError):
                st = e.stat()
                files.append((st.st_mtime, st.st_size, e.path))
        total = sum(size for _, size, _ in files)
        removed = 0
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                os.remove(path)
                total -= size
                removed += 1
        return removed

    def clear(self) -> tuple[int, int]:
        """Empty the cache; returns (files, bytes) removed."""
        count = size = 0
        for e in list(self.entries()):
            with contextlib.suppress(OSError):
                size += e.stat().st_size
                os.remove(e.path)
                count += 1
        return count, size
