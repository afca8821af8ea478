"""MP3 encoding with lameenc: mono, BITRATE kbps, at the renderer's 22,050 Hz.

LAME delays the audio by ENCODER_DELAY frames (its own 576 plus the decoder's 529), and with
no gapless tag in the stream decoders such as libsndfile's keep that delay. So the first
ENCODER_DELAY frames fed in are dropped and as many frames of silence are added at the end:
a sound at frame N of the input is at frame N of the decoded file. The first ENCODER_DELAY
frames of a stream cannot be heard, so renderers start a stream's speech no earlier than
that (the push-back rule with the voice busy until then: a cue due at 0 is 50 ms late).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import lameenc  # type: ignore[import-not-found,unused-ignore]

from speech.local.pcm import SAMPLE_RATE, SAMPLE_WIDTH

BITRATE = 48  # kbps: speech, mono; Alexa's AudioPlayer accepts 16-384
QUALITY = 5  # LAME's 0 (best, slowest) to 9
ENCODER_DELAY = 1105  # frames at 22,050 Hz: LAME's delay, a click at frame N decodes at N + 1105


class Mp3Encoder:
    def __init__(self) -> None:
        self._lame = lameenc.Encoder()
        self._lame.set_bit_rate(BITRATE)
        self._lame.set_in_sample_rate(SAMPLE_RATE)
        self._lame.set_out_sample_rate(SAMPLE_RATE)
        self._lame.set_channels(1)
        self._lame.set_quality(QUALITY)
        self._skip = ENCODER_DELAY * SAMPLE_WIDTH  # bytes of input still to drop

    def feed(self, pcm: bytes) -> bytes:
        if self._skip:
            dropped = min(self._skip, len(pcm))
            pcm, self._skip = pcm[dropped:], self._skip - dropped
        return bytes(self._lame.encode(pcm)) if pcm else b""

    def finish(self) -> bytes:
        return bytes(self._lame.encode(bytes(ENCODER_DELAY * SAMPLE_WIDTH))) + bytes(self._lame.flush())


def encode(pcm_blocks: Iterable[bytes]) -> Iterator[bytes]:
    """MP3 bytes for a stream of PCM blocks, as they are made."""
    encoder = Mp3Encoder()
    for block in pcm_blocks:
        out = encoder.feed(block)
        if out:
            yield out
    yield encoder.finish()
