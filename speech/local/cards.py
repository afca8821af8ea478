"""Movement cards: the pictures a screen shows while a step plays (an Echo Show's player,
the Alexa app), one per movement, drawn here from the library's data with Pillow.

Each movement has two: `art` (square, the player's cover) with the movement's name, its
part of the routine and a drawing for that part, and `background` (wide, behind Alexa's
own title and subtitle), quiet and dark so that text stays legible on it. Colours are the
coach's, one per part of the routine. Names are `<movement id>-<kind>-<digest>.png`: the
digest covers everything drawn (CARD_VERSION, the name, the part, the size), so a changed
card gets a new name and a name may be cached for good. `parse` accepts only names of
cards it can draw.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from content.library import Movement, library

if TYPE_CHECKING:
    from PIL import Image, ImageDraw
    from PIL.ImageFont import FreeTypeFont

CARD_VERSION = "1"  # bump when the same movement would be drawn differently
ROUTE = "/cards"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)  # Debian's fonts-dejavu-core
BOLD, REGULAR = "DejaVuSans-Bold.ttf", "DejaVuSans.ttf"
NAME = re.compile(r"([a-z0-9-]+)-(art|background)-([0-9a-f]{12})")


@dataclass(frozen=True)
class Size:
    kind: str
    width: int
    height: int


# The sizes Amazon lists for the player's metadata: art 480 x 480, background 1024 x 640.
ART, BACKGROUND = Size("art", 480, 480), Size("background", 1024, 640)
SIZES = {s.kind: s for s in (ART, BACKGROUND)}

# The coach's colours: (light, dark) per part of the routine; the text is always white.
COLOURS = {
    "cardio": ((0xF0, 0x7A, 0x4F), (0xB8, 0x3B, 0x22)),
    "stretching": ((0x3C, 0x9F, 0xC8), (0x1D, 0x5C, 0x86)),
    "foam-rolling": ((0x95, 0x74, 0xC4), (0x55, 0x3A, 0x86)),
    "yoga": ((0x4F, 0xB5, 0x86), (0x23, 0x6E, 0x4F)),
}
PARTS = {
    "cardio": "LIGHT CARDIO",
    "stretching": "DYNAMIC STRETCH",
    "foam-rolling": "FOAM ROLLING",
    "yoga": "GENTLE YOGA",
}


def title(movement: Movement) -> str:
    """The movement's name as a screen shows it: "Pigeon pose", "IT band roll"."""
    name = movement.name.replace("I.T.", "IT")
    return name[:1].upper() + name[1:]


def card_name(movement: Movement, size: Size) -> str:
    text = "\x1f".join([CARD_VERSION, size.kind, f"{size.width}x{size.height}", movement.name, movement.category])
    return f"{movement.id}-{size.kind}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.png"


def card_path(movement_id: str, kind: str) -> str:
    """The URL path of a movement's card, e.g. `/cards/pigeon-pose-art-3f2a....png`."""
    return f"{ROUTE}/{card_name(library().get(movement_id), SIZES[kind])}"


def parse(name: str) -> tuple[Movement, Size] | None:
    """The card a file name names, or None when it is not one drawn here."""
    m = NAME.fullmatch(name.removesuffix(".png")) if name.endswith(".png") else None
    if m is None:
        return None
    found = [mv for mv in library().movements if mv.id == m.group(1)]
    if not found or card_name(found[0], SIZES[m.group(2)]) != name:
        return None
    return found[0], SIZES[m.group(2)]


def every_card() -> list[tuple[Movement, Size]]:
    return [(m, s) for m in library().movements for s in SIZES.values()]


@functools.lru_cache(maxsize=64)
def png(movement_id: str, kind: str) -> bytes:
    """A card as PNG bytes (drawn once per process, then kept: a few tens of kB each)."""
    from PIL import Image, ImageDraw

    movement, size = library().get(movement_id), SIZES[kind]
    light, dark = COLOURS[movement.category]
    if size is BACKGROUND:  # quiet: Alexa writes her title and subtitle over it
        light, dark = _shade(dark, 0.55), _shade(dark, 0.25)
    image = Image.new("RGB", (size.width, size.height))
    _gradient(ImageDraw.Draw(image), size, light, dark)
    if size is ART:
        _art(image, movement)
    else:
        _background(image, movement)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _shade(colour: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    r, g, b = colour
    return int(r * f), int(g * f), int(b * f)


def _gradient(draw: ImageDraw.ImageDraw, size: Size, top: tuple[int, ...], bottom: tuple[int, ...]) -> None:
    for y in range(size.height):
        t = y / max(1, size.height - 1)
        draw.line([(0, y), (size.width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))


def font(name: str, px: int) -> FreeTypeFont:
    from PIL import ImageFont

    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), px)
    return ImageFont.truetype(name, px)  # Pillow looks in the system's font folders too


def _art(image: Image.Image, movement: Movement) -> None:
    from PIL import ImageDraw

    from speech.local.card_icons import draw_icon

    draw = ImageDraw.Draw(image, "RGBA")
    draw.text((32, 30), PARTS[movement.category], font=font(BOLD, 26), fill=(255, 255, 255, 215))
    ink = COLOURS[movement.category][1] + (255,)
    draw_icon(draw, movement.category, (240, 190), 112, (255, 255, 255, 240), ink)
    lines, px = _fit(draw, title(movement), 416, (54, 46, 40, 36))
    y = 422 - px * 1.2 * len(lines)  # the name's last line ends above the coach's own line
    for line in lines:
        draw.text((32, y), line, font=font(BOLD, px), fill=(255, 255, 255, 255))
        y += px * 1.2
    draw.text((32, 438), "Recovery Coach", font=font(REGULAR, 20), fill=(255, 255, 255, 180))


def _background(image: Image.Image, movement: Movement) -> None:
    from PIL import Image, ImageDraw

    from speech.local.card_icons import draw_icon

    layer = Image.new("RGBA", image.size, (255, 255, 255, 0))  # drawn whole, then faded as one
    draw_icon(ImageDraw.Draw(layer), movement.category, (760, 300), 190, (255, 255, 255, 255))
    layer.putalpha(layer.getchannel("A").point(lambda a: a * 30 // 255))
    image.paste(Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB"))


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, sizes: tuple[int, ...]) -> tuple[list[str], int]:
    """The name in at most two lines at the largest size that fits the width."""
    for px in sizes:
        f = font(BOLD, px)
        lines: list[str] = []
        for word in text.split():
            trial = f"{lines[-1]} {word}" if lines else word
            if lines and draw.textlength(trial, font=f) <= width:
                lines[-1] = trial
            else:
                lines.append(word)
        if len(lines) <= 2 and all(draw.textlength(ln, font=f) <= width for ln in lines):
            return lines, px
    return lines, sizes[-1]
