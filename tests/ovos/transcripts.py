"""The coach's conversation transcripts (tests/alexa/conversations/*.txt), read for the OVOS
skill (tests/transcriptkit.py reads them): the same words in, the same answers out, where
they apply. What is heard of a turn is everything its answer says, the lines the scheduler
says later included, with [pause] between them (the silence that Alexa's SSML has as a break)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import transcriptkit
from transcriptkit import Front

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

    def days_on(days: int) -> None:
        coach.clock = lambda: datetime.now(UTC) + timedelta(days=days)

    try:
        front = Front(say, lambda: not coach.in_conversation(sid), lambda: coach.state(sid), days_on)
        transcriptkit.replay(path, front)
    finally:
        coach.clock = lambda: datetime.now(UTC)
