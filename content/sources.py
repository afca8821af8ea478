"""Reading the project's data files: YAML, written by people, each also kept compiled to JSON
beside it (`<name>.yaml.json`, written by `recovery-coach model --write`).

Why: a cold start (a Lambda's, a new worker's) reads the twins with `json.loads`; PyYAML
is imported, and YAML parsed, only when a twin is missing or stale. A twin is used only
when it was compiled from the source exactly as it is now (same length and CRC-32 of its
bytes); otherwise the YAML itself is read, so a stale twin costs time, never correctness,
and `model --check` (and a test) report it.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any


class SourceError(ValueError):
    """A data file that is not valid YAML (the message names it)."""


def twin(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _stamp(raw: bytes) -> list[int]:
    return [len(raw), zlib.crc32(raw)]


def load(path: Path) -> Any:
    """The document in a YAML file, from its compiled twin when that is current.
    FileNotFoundError when the file is missing; SourceError when it is not YAML."""
    raw = path.read_bytes()
    try:
        compiled = json.loads(twin(path).read_bytes())
        if isinstance(compiled, dict) and compiled.get("source") == _stamp(raw):
            return compiled["doc"]
    except (OSError, ValueError, KeyError):
        pass
    return parse_yaml(raw, path.name)


def parse_yaml(raw: bytes, name: str) -> Any:
    import yaml  # here, not at the top: only a missing or stale twin needs it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when present, the pure-Python one otherwise
    try:
        return yaml.load(raw, Loader=loader)
    except yaml.YAMLError as e:
        raise SourceError(f"{name}: not valid YAML ({e})") from None


def compiled(path: Path) -> str:
    """The JSON twin's text for a YAML file. SourceError if JSON cannot hold the document
    exactly (a date, a number as a mapping key), since the twin must read back the same."""
    raw = path.read_bytes()
    doc = parse_yaml(raw, path.name)
    text = json.dumps({"source": _stamp(raw), "doc": doc}, ensure_ascii=False, separators=(",", ":"))
    if json.loads(text)["doc"] != doc:
        raise SourceError(f"{path.name}: JSON cannot hold this document exactly")
    return text + "\n"


def stale(path: Path) -> bool:
    """Whether the twin is missing or was compiled from other bytes."""
    try:
        return twin(path).read_text(encoding="utf-8") != compiled(path)
    except OSError:
        return True


def write_twins(paths: list[Path]) -> list[Path]:
    for path in paths:
        twin(path).write_text(compiled(path), encoding="utf-8")
    return [twin(p) for p in paths]


def stale_twins(paths: list[Path]) -> list[str]:
    return [f"{twin(p).name} is not compiled from {p.name} as it is now" for p in paths if stale(p)]


CONTENT_DIR = Path(__file__).parent


def content_sources() -> list[Path]:
    """The data files of this package: the movement library and the phrasebooks."""
    return sorted((CONTENT_DIR / "data").glob("*.yaml")) + sorted((CONTENT_DIR / "phrases").glob("*.yaml"))
