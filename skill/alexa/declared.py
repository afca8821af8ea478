"""What the manifest must declare for what the code sends: `model --check` fails without it,
since Alexa refuses a directive or an API call the skill has not declared."""

from __future__ import annotations

from typing import Any

from skill.alexa.reminders import PERMISSION


def check_declared(manifest: dict[str, Any]) -> list[str]:
    m = manifest["manifest"]
    interfaces = m["apis"]["custom"]["interfaces"]
    permissions = {p.get("name") for p in m.get("permissions", ())}
    problems = []
    if {"type": "AUDIO_PLAYER"} not in interfaces:  # else Alexa rejects every Play directive
        problems.append("the manifest must declare the AUDIO_PLAYER interface (routines stream with AudioPlayer)")
    if {"type": "ALEXA_PRESENTATION_APL"} not in interfaces:  # else Alexa refuses every RenderDocument
        problems.append("the manifest must declare the ALEXA_PRESENTATION_APL interface (step screens use APL)")
    if PERMISSION not in permissions:  # else the Reminders API refuses every reminder
        problems.append(f"the manifest must declare the permission {PERMISSION} (the skill sets reminders)")
    return problems
