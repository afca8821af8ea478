"""The session sequencer, as transcripts of moves, and its session attributes."""

from pathlib import Path

import pytest
import yaml

from speech import sequencer

TRANSCRIPTS = yaml.safe_load((Path(__file__).parent / "data" / "sequencer.yaml").read_text())


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t["name"])
def test_sequencer_transcript(transcript):
    pos = sequencer.start(**transcript["plan"])
    for n, turn in enumerate(transcript["turns"]):
        pos, outcome = getattr(sequencer, turn["do"])(pos)
        got = {"step": pos.step, "part": pos.part, "state": pos.state, "outcome": outcome}
        want = {k: turn[k] for k in got}
        assert got == want, f"turn {n}: {turn['do']}"
        assert sequencer.from_attributes(sequencer.to_attributes(pos)) == pos


def test_time_left_counts_down_as_the_routine_moves():
    pos = sequencer.start(20)
    total = sequencer.remaining_seconds(pos)
    assert total == 1200
    pos, _ = sequencer.advance(pos)
    assert sequencer.remaining_seconds(pos) < total
    pos, _ = sequencer.next_step(pos)
    while pos.state != "finished":
        pos, _ = sequencer.next_step(pos)
    assert sequencer.remaining_seconds(pos) == 0


def test_attributes_are_compact():
    attrs = sequencer.to_attributes(sequencer.start(20))
    assert len(str(attrs)) < 100


@pytest.mark.parametrize("attrs", [
    None, "garbage", {}, {"v": 0, "plan": [20, "full", 1], "at": [0, 0], "state": "active"},
    {"v": 1, "plan": [20, "full", 1], "at": [99, 0], "state": "active"},
    {"v": 1, "plan": [20, "full", 1], "at": [0, 7], "state": "active"},
    {"v": 1, "plan": [200, "full", 1], "at": [0, 0], "state": "active"},
    {"v": 1, "plan": [20, "arms", 1], "at": [0, 0], "state": "active"},
    {"v": 1, "plan": [20, "full"], "at": [0, 0], "state": "active"},
    {"v": 1, "plan": [20, "full", 1], "at": [0, 0], "state": "dancing"},
    {"v": 1, "plan": [20, "full", 1], "at": ["0", 0], "state": "active"},
])
def test_corrupted_or_old_attributes_are_refused(attrs):
    assert sequencer.from_attributes(attrs) is None
