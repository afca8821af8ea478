"""The interaction model's phrasebook syntax: one line stands for many samples.

"(a|b)" is one of the choices, "[x]" is x or nothing, nesting is allowed, and a slot
carrier such as {duration} is kept as it is. "(start|begin) [a] {duration} routine"
stands for four samples. skill/alexa/interaction_model.yaml documents it for writers.
"""

from __future__ import annotations


def expand(template: str) -> list[str]:
    """Every sample a phrasebook line stands for: "(a|b)" is one of them, "[x]" is x or
    nothing, nesting allowed, {slot} kept as it is; spaces tidied, order kept."""
    alternatives, end = _alternatives(template, 0)
    if end != len(template):
        raise ValueError(f"unbalanced brackets in sample '{template}'")
    return list(dict.fromkeys(" ".join(a.split()) for a in alternatives if a.strip()))


def _alternatives(text: str, i: int) -> tuple[list[str], int]:
    """Parse `seq ('|' seq)*` from i; stops before ')' or ']'."""
    out: list[str] = []
    while True:
        options, i = _sequence(text, i)
        out += options
        if i < len(text) and text[i] == "|":
            i += 1
            continue
        return out, i


def _sequence(text: str, i: int) -> tuple[list[str], int]:
    done = [""]
    while i < len(text) and text[i] not in "|)]":
        if text[i] in "([":
            close = ")" if text[i] == "(" else "]"
            options, i = _alternatives(text, i + 1)
            if i >= len(text) or text[i] != close:
                raise ValueError(f"unbalanced brackets in sample '{text}'")
            i += 1
            options = options + [""] if close == "]" else options
        else:
            j = i
            while j < len(text) and text[j] not in "([|)]":
                j += 1
            options, i = [text[i:j]], j
        done = [d + o for d in done for o in options]
    return done, i
