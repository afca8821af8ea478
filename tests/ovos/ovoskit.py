"""Talking to the OVOS skill as OVOS's listener does: an utterance on the bus, in a session
that carries what OVOS updates (its active skills), and every message until OVOS says the
utterance was handled. The scheduler is played by the test: a scheduled line is said when
the test emits its event, as OVOS's event scheduler would at its time (the fake clock)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ovos_bus_client.message import Message
from ovos_bus_client.session import Session

from skill.ovos.skill import SKILL_ID

__all__ = ["SKILL_ID", "Talk"]


@dataclass
class Talk:
    croft: Any
    site: str = field(default_factory=lambda: f"site-{uuid.uuid4().hex[:8]}")
    context: dict[str, Any] = field(default_factory=dict)
    scheduled: list[Message] = field(default_factory=list)  # lines waiting for their moment, in order
    messages: list[Message] = field(default_factory=list)  # every message of the last utterance

    def __post_init__(self) -> None:
        session = Session(session_id=f"s-{self.site}", site_id=self.site)
        self.context = {"session": session.serialize(), "source": "test", "destination": "skills"}

    @property
    def skill(self) -> Any:
        return self.croft.plugin_skills[SKILL_ID].instance

    @property
    def sid(self) -> str:
        return f"s-{self.site}"

    def say(self, utterance: str) -> list[Message]:
        """Everything on the bus from the utterance until it is handled."""
        return self._until_handled(
            Message("recognizer_loop:utterance", {"utterances": [utterance], "lang": "en-US"}, self.context)
        )

    def _until_handled(self, message: Message) -> list[Message]:
        seen: list[Message] = []
        done = threading.Event()

        def keep(raw: str) -> None:
            seen.append(Message.deserialize(raw))

        bus = self.croft.bus
        bus.on("message", keep)
        # OVOS's stop pipeline ends with the skill's stop response (it sends no "handled" after it).
        for end in ("ovos.utterance.handled", f"{SKILL_ID}.stop.response"):
            bus.on(end, lambda _: done.set())
        bus.emit(message)
        handled = done.wait(5)
        bus.remove("message", keep)
        self.messages = seen
        assert handled, f"not handled: {message.data}"
        bus.remove("message", keep)
        self._settle(seen)
        return seen

    def _settle(self, seen: list[Message]) -> None:
        self.messages = seen
        for m in seen:
            if m.msg_type == "mycroft.scheduler.schedule_event":
                self.scheduled.append(m)
            elif m.msg_type == "mycroft.scheduler.remove_event":
                self.scheduled = [s for s in self.scheduled if s.data["event"] != m.data["event"]]
        sessions = [m.context["session"] for m in seen if "session" in m.context]
        if sessions:
            self.context = {**self.context, "session": sessions[-1]}

    def tick(self) -> list[Message]:
        """The clock reaches the next scheduled line: the scheduler emits its event (and the
        coach's clock reads that moment from then on)."""
        event = self.scheduled.pop(0)
        moment = datetime.fromtimestamp(event.data["time"], UTC)
        self.skill.coach.clock = lambda: moment
        return self.emit(Message(event.data["event"], event.data["data"], event.context))

    def emit(self, message: Message) -> list[Message]:
        seen: list[Message] = []

        def keep(raw: str) -> None:
            seen.append(Message.deserialize(raw))

        self.croft.bus.on("message", keep)
        self.croft.bus.emit(message)
        self.croft.bus.remove("message", keep)
        return seen


def spoken(messages: list[Message]) -> list[str]:
    return [m.data["utterance"] for m in messages if m.msg_type == "speak"]


def later(messages: list[Message]) -> list[str]:
    """The lines an answer handed to the scheduler, in order."""
    return [m.data["data"]["text"] for m in messages if m.msg_type == "mycroft.scheduler.schedule_event"]
