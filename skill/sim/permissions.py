"""Alexa's own question when the skill asks for a permission by voice (reminders), as the
chat simulator plays it: the skill's answer holds `Connections.StartConnection`; Alexa asks
the person, and sends their answer back as a SessionResumedRequest with the skill's token,
in the same session."""

from __future__ import annotations

from typing import Any

from skill.sim.chat import Conversation

QUESTION = "[Alexa asks: Do you give Recovery Coach permission to set reminders? Say yes or no]"


def permission_token(body: dict[str, Any]) -> str | None:
    """The token of the permission question in a response, if it asks one."""
    for d in (body.get("response") or {}).get("directives") or ():
        if d.get("type") == "Connections.StartConnection":
            token = d.get("token")
            return token if isinstance(token, str) else ""
    return None


def answer_permission(conv: Conversation, token: str, allowed: bool) -> dict[str, Any]:
    """The person's answer, as Alexa sends it to the skill."""
    result = {"status": "ACCEPTED" if allowed else "DENIED", "isCardThrown": False}
    status = {"code": "200", "message": "OK"}
    cause = {"type": "ConnectionCompleted", "token": token, "status": status, "result": result}
    _, body = conv.request({"type": "SessionResumedRequest", "cause": cause})
    return body
