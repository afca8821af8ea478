"""The movement cards a screen's player shows (speech/local/cards.py): one pair per movement,
drawn at the sizes the Play metadata gives, readable, and served by the real Flask app with
long-lived caching; nothing else is drawn or served."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageStat

from content.library import library
from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID
from speech.local import cards

EVERY = cards.every_card()


@pytest.fixture(scope="module")
def client():
    return create_app(dev=True, skill_id=DEV_SKILL_ID, write_behind=False).test_client()


def test_every_movement_has_an_art_card_and_a_background_with_names_of_their_own():
    assert len(EVERY) == 2 * len(library().movements)
    names = {cards.card_path(m.id, s.kind) for m, s in EVERY}
    assert len(names) == len(EVERY)


@pytest.mark.parametrize("movement, size", EVERY, ids=lambda x: getattr(x, "id", getattr(x, "kind", "")))
def test_a_card_is_a_picture_of_its_size_with_something_on_it(movement, size):
    image = Image.open(io.BytesIO(cards.png(movement.id, size.kind)))
    assert image.format == "PNG" and image.size == (size.width, size.height)
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 5, "a card is more than a flat colour"
    if size is cards.BACKGROUND:  # Alexa writes white text over it: it stays dark
        assert ImageStat.Stat(image.convert("L")).mean[0] < 70


@pytest.mark.parametrize("movement", library().movements, ids=lambda m: m.id)
def test_the_name_on_the_art_is_large_enough_to_read_on_an_echo_show_5(movement):
    """Shown about 200 px wide, a 36 px line at 480 px is 15 px tall: the least it may be."""
    draw = ImageDraw.Draw(Image.new("RGB", (cards.ART.width, cards.ART.height)))
    lines, px = cards._fit(draw, cards.title(movement), 416, (54, 46, 40, 36))
    assert len(lines) <= 2 and px >= 36
    assert all(draw.textlength(line, font=cards.font(cards.BOLD, px)) <= 416 for line in lines)


def test_names_shown_read_as_names():
    assert cards.title(library().get("pigeon-pose")) == "Pigeon pose"
    assert cards.title(library().get("it-band-roll")) == "IT band roll"


def test_the_server_serves_each_card_for_a_year(client):
    for movement, size in EVERY[:4]:
        path = cards.card_path(movement.id, size.kind)
        r = client.get(path)
        assert r.status_code == 200 and r.mimetype == "image/png"
        assert r.data == cards.png(movement.id, size.kind)
        assert "max-age=31536000" in r.headers["Cache-Control"] and "immutable" in r.headers["Cache-Control"]
        again = client.get(path, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304 and not again.data


@pytest.mark.parametrize(
    "name",
    [
        "pigeon-pose-art-000000000000.png",  # a digest that is not the card's
        "no-such-move-art-" + "0" * 12 + ".png",
        "pigeon-pose-cover-" + "0" * 12 + ".png",
        "pigeon-pose.png",
    ],
)
def test_anything_but_a_card_the_coach_draws_is_404(client, name):
    r = client.get(f"{cards.ROUTE}/{name}")
    assert r.status_code == 404 and r.get_json() == {"error": "no such card"}


def test_a_path_out_of_the_cards_folder_is_404(client):
    assert client.get(f"{cards.ROUTE}/..%2f..%2fetc%2fpasswd").status_code == 404


def test_a_card_drawn_differently_gets_a_new_name(monkeypatch):
    before = cards.card_path("pigeon-pose", "art")
    monkeypatch.setattr(cards, "CARD_VERSION", "test")
    assert cards.card_path("pigeon-pose", "art") != before
    assert cards.parse(before.removeprefix(cards.ROUTE + "/")) is None
