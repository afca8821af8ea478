"""The neural voice speaks a cue one sentence at a time: each sentence is its own clip, and a
cue of several is its sentences joined by GAP_S of silence (about the pause Piper leaves
between the sentences of one text).

Why: a sentence is the unit work is shared and done in. The same sentence in many cues
("Well done.", "Keep every movement gentle, and stop if anything causes sharp pain.") is
synthesized once per voice and rate, and cached once; a track sent as it is made can start
once the first sentence is said, not the whole first cue; and a render ahead gives way to a
listener's request after at most one sentence.

What must stay true: `join(clips of parts(text))` is the cue's clip, sample for sample, so a
track made sentence by sentence (`tracks.progressive`) is the track made from whole clips. espeak-ng says
each cue whole, as before (its clips are cheap, and its own pauses are kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from speech.local.pcm import Clip, silence

GAP_S = 0.25  # between two sentences of one cue: Piper's own trailing and leading quiet, trimmed
# A sentence ends at . ! or ? after a lowercase letter or digit ("I.T. band" is one sentence).
_END = re.compile(r"(?<=[a-z0-9][.!?])\s+(?=\S)")
_GAP = silence(GAP_S)
GAP_FRAMES = len(_GAP) // 2


def split(text: str) -> list[str]:
    """The sentences of `text`, in order (the text itself when it is one)."""
    return [part for part in _END.split(text.strip()) if part] or [text]


def parts(kind: str, text: str) -> list[str]:
    """What a voice of `kind` says as one clip each: sentences for the neural voice."""
    return split(text) if kind == "neural" else [text]


def join(clips: list[Clip]) -> Clip:
    """Sentence clips as one cue's clip: GAP_S of silence between each two."""
    return clips[0] if len(clips) == 1 else Clip(_GAP.join(c.pcm for c in clips))


def spoken(kind: str, text: str, clip: Callable[[str], Clip]) -> Clip:
    """A cue's clip, made sentence by sentence with `clip` (one sentence's clip)."""
    return join([clip(part) for part in parts(kind, text)])
