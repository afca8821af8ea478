"""The coach's conversation transcripts (tests/alexa/conversations/*.txt), read for the OVOS
skill: the same words in, the same answers out, where they apply. What is heard of a turn
is everything its answer says, the lines the scheduler says later included, with [pause]
between them (the silence that Alexa's SSML has as a break). `= ends` / `= open`: the
coach's conversation ended or goes on; `= state`: where the routine stands; `@ +N days`:
the coach's clock moves on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CONVERSATIONS = Path(__file__).parent.parent / "alexa" / "conversations"
# Transcripts that are Alexa's only, and why.
ALEXA_ONLY = {
    "forget_my_data": "a silence: Alexa reprompts, then ends the session; OVOS has no reprompt",
    "resume_in_the_right_place": "silences: Alexa's reprompt and session end",
    "walk_away_and_resume": "silences: Alexa's reprompt and session end (on OVOS the skill's deactivation)",
    "state_answers": "silences: Alexa's reprompt and session end",
    "questions": "it hears the coach's fallback answer; on OVOS words the coach does not know go to other skills",
}
TRANSCRIPTS = sorted(p for p in CONVERSATIONS.glob("*.txt") if p.stem not in ALEXA_ONLY)


def replay(path: Path, say: Callable[[str], str], coach: Any, sid: str) -> None:
    """Run one transcript: `say(words)` answers with what is heard; `coach` is the skill's
    front (skill/ovos/front.py: Coach) and `sid` the conversation's OVOS session."""
    heard = ""
    try:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            where = f"{path.name}:{number}"
            if not line.strip() or line.startswith("#"):
                continue
            mark, rest = line[0], line[1:].strip()
            if mark == ">":
                heard = say(rest)
            elif mark == "<":
                assert rest.lower() in heard.lower(), f"{where}: expected '{rest}' in: {heard}"
            elif mark == "-":
                assert rest.lower() not in heard.lower(), f"{where}: did not expect '{rest}' in: {heard}"
            elif mark == "@":
                days = int(rest.split()[0])
                coach.clock = lambda d=days: datetime.now(UTC) + timedelta(days=d)
            elif rest == "ends":
                assert not coach.in_conversation(sid), f"{where}: should have ended after: {heard}"
            elif rest == "open":
                assert coach.in_conversation(sid), f"{where}: should be open after: {heard}"
            elif rest.startswith("state "):
                state = coach.state(sid)
                assert state == rest.split()[1], f"{where}: state is {state} after: {heard}"
            else:
                raise AssertionError(f"{where}: cannot read line: {line}")
    finally:
        coach.clock = lambda: datetime.now(UTC)
