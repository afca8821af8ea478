"""Render a script as Alexa responses, and check SSML against Alexa's rules.

One response per part of a step (speech/parts.py splits a step longer than one response
can hold, at a cue). Each cue is followed by a break that fills the gap to the next cue
minus the estimated time to say the cue, so the responses keep the script's schedule.
Each response ends with a short prompt saying what to say next (the mic opens only
after speech ends).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from content.phrases import phrase
from speech.parts import MAX_CACHED, RESPONSE_BUDGET, Part, split_step
from speech.script import Script
from speech.timing import estimate_seconds

if TYPE_CHECKING:  # the XML parser is imported where SSML is read back, not on every cold start
    import xml.etree.ElementTree as ET

MAX_BREAK_SECONDS = 10.0
MAX_RESPONSE_SECONDS = 240.0
MAX_SSML_CHARS = 8000

ALLOWED_TAGS = {
    "speak",
    "break",
    "p",
    "s",
    "emphasis",
    "prosody",
    "say-as",
    "sub",
    "phoneme",
    "w",
    "audio",
    "lang",
    "voice",
    "mark",
    "amazon:effect",
    "amazon:domain",
    "amazon:emotion",
}
BREAK_STRENGTHS = {"none", "x-weak", "weak", "medium", "strong", "x-strong"}
_TIME = r"^(\d+(?:\.\d+)?)(s|ms)$"  # compiled by re on first use: only SSML read back needs it
# Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF): SSML with one is not XML.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
HEARD_CHARS = 40  # user text said back ("I don't know a movement called ...") is cut to this


@dataclass(frozen=True)  # compares by value: the same step renders equal responses, cached or not
class Response:
    """One part of a step rendered as SSML."""

    step: int
    part: int  # which piece of the step, from 0
    parts: int  # how many pieces the step has
    ssml: str
    estimated_seconds: float
    at: float  # where in the step (seconds) its first cue falls


def breaks(seconds: float) -> str:
    """Silence as a chain of breaks, none over 10 s; nothing under 0.1 s."""
    ms = int(round(seconds * 10)) * 100
    out = []
    while ms >= 100:
        chunk = min(ms, int(MAX_BREAK_SECONDS * 1000))
        out.append(f'<break time="{chunk // 1000}s"/>' if chunk % 1000 == 0 else f'<break time="{chunk}ms"/>')
        ms -= chunk
    return "".join(out)


def speak(*pieces: str) -> str:
    """Wrap already-escaped SSML pieces in <speak>."""
    return "<speak>" + " ".join(p for p in pieces if p) + "</speak>"


def escape(words: str) -> str:
    """& < > escaped (xml.sax.saxutils.escape's work, without its import of urllib, http and ssl)."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(words: str) -> str:
    """Plain words as SSML text: escaped, with the characters XML forbids dropped."""
    return escape(FORBIDDEN.sub("", words))


def heard(words: object, limit: int = HEARD_CHARS) -> str:
    """User text (a slot value) fit to be said back: only characters XML allows, spaces
    collapsed, and at most `limit` characters, cut at a word boundary when there is one."""
    if not isinstance(words, str):
        return ""
    clean = " ".join(FORBIDDEN.sub("", words[: limit * 4]).split())
    if len(clean) <= limit:
        return clean
    cut = clean[: limit + 1].rsplit(" ", 1)[0] if " " in clean[: limit + 1] else clean[:limit]
    return cut[:limit].rstrip()


def prepend(ssml: str | None, words: str) -> str:
    """SSML with plain `words` (escaped here) spoken first; only the words when there is none."""
    if ssml is None:
        return speak(text(words))
    return ssml.replace("<speak>", "<speak>" + text(words) + " ", 1) if words else ssml


SLOW_RATE = "90%"  # "slow down": the words a little slower; breaks keep their length, so a part stays in budget


def slowed(ssml: str) -> str:
    """SSML whose words are spoken at SLOW_RATE (Alexa's <prosody rate>; breaks inside keep their length)."""
    if not ssml.startswith("<speak>") or not ssml.endswith("</speak>"):
        return ssml
    return f'<speak><prosody rate="{SLOW_RATE}">{ssml[7:-8]}</prosody></speak>'


def render_step(script: Script, index: int, limit: float = RESPONSE_BUDGET) -> list[Response]:
    """The responses for one step, one per part (speech.parts says where it splits).
    Callers `prepend` anything said before it."""
    return [_render(part) for part in split_step(script, index, limit)]


@functools.lru_cache(maxsize=MAX_CACHED)
def render_part(part: Part) -> Response:
    """One part as a response, cached (bounded) by the part itself: a Part hashes by identity,
    and speech.parts.parts_for gives the same Part objects for the same plan inputs and step.
    The cache holds the parts it keys on, so no other part can take a kept one's identity."""
    return _render(part)


def _render(part: Part) -> Response:
    """Each cue, the silence after it, and the closing prompt."""
    body = " ".join(text(cue.text) + breaks(pause) for cue, pause in zip(part.cues, part.pauses))
    ssml = speak(body, text(phrase(part.prompt)))
    return Response(part.step, part.index, part.count, ssml, part.estimated_seconds, part.at)


def render_script(script: Script) -> list[Response]:
    return [r for i in range(len(script.steps)) for r in render_step(script, i)]


def estimate_ssml_seconds(ssml: str) -> float:
    """Spoken time of an SSML document: its words plus its breaks."""
    root = _parse(ssml)
    words = " ".join(root.itertext())
    pause = sum(_break_seconds(e.get("time", "")) or 0.0 for e in root.iter("break"))
    return estimate_seconds(words) + pause


def _break_seconds(value: str) -> float | None:
    m = re.match(_TIME, value)
    if not m:
        return None
    n = float(m.group(1))
    return n / 1000 if m.group(2) == "ms" else n


def _parse(ssml: str) -> ET.Element:
    import xml.etree.ElementTree as ET  # noqa: N817 (the module's usual short name)

    # Alexa's amazon: tags come without a namespace declaration; declare one to parse.
    declared = re.sub(r"^<speak", '<speak xmlns:amazon="urn:amazon"', ssml.strip(), count=1)
    root = ET.fromstring(declared)
    for e in root.iter():
        e.tag = e.tag.replace("{urn:amazon}", "amazon:")
    return root


def segments(ssml: str | None) -> list[str | float]:
    """An SSML document as what a listener hears, in order: text (str) and silences
    (float seconds, runs of breaks merged). The chat simulator prints and speaks this."""
    if not ssml:
        return []
    out: list[str | float] = []

    def add(piece: str | float) -> None:
        if isinstance(piece, str):
            piece = " ".join(piece.split())
            if not piece:
                return
            if out and isinstance(out[-1], str):
                out[-1] = f"{out[-1]} {piece}"
                return
        elif out and isinstance(out[-1], float):
            out[-1] += piece
            return
        out.append(piece)

    def walk(e: ET.Element) -> None:
        if e.tag == "break":
            add(_break_seconds(e.get("time", "")) or 0.0)
        add(e.text or "")
        for child in e:
            walk(child)
            add(child.tail or "")

    walk(_parse(ssml))
    return out


def validate_ssml(ssml: object) -> list[str]:
    """What is wrong with an SSML document by Alexa's rules; empty when it is fine.
    Every problem is a finding: this never raises, whatever it is given."""
    if not isinstance(ssml, str):
        return [f"SSML must be text, not {type(ssml).__name__}"]
    bad = FORBIDDEN.search(ssml)
    if bad:
        return [f"contains U+{ord(bad.group()):04X} at {bad.start()}, a character XML 1.0 forbids"]
    try:
        return _problems(ssml)
    except Exception as e:  # a finding, not a crash: the validator guards speech, it must not break it
        return [f"could not be checked ({type(e).__name__})"]


def _problems(ssml: str) -> list[str]:
    problems: list[str] = []
    if len(ssml) >= MAX_SSML_CHARS:
        problems.append(f"SSML is {len(ssml)} characters; Alexa takes under {MAX_SSML_CHARS}")
    from xml.etree.ElementTree import ParseError

    try:
        root = _parse(ssml)
    except (ParseError, RecursionError) as e:
        return problems + [f"not well-formed XML ({e}); unescaped & < > in text?"]
    if root.tag != "speak":
        problems.append("the root element must be <speak>")
    for el in root.iter():
        if el.tag not in ALLOWED_TAGS:
            problems.append(f"tag <{el.tag}> is not supported by Alexa")
        if el.tag == "break":
            if set(el.attrib) - {"time", "strength"}:
                problems.append(f"break has unsupported attributes {sorted(el.attrib)}")
            if "time" in el.attrib:
                secs = _break_seconds(el.attrib["time"])
                if secs is None:
                    problems.append(f"break time '{el.get('time')}' is not like 500ms or 2s")
                elif secs > MAX_BREAK_SECONDS:
                    problems.append(f"break of {secs:g}s is longer than {MAX_BREAK_SECONDS:g}s")
            if "strength" in el.attrib and el.get("strength") not in BREAK_STRENGTHS:
                problems.append(f"break strength '{el.get('strength')}' is not one of Alexa's")
    if not problems:
        total = estimate_ssml_seconds(ssml)
        if total > MAX_RESPONSE_SECONDS:
            problems.append(f"response is about {total:.0f}s long; the limit is {MAX_RESPONSE_SECONDS:.0f}s")
    return problems
