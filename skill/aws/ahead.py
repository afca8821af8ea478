"""What the skill's Lambda calls when it sends a step's track to the player: the renderer
Lambda is invoked asynchronously (InvocationType "Event") with the keys of that step and
the steps after it, so each is in the bucket before the player asks for it. The step sent
is among them: a player fetches it only once Alexa has spoken the reply, and the render
started now is then under way or done (the renderer renders a track once, whoever asks).

What must stay true: the invoke never delays or breaks the skill's answer beyond its short
timeouts; a failure is logged, and the player's own request renders the track then.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from content.planner import PlanInputs
from speech.local.engine import DEFAULT_RATE
from speech.local.trackkey import TrackRef

FUNCTION_ENV = "RECOVERY_COACH_RENDERER_FUNCTION"
log = logging.getLogger("recovery_coach.aws")


def keys_from(inputs: PlanInputs, step: int, voice: str) -> list[str]:
    """The keys of the routine's tracks from `step` on, in the voice and rate the skill streams."""
    steps = len(TrackRef(inputs, step, voice, DEFAULT_RATE).script.steps)
    return [TrackRef(inputs, later, voice, DEFAULT_RATE).key for later in range(step, steps)]


def render_ahead(function: str, voice: str, client: Any = None) -> Callable[[PlanInputs, int], None]:
    """An `on_play` for skill.alexa.adapter.Skill that asks `function` to render ahead."""
    made: list[Any] = [client]

    def lambda_client() -> Any:
        if made[0] is None:  # made on the first routine, not at every cold start
            import boto3
            from botocore.config import Config

            made[0] = boto3.client(
                "lambda", config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
            )
        return made[0]

    def rest_of_routine(inputs: PlanInputs, step: int) -> None:
        keys = keys_from(inputs, step, voice)
        if not keys:
            return
        try:
            payload = json.dumps({"ahead": keys}).encode()
            lambda_client().invoke(FunctionName=function, InvocationType="Event", Payload=payload)
        except Exception as e:  # the player's requests render the tracks then
            log.warning("could not ask the renderer to render ahead: %s", e)

    return rest_of_routine
