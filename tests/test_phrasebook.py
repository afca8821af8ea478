"""The coach's phrasebook heard by the coach itself (tests/data/phrasebook.yaml): every front
end that hears words uses this matcher, so what it makes of words is what the laptop, the OVOS
skill and `chat` make of them; and the laptop's player answers every ask it hears."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content.planner import PlanInputs
from skill.cli.voice_play import OfflineCoach
from skill.coach import phrasebook
from skill.coach.asks import Ask
from speech import sequencer

TABLE = yaml.safe_load((Path(__file__).parent / "data" / "phrasebook.yaml").read_text())


@pytest.mark.parametrize("row", TABLE["understood"], ids=lambda r: r["said"])
def test_the_coach_understands_words_as_its_own_asks(row):
    heard = phrasebook.understand(row["said"])
    assert (heard.ask, heard.slots, heard.named) == (Ask(row["ask"]), row.get("slots", {}), row.get("named", False))
    assert phrasebook.understood(row["said"]) == (None if heard.ask == Ask.UNCLEAR else row["ask"])


@pytest.mark.parametrize("row", TABLE["playing"], ids=lambda r: r["said"])
def test_the_laptop_player_answers_what_it_hears(row):
    said: list[str] = []
    actions = OfflineCoach({}).actions(row["said"], sequencer.start(PlanInputs(10)), said.append)
    assert [a if isinstance(a, str) else (a() or "say") for a in actions] == row["then"]
    assert len(said) == row["then"].count("say") and all(said)
