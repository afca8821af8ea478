"""What the OVOS skill does with what it hears, without OVOS: the coach's matcher turns
the words into an `Ask` and slots, the coach answers (`turn`, then `settle` into the
store), and the reply becomes `Line`s, each said at its moment.

One conversation per OVOS session (a device, a satellite): its session attributes live
here between turns, as Alexa keeps them between requests, and go when the coach ends the
conversation or OVOS stops listening to the skill (then the coach hears GONE_QUIET, and
the place is saved as when a person walks away from an Echo).

Timing: a routine's part is speech with silences of up to ten seconds between its cues
(what Alexa hears as SSML breaks). OVOS's text-to-speech voices do not all honour breaks,
so each stretch of speech after a silence becomes a line of its own, said when the silence
before it is over (the skill asks OVOS's scheduler for that moment). When a line starts
is estimated from its words (speech.timing), the one rule the Alexa renderer uses too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from skill.coach import reminders
from skill.coach.asks import Ask
from skill.coach.context import Device
from skill.coach.phrasebook import matcher_of
from skill.coach.replies import Reply
from skill.coach.slots import Slot
from skill.coach.turn import needs_kept, settle, turn
from skill.coach.understand import Matcher, words
from skill.store.base import Store, StoreError
from speech import sequencer as seq
from speech.ssml import segments
from speech.timing import estimate_seconds

GAP_S = 1.5  # a silence at least this long ends a line; a shorter one is a pause inside it


@dataclass(frozen=True)
class Line:
    """Words to say `at` seconds after the answer starts."""

    text: str
    at: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What the coach answers: the lines, whether the conversation ended, and whether it
    waits for the person (the mic opens after the last line, as Alexa's does)."""

    ask: Ask
    lines: tuple[Line, ...]
    end: bool
    listen: bool
    interrupts: bool = True  # the lines of the part under way stop (else a question's answer leaves them be)


def make_matcher(intents: Mapping[str, Mapping[str, Any]]) -> Matcher:
    """The coach's matcher over the asks heard on OVOS (skill/ovos/locale.py `phrasebook`)."""
    return matcher_of(intents)


def lines(ssml: str | None) -> tuple[Line, ...]:
    """The reply's speech as lines at their moments: a silence of GAP_S or more starts a new line."""
    out: list[Line] = []
    at, words, start = 0.0, "", 0.0
    for piece in segments(ssml):
        if isinstance(piece, str):
            words, start = (f"{words} {piece}", start) if words else (piece, at)
            at += estimate_seconds(piece)
        elif piece >= GAP_S:
            if words:
                out.append(Line(words, round(start, 1)))
            words, at = "", at + piece
        else:
            at += piece
    if words:
        out.append(Line(words, round(start, 1)))
    return tuple(out)


class Coach:
    """The conversations of one skill: `store` keeps what the coach keeps per user;
    `phrasebook` is what the matcher reads (`intents`, and the `prefixes` a request may
    start with); `clock` gives the time of each turn."""

    def __init__(
        self, store: Store, phrasebook: Mapping[str, Any],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:  # fmt: skip
        self.store = store
        self.matcher = make_matcher(phrasebook["intents"])
        self.prefixes = tuple(f"{p} " for p in phrasebook["prefixes"])  # "ask recovery coach to ...": longest first
        self.clock = clock
        self.sessions: dict[str, dict[str, Any]] = {}  # OVOS session id -> the coach's session attributes
        # OVOS session id -> when the part being said began, and where it begins in its step:
        # the coach is told how far into the step the lines have gone ("how much is left").
        self.part_began: dict[str, tuple[datetime, float]] = {}

    def understand(self, utterance: str) -> tuple[Ask, dict[str, Slot]] | None:
        """The ask and slots in what was said; None when the coach does not understand it."""
        said = " ".join(words(utterance))
        heard = self.matcher(next((said[len(p) :] for p in self.prefixes if said.startswith(p)), said))
        if heard.intent is None:
            return None
        return Ask(heard.intent), {name: Slot(words) for name, words in heard.slots.items()}

    def in_conversation(self, sid: str) -> bool:
        return sid in self.sessions

    def hear(self, sid: str, uid: str, utterance: str, intent: Ask | None = None) -> Answer | None:
        """Answer what was said. `intent`: what OVOS's intent pipeline matched, when it
        did; the coach's matcher reads the slots, and has the last word on the ask unless it
        understands nothing (then the pipeline's match stands, without slots)."""
        understood = self.understand(utterance) or (None if intent is None else (intent, {}))
        if understood is None:
            return None
        if understood[0] == Ask.LAUNCH:  # "open recovery coach" opens a new conversation, as on Alexa
            self.sessions.pop(sid, None)
        return self.answer(sid, uid, *understood)

    def answer(self, sid: str, uid: str, ask: Ask, slots: dict[str, Slot]) -> Answer:
        session = self.sessions.get(sid)
        new = session is None
        saved, store_ok = None, True
        if needs_kept(session):
            try:
                saved = self.store.get(uid)
            except StoreError:
                store_ok = False
        now = self.clock()
        played = self._played(sid, now)
        result = turn(ask, slots, new, session, saved, now=now, store_ok=store_ok, device=Device(), played=played)
        result = settle(result, self.store, uid)
        reply = result.reply
        self._note_part(sid, now, reply, result.session)
        if reply.reminder is not None:  # never on OVOS's phrasings; a reminder is the device's own skill's
            reply = reminders.after(reply, reminders.Outcome.FAILED)
        if reply.end or ask == Ask.GONE_QUIET:
            self.sessions.pop(sid, None)
        else:
            self.sessions[sid] = result.session
        return _answer(ask, reply, self.state(sid) == "active")

    def _played(self, sid: str, now: datetime) -> float | None:
        """Seconds of the step said so far, while a part's lines are being said; else None."""
        if sid not in self.part_began or self.state(sid) != "active":
            return None
        began, at = self.part_began[sid]
        return at + max(0.0, (now - began).total_seconds())

    def _note_part(self, sid: str, now: datetime, reply: Reply, session: dict[str, Any]) -> None:
        pos = seq.from_attributes(session.get("pos")) if reply.played and not reply.end else None
        if pos is not None:
            self.part_began[sid] = (now, float(seq.current_part(pos).at))
        elif reply.end or reply.played:
            self.part_began.pop(sid, None)

    def quiet(self, sid: str, uid: str) -> None:
        """OVOS no longer sends this conversation to the skill: the person walked away."""
        if sid in self.sessions:
            self.answer(sid, uid, Ask.GONE_QUIET, {})

    def state(self, sid: str) -> str:
        """Where the routine stands in this conversation: ready, active, paused or finished."""
        pos = (self.sessions.get(sid) or {}).get("pos") or {}
        return str(pos.get("state", "ready"))


def _answer(ask: Ask, reply: Reply, active: bool) -> Answer:
    """A question answered while a part plays ("how much is left") leaves the part's later
    lines to be said; anything that plays a part, pauses or ends stops them."""
    said = lines(reply.ssml)
    interrupts = reply.played or reply.end or not active
    return Answer(ask, said, reply.end, not reply.end and bool(said), interrupts)
