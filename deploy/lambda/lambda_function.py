"""AWS Lambda entry for the Alexa skill: `handler(event, context)` takes Alexa's request
envelope and returns the response envelope.

No Flask on this path: it imports skill.alexa.adapter (ask-sdk-core) only. Alexa calls
the function through the `AlexaSkill` trigger that deploy/template.yaml restricts to your
skill id, so no signature check is needed here; ask-sdk-core still refuses a request for
another skill id. Per-user data goes to DynamoDB (RECOVERY_COACH_DYNAMODB_TABLE, set by
the template). The skill is built once per container, during Lambda's init phase.
"""

from __future__ import annotations

import os
from typing import Any

from skill.alexa.adapter import Skill
from skill.alexa.envelope import BadRequest

SKILL = Skill(skill_id=os.environ.get("RECOVERY_COACH_SKILL_ID") or None)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return SKILL.respond(event)
    except BadRequest as e:  # not an Alexa request: say why in the log, answer nothing
        import logging  # only to say why: the skill's modules import it only when they log too

        logging.getLogger("recovery_coach.lambda").warning("refused a request: %s", e)
        return {"version": "1.0", "response": {}}
