"""How long speech takes, estimated from its words: the one place the rate is stated.

Alexa's default voice speaks about 150 words a minute; a sentence or clause break adds a
short pause. The SSML renderer sizes its breaks with this estimate; the local renderer
measures real synthesized audio instead.
"""

import re

WORDS_PER_MINUTE = 150
PAUSE_SECONDS = 0.3  # after each sentence end or comma

_WORD = re.compile(r"[A-Za-z0-9']+")
_PAUSE = re.compile(r"[.!?,;:]")


def estimate_seconds(text: str) -> float:
    words = len(_WORD.findall(text))
    return words * 60.0 / WORDS_PER_MINUTE + len(_PAUSE.findall(text)) * PAUSE_SECONDS
