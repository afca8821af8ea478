"""`recovery-coach chat --stream` as a person sees it: screen transcripts (chat_streams/*.txt)
typed into the stream simulator over the real Flask app, a real SQLite file and the
simulated player, on a clock the transcript moves (`wait 2:00`).

Lines: `> typed` (a command, `[next]` a button, `wait M:SS` lets the stream play, empty is
silence); `< text` a line shown since the last `>` contains it (in this order); `- text`
no line shown since the last `>` contains it."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.sim.chat_stream import StreamChat
from skill.sim.player import Player

HERE = Path(__file__).parent
TRANSCRIPTS = sorted((HERE / "chat_streams").glob("*.txt"))
BASE = "https://coach.example"


@pytest.fixture
def stream_chat(talk, monkeypatch):
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", BASE)
    shown: list[str] = []
    return StreamChat(talk, Player(BASE), show=shown.append), shown


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_chat_stream(path, stream_chat):
    chat, shown = stream_chat
    since = typed_at = 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.name}:{number}"
        if line.startswith("#") or not line.strip():
            continue
        mark, text = line[0], line[2:]
        if mark == ">":
            since = typed_at = len(shown)
            chat.type(text)
        elif mark == "<":
            found = next((i for i in range(since, len(shown)) if text in shown[i]), None)
            assert found is not None, f"{where}: {text!r} not in\n" + "\n".join(shown[since:])
            since = found + 1
        elif mark == "-":
            assert not [s for s in shown[typed_at:] if text in s], f"{where}: {text!r} was shown"
        else:
            raise AssertionError(f"{where}: unknown mark {mark!r}")
