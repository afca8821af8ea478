"""The push-back rule, as a table: cue offsets and speech lengths in, real starts and lateness out."""

import pytest

from speech import schedule

CASES = [
    # name, [(due, length)], [(start, late)]
    ("every cue fits before the next", [(0, 2), (5, 1), (10, 3)], [(0, 0), (5, 0), (10, 0)]),
    ("a long cue pushes the next back to where it ends", [(0, 8), (5, 1)], [(0, 0), (8, 3)]),
    ("the cue after a pushed one keeps its time", [(46, 20), (61, 1), (71, 1)], [(46, 0), (66, 5), (71, 0)]),
    ("a push carries on while cues keep overrunning", [(0, 4), (2, 4), (4, 1)], [(0, 0), (4, 2), (8, 4)]),
    ("ending exactly on the next offset is not late", [(0, 5), (5, 1)], [(0, 0), (5, 0)]),
    ("frames stay whole numbers", [(22050, 30000), (44100, 100)], [(22050, 0), (52050, 7950)]),
]


@pytest.mark.parametrize("cues, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_place(cues, expected):
    slots = list(schedule.place(cues, 0))
    assert [(s.start, s.late) for s in slots] == expected
    assert [s.end for s in slots] == [s.start + length for s, (_, length) in zip(slots, cues)]
    assert all(type(s.start) is type(due) for s, (due, _) in zip(slots, cues))


def test_place_is_lazy_and_starts_when_the_voice_is_free():
    asked = []

    def cues():
        for due in (0.0, 1.0):
            asked.append(due)
            yield due, 0.5

    slots = schedule.place(cues(), 3.0)
    assert asked == []
    assert next(slots) == schedule.Slot(0.0, 3.0, 3.5) and asked == [0.0]


@pytest.mark.parametrize("due, free_at, starts", [(10.0, 4.0, 10.0), (10.0, 12.5, 12.5), (7, 7, 7)])
def test_start(due, free_at, starts):
    assert schedule.start(due, free_at) == starts
