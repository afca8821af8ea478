"""The coach's `Audio` as Alexa's AudioPlayer directives, and where the tracks are served.

RECOVERY_COACH_AUDIO_BASE_URL is the HTTPS origin serving the step tracks (Alexa plays
only HTTPS); without it no device streams. RECOVERY_COACH_AUDIO_VOICE names the tracks'
voice (they may be rendered on another machine, e.g. by the renderer Lambda). The origin
makes any plan's tracks when asked (the server's /audio, the renderer's Function URL), so
every plan streams.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from skill.coach.stream import Audio, PlayTrack

if TYPE_CHECKING:
    from ask_sdk_model.directive import Directive
    from ask_sdk_model.interfaces.audioplayer.audio_item_metadata import AudioItemMetadata

BASE_ENV = "RECOVERY_COACH_AUDIO_BASE_URL"
VOICE_ENV = "RECOVERY_COACH_AUDIO_VOICE"


def base_url() -> str | None:
    """The tracks' public origin, or None when unset or not HTTPS."""
    url = os.environ.get(BASE_ENV, "").strip().rstrip("/")
    return url if url.startswith("https://") else None


def voice() -> str:
    """The tracks' voice: the neural one unless RECOVERY_COACH_AUDIO_VOICE names another."""
    from speech.local.piper_engine import VOICE_ID  # here: only a streaming turn needs it

    return os.environ.get(VOICE_ENV, "").strip() or VOICE_ID


def directive(audio: Audio) -> Directive:
    """One AudioPlayer directive: Play (replacing everything, or enqueued after the
    playing track) or Stop."""
    # Imported here, not at the top: only a streaming turn needs the AudioPlayer models.
    from ask_sdk_model.interfaces.audioplayer.audio_item import AudioItem
    from ask_sdk_model.interfaces.audioplayer.play_behavior import PlayBehavior
    from ask_sdk_model.interfaces.audioplayer.play_directive import PlayDirective
    from ask_sdk_model.interfaces.audioplayer.stop_directive import StopDirective
    from ask_sdk_model.interfaces.audioplayer.stream import Stream

    if not isinstance(audio, PlayTrack):
        return StopDirective()
    from speech.local.trackkey import track_path

    stream = Stream(
        url=f"{base_url()}{track_path(audio.pos.inputs, audio.step, voice=voice())}",
        token=audio.token,
        offset_in_milliseconds=audio.offset_ms,
        expected_previous_token=audio.after,
    )
    behavior = PlayBehavior.ENQUEUE if audio.after else PlayBehavior.REPLACE_ALL
    return PlayDirective(play_behavior=behavior, audio_item=AudioItem(stream=stream, metadata=metadata(audio)))


def metadata(audio: PlayTrack) -> AudioItemMetadata:
    """What a screen's player shows while the step plays: the movement, where it is in the
    routine, and its card (speech/local/cards.py), served beside the tracks."""
    from ask_sdk_model.interfaces.audioplayer.audio_item_metadata import AudioItemMetadata
    from ask_sdk_model.interfaces.display.image import Image
    from ask_sdk_model.interfaces.display.image_instance import ImageInstance

    from content.library import library
    from content.phrases import phrase
    from speech.local.cards import ART, BACKGROUND, Size, card_path, title

    steps = audio.pos.script.steps
    step = steps[audio.step]
    movement = library().get(step.movement_id)
    if audio.step + 1 < len(steps):
        subtitle = phrase("screen.step", step=audio.step + 1, steps=len(steps), next=steps[audio.step + 1].name)
    else:
        subtitle = phrase("screen.last")

    def image(size: Size) -> Image:
        url = f"{base_url()}{card_path(movement.id, size.kind)}"
        instance = ImageInstance(url=url, width_pixels=size.width, height_pixels=size.height)
        return Image(content_description=title(movement), sources=[instance])

    return AudioItemMetadata(
        title=title(movement), subtitle=subtitle, art=image(ART), background_image=image(BACKGROUND)
    )
