"""One simple drawing per part of the routine, for the movement cards (speech/local/cards.py):
a heart with a pulse for light cardio, a figure swinging a leg for dynamic stretches, a roller
for foam rolling, a lotus for gentle yoga. Drawn with lines and shapes around a centre, at
any size (`r`: about half the drawing's height), in one colour."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageDraw

Colour = tuple[int, int, int, int]
Point = tuple[float, float]


def draw_icon(
    draw: ImageDraw.ImageDraw, category: str, centre: Point, r: float, colour: Colour, ink: Colour | None = None
) -> None:
    """ink: the colour of lines drawn over the shape (the card's own colour), else none."""
    ICONS[category](draw, centre, r, colour, ink)


def _heart(draw: ImageDraw.ImageDraw, c: Point, r: float, colour: Colour, ink: Colour | None) -> None:
    x, y = c
    points = []
    for i in range(120):  # the classic heart curve, scaled to r
        t = 2 * math.pi * i / 120
        hx = 16 * math.sin(t) ** 3
        hy = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        points.append((x + hx * r / 17, y - hy * r / 17 - r * 0.05))
    draw.polygon(points, fill=colour)
    if ink is None:
        return
    pulse = [(-0.75, 0.0), (-0.4, 0.0), (-0.25, -0.35), (0.0, 0.4), (0.2, -0.15), (0.35, 0.0), (0.75, 0.0)]
    draw.line([(x + px * r, y + py * r) for px, py in pulse], fill=ink, width=max(3, round(r / 11)), joint="curve")


def _figure(draw: ImageDraw.ImageDraw, c: Point, r: float, colour: Colour, ink: Colour | None) -> None:
    x, y = c
    w = max(4, round(r / 7))
    head = r * 0.17
    draw.ellipse([x - head, y - r, x + head, y - r + 2 * head], fill=colour)
    hip = (x, y + r * 0.15)
    neck = (x, y - r + 2 * head + r * 0.06)
    draw.line([neck, hip], fill=colour, width=w)
    draw.line([(x - r * 0.45, y - r * 0.2), (x, y - r * 0.45), (x + r * 0.45, y - r * 0.55)], fill=colour, width=w)
    draw.line([hip, (x - r * 0.05, y + r)], fill=colour, width=w)  # the standing leg
    foot = (x + r * 0.75, y + r * 0.45)
    draw.line([hip, foot], fill=colour, width=w)  # the swinging leg
    for k in (1, 2):  # the swing's arcs
        rr = r * (0.95 + 0.22 * k)
        box = [hip[0] - rr, hip[1] - rr, hip[0] + rr, hip[1] + rr]
        draw.arc(box, 20, 70, fill=colour[:3] + (colour[3] * (3 - k) // 3,), width=max(2, w // 2))


def _roller(draw: ImageDraw.ImageDraw, c: Point, r: float, colour: Colour, ink: Colour | None) -> None:
    x, y = c
    half, radius = r * 0.95, r * 0.42
    end = radius * 0.45
    draw.rectangle([x - half, y - radius, x + half, y + radius], fill=colour)
    draw.ellipse([x - half - end, y - radius, x - half + end, y + radius], fill=colour)
    draw.ellipse([x + half - end, y - radius, x + half + end, y + radius], fill=colour)
    ridge = ink or colour
    for k in range(-3, 4):  # the roller's grooves
        gx = x + k * half / 4
        draw.line([(gx, y - radius * 0.8), (gx, y + radius * 0.8)], fill=ridge, width=max(2, round(r / 30)))
    w = max(3, round(r / 14))
    for side in (-1, 1):  # slowly, back and forth
        ax = x + side * r * 0.55
        ay = y + radius + r * 0.35
        tip = ax + side * r * 0.3
        draw.line([(ax, ay), (tip, ay)], fill=colour, width=w)
        draw.line([(tip, ay), (tip - side * r * 0.12, ay - r * 0.12)], fill=colour, width=w)
        draw.line([(tip, ay), (tip - side * r * 0.12, ay + r * 0.12)], fill=colour, width=w)


def _petal(c: Point, length: float, width: float, angle: float) -> list[Point]:
    x, y = c
    out = []
    for i in range(41):
        t = i / 40
        along = length * t
        across = width * math.sin(math.pi * t)
        out.append((along, across))
    out += [(a, -b) for a, b in reversed(out)]
    ca, sa = math.cos(angle), math.sin(angle)
    return [(x + a * ca - b * sa, y + a * sa + b * ca) for a, b in out]


def _lotus(draw: ImageDraw.ImageDraw, c: Point, r: float, colour: Colour, ink: Colour | None) -> None:
    x, y = c
    base = (x, y + r * 0.55)
    soft = colour[:3] + (colour[3] * 2 // 3,)
    for deg, length, width, fill in (
        (-160, 0.95, 0.22, soft),
        (-20, 0.95, 0.22, soft),
        (-128, 1.15, 0.28, colour),
        (-52, 1.15, 0.28, colour),
        (-90, 1.35, 0.3, colour),
    ):
        draw.polygon(_petal(base, r * length, r * width, math.radians(deg)), fill=fill)
    draw.line([(x - r, base[1] + r * 0.25), (x + r, base[1] + r * 0.25)], fill=colour, width=max(3, round(r / 14)))


ICONS: dict[str, Callable[[ImageDraw.ImageDraw, Point, float, Colour, Colour | None], None]] = {
    "cardio": _heart,
    "stretching": _figure,
    "foam-rolling": _roller,
    "yoga": _lotus,
}
