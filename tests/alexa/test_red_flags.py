"""A red flag's reply is short (about twenty seconds at most), names
what was heard rather than reading all five flags, and ends the session."""

from __future__ import annotations

import pytest

from skill.sim.chat import ssml_to_text
from speech.ssml import estimate_ssml_seconds, validate_ssml

SAID = {
    "I have a sharp pain in my knee": "sharp or sudden pain",
    "my leg has been hurting for two weeks": "more than a week",
    "there is bruising on my thigh": "swelling, bruising or deformity",
    "I can't put weight on my leg": "bear weight",
    "it hurts more when I move": "gets worse with the movements",
}


@pytest.mark.parametrize("said, named", SAID.items(), ids=list(SAID))
def test_a_red_flag_mid_routine_gets_a_short_reply_naming_it(talk, said, named):
    talk.say("open recovery coach")
    talk.say("yes")
    talk.say(said)
    heard = ssml_to_text(talk.speech)
    assert validate_ssml(talk.speech) == []
    assert named in heard and "consult a healthcare professional" in heard
    assert [other for other in SAID.values() if other != named and other in heard] == []
    assert estimate_ssml_seconds(talk.speech) <= 20
    assert talk.ended and talk.attributes.get("pos") is None
