"""Questions the source text answers ("what is DOMS", "how long should I do this"), each a
short spoken paragraph taken from the text: content/data/advice.yaml, `answers`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from content import sources
from content.library import DATA_DIR, LibraryError

MAX_WORDS = 60  # about twenty seconds of speech at the coach's pace


@dataclass(frozen=True, eq=False)  # loaded once, never compared
class Answer:
    """One question's answer: `ask` names the coach's ask for it (skill/coach/asks.py)."""

    id: str
    ask: str
    text: str


def load_answers(data_dir: Path = DATA_DIR) -> dict[str, Answer]:
    """{ask: answer}, validated: each has an id, an ask and a text of at most MAX_WORDS."""
    raws = sources.load(data_dir / "advice.yaml").get("answers")
    if not isinstance(raws, list) or not raws or not all(isinstance(r, dict) for r in raws):
        raise LibraryError("advice.yaml: field 'answers' must be a non-empty list of mappings")
    out: dict[str, Answer] = {}
    for i, raw in enumerate(raws):
        values = [raw.get(f) for f in ("id", "ask", "text")]
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise LibraryError(f"advice.yaml: answer {i}: fields 'id', 'ask' and 'text' must be non-empty strings")
        answer = Answer(*(str(v).strip() for v in values))
        if len(answer.text.split()) > MAX_WORDS:
            raise LibraryError(f"advice.yaml: answer '{answer.id}' is longer than {MAX_WORDS} words")
        out[answer.ask] = answer
    return out


@functools.cache
def answers() -> dict[str, Answer]:
    return load_answers()
