"""AWS Lambda entry for the Alexa skill: `handler(event, context)` takes Alexa's request
envelope and returns the response envelope.

No Flask on this path: it imports skill.alexa.adapter (ask-sdk-core) only. Alexa calls
the function through the `AlexaSkill` trigger that deploy/template.yaml restricts to your
skill id, so no signature check is needed here; ask-sdk-core still refuses a request for
another skill id. Per-user data goes to DynamoDB (RECOVERY_COACH_DYNAMODB_TABLE, set by
the template). The skill is built once per container, during Lambda's init phase.

Every plan streams: the tracks' origin (RECOVERY_COACH_AUDIO_BASE_URL) is the renderer
Lambda's Function URL, which makes a track when it is first asked for, and each time the
skill sends a track to the player the renderer is invoked asynchronously to render the rest
of the routine ahead (RECOVERY_COACH_RENDERER_FUNCTION, skill/aws/ahead.py).
"""

from __future__ import annotations

import os
from typing import Any

from skill.alexa import audio
from skill.alexa.adapter import Skill
from skill.alexa.envelope import BadRequest
from skill.aws.ahead import FUNCTION_ENV, render_ahead

RENDERER = os.environ.get(FUNCTION_ENV, "").strip()
SKILL = Skill(
    skill_id=os.environ.get("RECOVERY_COACH_SKILL_ID") or None,
    on_play=render_ahead(RENDERER, audio.voice()) if RENDERER else None,
)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return SKILL.respond(event)
    except BadRequest as e:  # not an Alexa request: say why in the log, answer nothing
        import logging  # only to say why: the skill's modules import it only when they log too

        logging.getLogger("recovery_coach.lambda").warning("refused a request: %s", e)
        return {"version": "1.0", "response": {}}
