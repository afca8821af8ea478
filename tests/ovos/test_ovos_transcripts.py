"""The coach's transcripts replayed through the OVOS skill: every one that applies through
its front (skill/ovos/front.py: the coach's matcher, the conversation per OVOS session, the
answer as lines), and a few whole ones over OVOS's bus in ovoscope's minicroft. (Each
utterance on the bus costs OVOS's pipeline up to half a second, its wait for the answers
of the active skills, so the bus replays only a few.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ovoskit import Talk, later, spoken
from transcripts import ALEXA_ONLY, CONVERSATIONS, TRANSCRIPTS, replay

from skill.ovos import locale
from skill.ovos.front import Coach
from skill.store.sqlite import SQLiteStore

SAYING_S = 5  # the time the last line of an answer takes to say, at most
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
        if answer is None:
            return ""
        # As on Alexa, the person speaks again once all of the answer has been said.
        moment = coach.clock() + timedelta(seconds=max(line.at for line in answer.lines) + SAYING_S)
        coach.clock = lambda: moment
        return " [pause] ".join(line.text for line in answer.lines)

    replay(path, say, coach, "s")


@pytest.mark.parametrize("name", OVER_THE_BUS)
def test_transcript_over_the_ovos_bus(name, croft):
    talk = Talk(croft)

    def say(words: str) -> str:
        said = talk.say(words)
        times = [m.data["time"] for m in said if m.msg_type == "mycroft.scheduler.schedule_event"]
        if times:  # as on Alexa, the person speaks again once all of the answer has been said
            moment = datetime.fromtimestamp(max(times) + SAYING_S, UTC)
            talk.skill.coach.clock = lambda: moment
        return " [pause] ".join([*spoken(said), *later(said)])

    replay(CONVERSATIONS / f"{name}.txt", say, talk.skill.coach, talk.sid)
