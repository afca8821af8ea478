"""What changing the routine does that a transcript cannot show: "slow down" slows the
words of every cue from then on (Alexa's prosody rate), and the place stays where it was."""

from __future__ import annotations

from skill.sim.chat import Conversation
from speech.ssml import SLOW_RATE, validate_ssml


def test_slow_down_speaks_the_cues_more_slowly_from_then_on(talk):
    conv = Conversation(talk.send)
    conv.say("start a ten minute routine")
    assert "<prosody" not in (conv.speech or "")
    conv.say("slow down")
    assert (conv.attributes.get("pos") or {}).get("at") == [0, 0]
    conv.say("next")
    assert f'<prosody rate="{SLOW_RATE}">' in conv.speech
    assert validate_ssml(conv.speech) == []
    conv.say("stop")
    conv.say("open recovery coach")
    conv.say("yes")
    assert f'<prosody rate="{SLOW_RATE}">' in conv.speech, "kept with the preferences"
