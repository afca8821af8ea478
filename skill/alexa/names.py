"""Alexa's names for what a person asks, and for what the player reports, in the coach's words.

The custom intents are named after the coach's asks (`StartRoutineIntent` is
`Ask.START_ROUTINE`); Amazon's built-ins are listed. Anything else is `Ask.UNCLEAR`. The
interaction model (skill/alexa/model.py) names the phrasebook's asks and slot types here.
"""

from __future__ import annotations

from skill.coach.asks import Ask
from skill.coach.player_events import PlayerEvent

BUILTINS = {
    "AMAZON.NextIntent": Ask.NEXT,
    "AMAZON.PreviousIntent": Ask.PREVIOUS,
    "AMAZON.RepeatIntent": Ask.REPEAT,
    "AMAZON.PauseIntent": Ask.PAUSE,
    "AMAZON.ResumeIntent": Ask.RESUME,
    "AMAZON.StartOverIntent": Ask.START_OVER,
    "AMAZON.HelpIntent": Ask.HELP,
    "AMAZON.StopIntent": Ask.STOP,
    "AMAZON.CancelIntent": Ask.CANCEL,
    "AMAZON.NavigateHomeIntent": Ask.HOME,
    "AMAZON.FallbackIntent": Ask.UNCLEAR,
    "AMAZON.YesIntent": Ask.YES,
    "AMAZON.NoIntent": Ask.NO,
    "AMAZON.LoopOnIntent": Ask.LOOP_ON,
    "AMAZON.LoopOffIntent": Ask.LOOP_OFF,
    "AMAZON.ShuffleOnIntent": Ask.SHUFFLE_ON,
    "AMAZON.ShuffleOffIntent": Ask.SHUFFLE_OFF,
}
# Custom intents the coach has no ask for (none today) would fall to UNCLEAR, as Alexa's
# fallback does; asks that are not intents on Alexa:
# (the answer to the platform's permission question comes as Connections.Response)
NOT_INTENTS = (Ask.LAUNCH, Ask.GONE_QUIET, Ask.UNCLEAR, Ask.REMINDER_ALLOWED, Ask.REMINDER_REFUSED, *BUILTINS.values())
CUSTOM = {f"{ask.value}Intent": ask for ask in Ask if ask not in NOT_INTENTS}
PLAYER_EVENTS = {
    "AudioPlayer.PlaybackStarted": PlayerEvent.STARTED,
    "AudioPlayer.PlaybackNearlyFinished": PlayerEvent.NEARLY_FINISHED,
    "AudioPlayer.PlaybackFinished": PlayerEvent.FINISHED,
    "AudioPlayer.PlaybackStopped": PlayerEvent.STOPPED,
    "AudioPlayer.PlaybackFailed": PlayerEvent.FAILED,
    "PlaybackController.PlayCommandIssued": PlayerEvent.PLAY,
    "PlaybackController.PauseCommandIssued": PlayerEvent.PAUSE,
    "PlaybackController.NextCommandIssued": PlayerEvent.NEXT,
    "PlaybackController.PreviousCommandIssued": PlayerEvent.PREVIOUS,
}
# SessionEndedRequest reasons meaning the person said nothing more (None: Alexa did not say).
QUIET_REASONS = (None, "EXCEEDED_MAX_REPROMPTS")


# The coach's slot types heard as phrases (skill/coach/phrasebook.py DURATION, TIME; named here
# without importing its matcher), as Alexa's built-in slot types: the model's, and what the
# chat simulator sends (ISO-8601 durations and times).
SLOT_TYPES = {"Duration": "AMAZON.DURATION", "Time": "AMAZON.TIME"}
INTENT_NAMES = {ask: name for name, ask in {**CUSTOM, **BUILTINS}.items()}  # UNCLEAR is AMAZON.FallbackIntent


def ask_of(intent_name: str) -> Ask:
    """The coach's ask for an Alexa intent name."""
    return BUILTINS.get(intent_name) or CUSTOM.get(intent_name) or Ask.UNCLEAR


def intent_name(ask: Ask) -> str:
    """Alexa's intent name for one of the coach's asks (KeyError: an ask that is no intent on Alexa)."""
    return INTENT_NAMES[ask]


def slot_type(type_name: str) -> str:
    """Alexa's slot type for one of the coach's (its own custom types keep their names)."""
    return SLOT_TYPES.get(type_name, type_name)
