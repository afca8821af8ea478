"""What reaches the skill while its audio plays, as on a real Echo.

While a skill's stream plays (or is paused), only the playback built-ins reach it without
its name; anything else goes to Alexa herself, who answers on her own while the routine
plays on, unless the person names the skill ("Alexa, tell Recovery Coach it hurts", which
opens a session) or a session is open (the skill asked a question and the mic is open).
"""

from __future__ import annotations

from skill.sim.chat import Match

# Amazon's playback built-ins: the intents a playing skill hears without its name.
PLAYBACK_BUILTINS = frozenset(
    f"AMAZON.{name}Intent"
    for name in (
        "Pause",
        "Resume",
        "Next",
        "Previous",
        "Repeat",
        "StartOver",
        "Stop",
        "Cancel",
        "LoopOn",
        "LoopOff",
        "ShuffleOn",
        "ShuffleOff",
    )
)
NOT_HEARD = "[Alexa answers on her own: the skill does not hear this]"


def mid_stream(activity: str, has_track: bool) -> bool:
    """Whether the skill's audio is playing, or stopped partway (paused)."""
    return has_track and activity in ("PLAYING", "STOPPED")


def heard(m: Match, *, session_open: bool, streaming: bool) -> bool:
    """Whether what was said reaches the skill (see the module's docstring)."""
    return session_open or not streaming or m.new_session or m.intent in PLAYBACK_BUILTINS
