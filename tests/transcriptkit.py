"""The coach's conversation transcripts (tests/alexa/conversations/*.txt), read the one way
for every front end that replays them (Alexa through the Flask app, the OVOS skill).

Lines: `> typed words` (empty: a silence), `< words the answer contains`, `- words it must
not contain`, `= ends` / `= open` (the conversation ended or goes on), `= state NAME` (where
the routine stands), `@ +N days` (from here on the coach's clock is N days on); `#` starts a
comment. Any other line fails the test that reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Front:
    """How a front end is driven and looked at: `say(words)` answers with what is heard (""
    for a silence); `ended()` whether the conversation ended; `state()` the routine's state
    word; `days_on(n)` moves the coach's clock n days on."""

    say: Callable[[str], str]
    ended: Callable[[], bool]
    state: Callable[[], str]
    days_on: Callable[[int], None]


def replay(path: Path, front: Front) -> None:
    heard = ""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.name}:{number}"
        if not line.strip() or line.startswith("#"):
            continue
        mark, rest = line[0], line[1:].strip()
        if mark == ">":
            heard = front.say(rest)
        elif mark == "<":
            assert rest.lower() in heard.lower(), f"{where}: expected '{rest}' in: {heard}"
        elif mark == "-":
            assert rest.lower() not in heard.lower(), f"{where}: did not expect '{rest}' in: {heard}"
        elif mark == "@":
            front.days_on(int(rest.split()[0]))
        elif mark == "=" and rest in ("ends", "open"):
            assert front.ended() == (rest == "ends"), f"{where}: the conversation should be {rest} after: {heard}"
        elif mark == "=" and rest.startswith("state "):
            state = front.state()
            assert state == rest.split()[1], f"{where}: state is {state} after: {heard}"
        else:
            raise AssertionError(f"{where}: cannot read line: {line}")
