"""The coach's transcripts replayed through the OVOS skill: every one that applies through
its front (skill/ovos/front.py: the coach's matcher, the conversation per OVOS session, the
answer as lines), and a few whole ones over OVOS's bus in ovoscope's minicroft. (Each
utterance on the bus costs OVOS's pipeline up to half a second, its wait for the answers
of the active skills, so the bus replays only a few.)"""

from __future__ import annotations

import pytest
from ovoskit import Talk, later, spoken
from transcripts import ALEXA_ONLY, CONVERSATIONS, TRANSCRIPTS, replay

from skill.ovos import locale
from skill.ovos.front import Coach
from skill.store.sqlite import SQLiteStore

OVER_THE_BUS = ("red_flag_after_the_routine", "whole_routine", "durations_and_options")


def test_every_left_out_transcript_exists():
    assert set(ALEXA_ONLY) <= {p.stem for p in CONVERSATIONS.glob("*.txt")}
    assert set(OVER_THE_BUS) <= {p.stem for p in TRANSCRIPTS}


@pytest.fixture(scope="module")
def phrasebook():
    return locale.phrasebook()


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript_through_the_ovos_front(path, tmp_path, phrasebook):
    coach = Coach(SQLiteStore(tmp_path / "coach.sqlite3"), phrasebook)

    def say(words: str) -> str:
        answer = coach.hear("s", "ovos:site", words)
        return "" if answer is None else " [pause] ".join(line.text for line in answer.lines)

    replay(path, say, coach, "s")


@pytest.mark.parametrize("name", OVER_THE_BUS)
def test_transcript_over_the_ovos_bus(name, croft):
    talk = Talk(croft)

    def say(words: str) -> str:
        said = talk.say(words)
        return " [pause] ".join([*spoken(said), *later(said)])

    replay(CONVERSATIONS / f"{name}.txt", say, talk.skill.coach, talk.sid)
