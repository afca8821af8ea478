"""Recovery Coach as an Open Voice OS skill (ovos-workshop, the `ovos` extra), loaded by
OVOS through the `ovos.plugin.skill` entry point.

From idle, OVOS's intent pipeline matches the generated `.intent` files (opening the coach,
starting a routine, every red flag and warning sign), and anything else the coach
understands reaches it as a fallback; while a conversation is open, `converse()` takes
every utterance the coach understands before any intent matching ("next", "pause", "it
hurts", "how much is left"), so a red flag is heard in any state. The coach answers
(skill/ovos/front.py); the first line is spoken at once and each later line of a
routine's part is handed to OVOS's event scheduler for its moment. What moves the routine,
pauses or ends it cancels the lines still waiting; a question's answer leaves them be.

What must stay true: no conversation logic here, only OVOS messages in and speech out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovos_bus_client.message import Message
from ovos_bus_client.session import Session, SessionManager
from ovos_utils import classproperty
from ovos_utils.process_utils import RuntimeRequirements
from ovos_workshop.skills.converse import ConversationalSkill
from ovos_workshop.skills.fallback import FallbackSkill

from skill.coach.asks import Ask
from skill.ovos import locale
from skill.ovos.front import Answer, Coach
from skill.store.base import open_store

SKILL_ID = "recovery-coach.openvoiceos"
DB_NAME = "recovery-coach.sqlite3"
ASKS = {a.value for a in Ask}
# Between OVOS's medium and low matches: another skill's confident intent goes first, the
# coach then answers whatever its matcher understands, before chat or "I don't know" fallbacks.
FALLBACK_PRIORITY = 50


def _ids(session: Session) -> tuple[str, str]:
    """The conversation (OVOS's session) and the user: OVOS knows devices, not people, so
    what the coach keeps belongs to the device (its site)."""
    return str(session.session_id), f"ovos:{session.site_id or 'default'}"


class RecoveryCoachSkill(FallbackSkill, ConversationalSkill):  # type: ignore[misc]  # ovos-workshop is untyped
    @classproperty  # type: ignore[untyped-decorator]  # ovos-utils is untyped
    def runtime_requirements(self) -> RuntimeRequirements:
        """Fully offline: the coach, its phrasebook and its store are all on the device."""
        return RuntimeRequirements(
            internet_before_load=False,
            network_before_load=False,
            requires_internet=False,
            requires_network=False,
            no_internet_fallback=True,
            no_network_fallback=True,
        )

    def initialize(self) -> None:
        db = self.settings.get("db_path") or Path(self.file_system.path) / DB_NAME
        self.coach = Coach(open_store(db), locale.phrasebook())
        self.waiting: dict[str, list[str]] = {}  # session id -> names of the lines scheduled and not yet said
        self.spoken = 0  # numbers each scheduled line: a line from an earlier answer is never said
        for path in sorted(locale.LOCALE.glob("*.entity")):
            self.register_entity_file(path.name)
        for path in sorted(locale.LOCALE.glob("*.intent")):
            ask = Ask(path.stem) if path.stem in ASKS else None  # warning_signs: the matcher tells which
            self.register_intent_file(path.name, self._handler(ask))
        self.register_fallback(self._on_fallback, FALLBACK_PRIORITY)

    def _handler(self, ask: Ask | None) -> Callable[[Message], None]:
        def handle(message: Message) -> None:
            sid, uid = _ids(SessionManager.get(message))
            said = str(message.data.get("utterance", ""))
            answer = self.coach.hear(sid, uid, said, ask)
            if answer is not None:
                self._say(sid, answer)

        return handle

    def can_answer(self, message: Message) -> bool:
        """OVOS's intent pipeline matched nothing: whether the coach understands the words."""
        return any(self.coach.understand(u) for u in message.data.get("utterances") or [])

    def _on_fallback(self, message: Message) -> bool:
        """Anything else the coach understands, said from idle ("what have I done this week")."""
        return self._answer_first(message)

    def _answer_first(self, message: Message) -> bool:
        """Say the answer to the first of the utterances the coach understands, if any."""
        sid, uid = _ids(SessionManager.get(message))
        for said in message.data.get("utterances") or []:
            answer = self.coach.hear(sid, uid, said)
            if answer is not None:
                self._say(sid, answer)
                return True
        return False

    def can_converse(self, message: Message) -> bool:
        sid, _ = _ids(SessionManager.get(message))
        utterances = message.data.get("utterances") or []
        return self.coach.in_conversation(sid) and any(self.coach.understand(u) for u in utterances)

    def converse(self, message: Message) -> bool:
        return self.coach.in_conversation(_ids(SessionManager.get(message))[0]) and self._answer_first(message)

    def can_stop(self, message: Message) -> bool:
        return self.coach.in_conversation(_ids(SessionManager.get(message))[0])

    def stop_session(self, session: Session) -> bool:
        """OVOS heard "stop" (its own stop pipeline): the coach's stop, which saves the place."""
        sid, uid = _ids(session)
        if not self.coach.in_conversation(sid):
            return False
        self._say(sid, self.coach.answer(sid, uid, Ask.STOP, {}))
        return True

    def handle_deactivate(self, message: Message) -> None:
        """OVOS stopped sending this conversation to the skill: the person walked away."""
        sid, uid = _ids(SessionManager.get(message))
        self._cancel(sid)
        self.coach.quiet(sid, uid)

    def _say(self, sid: str, answer: Answer) -> None:
        """The first line now, each later one at its moment; then the mic opens (unless the
        conversation ended, when the skill steps back)."""
        if answer.interrupts:
            self._cancel(sid)
        last = len(answer.lines) - 1
        for i, line in enumerate(answer.lines):
            listen = answer.listen and i == last and not self.waiting.get(sid)
            if line.at <= 0:
                self.speak(line.text, expect_response=listen)
                continue
            self.spoken += 1
            name = f"line{self.spoken}"
            data = {"text": line.text, "listen": listen, "sid": sid, "number": self.spoken}
            self.schedule_event(self._on_line, line.at, data=data, name=name)
            self.waiting.setdefault(sid, []).append(name)
        if answer.end:
            self.deactivate()

    def _on_line(self, message: Message) -> None:
        """A scheduled line's moment: said if its answer is still the latest."""
        data: dict[str, Any] = message.data
        names = self.waiting.get(str(data.get("sid")), [])
        name = f"line{data.get('number')}"
        if name not in names:
            return
        names.remove(name)
        self.activate()  # a routine under way keeps the skill listening
        self.speak(str(data.get("text", "")), expect_response=bool(data.get("listen")))

    def _cancel(self, sid: str) -> None:
        for name in self.waiting.pop(sid, []):
            self.cancel_scheduled_event(name)

    def shutdown(self) -> None:
        for sid in list(self.waiting):
            self._cancel(sid)
