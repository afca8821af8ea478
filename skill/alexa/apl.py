"""The coach's `Screen` as an Echo Show draws it: Alexa.Presentation.APL.RenderDocument with
the step screen (apl_step.yaml, a data file with its JSON twin) and the screen's data, sent
with each spoken part to a device whose request lists Alexa.Presentation.APL; and its
buttons' UserEvents as the coach's asks. Devices without APL get no directive at all."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from content import sources
from content.phrases import phrase
from skill.alexa.audio import base_url
from skill.coach.asks import Ask
from skill.coach.screen import Screen

if TYPE_CHECKING:
    from ask_sdk_model.directive import Directive

DOCUMENT = Path(__file__).with_name("apl_step.yaml")
TOKEN = "recovery-coach-step"  # the document's token: UserEvents from its buttons carry it
BUTTONS = {"pause": Ask.PAUSE, "back": Ask.PREVIOUS, "next": Ask.NEXT}  # SendEvent argument -> ask
BUTTON_KEYS = {"pause": "screen.pause", "back": "screen.back", "next": "screen.next_button"}


@functools.cache
def document() -> dict[str, Any]:
    doc = sources.load(DOCUMENT)
    assert isinstance(doc, dict)
    return doc


def datasources(screen: Screen) -> dict[str, Any]:
    """The data the document binds as `payload`: every ${payload.step.*} it names."""
    from speech.local.cards import card_path

    origin = base_url()
    art, background = (
        (f"{origin}{card_path(screen.movement_id, kind)}" for kind in ("art", "background")) if origin else ("", "")
    )
    step = {
        "title": screen.title,
        "cue": screen.cue,
        "seconds": screen.seconds,
        "next": screen.next,
        "progress": screen.progress,
        "done": f"{round(screen.done * 90)}vw",  # the bar is 90vw wide
        "art": art,
        "background": background,
        "buttons": [{"ask": arg, "label": phrase(BUTTON_KEYS[arg])} for arg in BUTTONS],
    }
    return {"step": step}


def render(screen: Screen) -> Directive:
    from ask_sdk_model.interfaces.alexa.presentation.apl.render_document_directive import RenderDocumentDirective

    return RenderDocumentDirective(token=TOKEN, document=document(), datasources=datasources(screen))


def ask_of_touch(req: Any) -> Ask:
    """A button's UserEvent as the ask it stands for (anything else: not understood)."""
    arguments = getattr(req, "arguments", None)
    first = arguments[0] if isinstance(arguments, list) and arguments else None
    return BUTTONS.get(first, Ask.UNCLEAR) if isinstance(first, str) else Ask.UNCLEAR
