"""The step screen of an Echo Show as `recovery-coach chat --screen` shows it: the device
declares Alexa.Presentation.APL; what each answer's RenderDocument would show is printed as
text (the countdown as it starts), and `[pause]`, `[back]`, `[next]` touch its buttons,
sent as Alexa.Presentation.APL.UserEvent with the document's token."""

from __future__ import annotations

import re
from typing import Any

from skill.sim.chat import Conversation

APL: dict[str, Any] = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.2"}}}
TOUCH = re.compile(r"\[(pause|back|next)\]")


def rendered(body: dict[str, Any]) -> dict[str, Any] | None:
    """The RenderDocument directive of a response, if it has one."""
    for d in (body.get("response") or {}).get("directives") or ():
        if d.get("type") == "Alexa.Presentation.APL.RenderDocument":
            return dict(d)
    return None


def screen_text(body: dict[str, Any]) -> str | None:
    """What the screen shows, in a line: "[screen] Leg swings: Stand tall... | 1:20 | ..."."""
    d = rendered(body)
    if d is None:
        return None
    s = d["datasources"]["step"]
    clock = f"{s['seconds'] // 60}:{s['seconds'] % 60:02d}"
    buttons = " ".join(f"[{b['label']}]" for b in s["buttons"])
    return f"[screen] {s['title']}: {s['cue']} | {clock} | {s['next']} | {s['progress']} | {buttons}"


def touch(conv: Conversation, argument: str, token: str) -> dict[str, Any]:
    """A button pressed: the UserEvent its SendEvent sends, in the open session."""
    _, body = conv.request(
        {"type": "Alexa.Presentation.APL.UserEvent", "token": token, "arguments": [argument], "source": {}}
    )
    return body
