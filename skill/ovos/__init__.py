"""The coach on Open Voice OS: an OVOS skill (skill/ovos/skill.py, which needs the `ovos`
extra) over the same conversation as Alexa's. What it hears becomes the coach's `Ask` and
slots, and the coach's reply becomes spoken lines at their moments (skill/ovos/front.py).
Its locale files are generated from the coach's phrasebook (skill/ovos/locale.py)."""
