"""Playback scheduling and keyboard control, on a fake clock with a recording audio sink:
no sleeping, and every start time is exact."""

from pathlib import Path

import pytest
import yaml

from content.planner import PlanInputs
from speech import sequencer
from speech.local.playback import Event, play, status
from speech.script import script_for
from speech.timing import estimate_seconds

KEY_CASES = yaml.safe_load((Path(__file__).parent / "data" / "playback_keys.yaml").read_text())


class FakeTime:
    """A clock that only moves when the player waits; keys arrive at set times.
    `late` is how long after the asked-for moment each wait really returns."""

    def __init__(self, keys=(), late=0.0):
        self.now = 0.0
        self.keys = sorted((float(t), k) for t, k in keys)
        self.late = late

    def clock(self) -> float:
        return self.now

    def wait(self, timeout):
        if self.keys and (timeout is None or self.keys[0][0] <= self.now + timeout):
            t, key = self.keys.pop(0)
            self.now = max(self.now, t)
            return key
        assert timeout is not None, "paused with no key left to press"
        self.now += timeout + self.late
        return None


class FakeSink:
    """Records what was played and when; each cue lasts `length(text)` seconds."""

    def __init__(self, time: FakeTime, length=estimate_seconds):
        self.time, self.length = time, length
        self.log: list[str] = []
        self.played: list[tuple[float, str]] = []

    def prepare(self, texts):
        pass

    def play(self, text, step=0, n=0):
        self.played.append((self.time.now, text))
        return self.length(text)

    def stop(self):
        self.log.append(f"{self.time.now:.1f} stop")


def run(minutes=5, keys=(), late=0.0, speed=1.0, length=estimate_seconds, tick=None, until=None):
    time = FakeTime(keys, late)
    sink = FakeSink(time, length)
    events: list[Event] = []

    def show(e: Event):
        events.append(e)
        sink.log.append(f"{time.now:.1f} {e.kind} {e.step + 1} {e.text if e.kind == 'cue' else ''}".rstrip())

    pos = play(
        sequencer.start(PlanInputs(minutes)), sink, time.clock, time.wait, show, speed=speed, tick=tick, until=until
    )
    return pos, sink, events


def test_every_cue_starts_exactly_on_its_offset_and_the_routine_finishes():
    pos, sink, events = run(minutes=10)
    script = script_for(PlanInputs(10))
    assert sink.played == [(pytest.approx(at), cue.text) for at, _, cue in script.timeline()]
    assert [e.step for e in events if e.kind == "step"] == list(range(len(script.steps)))
    assert events[-1].kind == "finished" and pos.state == "finished"


def test_waking_late_never_accumulates():
    """Each wait returns 7 ms late; with absolute deadlines every cue is at most 7 ms late,
    the last as much as the first."""
    _, sink, _ = run(minutes=10, late=0.007)
    timeline = script_for(PlanInputs(10)).timeline()
    errors = [t - at for (t, _), (at, _, _) in zip(sink.played, timeline)]
    assert len(errors) == len(timeline)
    assert all(-1e-9 <= e <= 0.007 + 1e-9 for e in errors)


def test_a_long_cue_pushes_the_next_back_and_the_one_after_keeps_its_time():
    long_text = "Halfway there."  # due at 45 s; the next is due at 56 s and then 66 s
    length = lambda text: 20.0 if text == long_text else 1.0  # noqa: E731
    _, sink, events = run(length=length)
    starts = dict((text, t) for t, text in reversed(sink.played))
    assert starts[long_text] == pytest.approx(45.0)
    assert starts["Ten seconds left."] == pytest.approx(65.0)  # pushed back to where the long cue ended
    assert starts["Well done. Next up, leg swings."] == pytest.approx(66.0)  # back on schedule
    pushed = [e for e in events if e.kind == "pushed"]
    assert [(e.text, round(e.late, 3)) for e in pushed] == [("Ten seconds left.", 9.0)]


def test_speed_divides_the_clock():
    _, sink, _ = run(speed=10, length=lambda text: 0.1)
    assert [t for t, _ in sink.played] == [pytest.approx(at / 10) for at, _, _ in script_for(PlanInputs(5)).timeline()]


@pytest.mark.parametrize("case", KEY_CASES, ids=[c["name"] for c in KEY_CASES])
def test_keys(case):
    _, sink, _ = run(keys=case["keys"])
    log = sink.log
    i = 0
    for expected in case["says"]:
        while i < len(log) and not log[i].startswith(expected):
            i += 1
        assert i < len(log), f"'{expected}' missing (in order) from:\n" + "\n".join(log)
        i += 1
    for banned in case.get("never", []):
        assert not any(line.startswith(banned) for line in log), banned


def test_the_status_line_counts_down_the_step_and_the_routine():
    _, _, events = run(tick=1.0, length=lambda text: 0.5)
    ticks = [e for e in events if e.kind == "tick"]
    s = status(script_for(PlanInputs(5)), ticks[80].step, ticks[80].at)  # 80 s in: 10 s into leg swings
    assert (s.name, s.step_left, s.routine_left, s.next_name) == ("leg swings", 70.0, 220.0, "quad roll")
    last = status(script_for(PlanInputs(5)), 3, 299.0)
    assert last.next_name is None and last.routine_left == 1.0


def test_until_plays_only_the_first_minutes():
    pos, sink, events = run(minutes=10, length=lambda text: 1.0, until=120)
    expected = [at for at, _, _ in script_for(PlanInputs(10)).timeline() if at < 120]
    assert [t for t, _ in sink.played] == [pytest.approx(at) for at in expected]
    assert events[-1].kind == "finished" and sink.time.now == pytest.approx(120)


def test_plain_display_reports_pushed_cues_only_when_verbose():
    from io import StringIO

    from skill.cli.terminal import Display

    length = lambda text: 20.0 if text == "Halfway there." else 1.0  # noqa: E731
    _, _, events = run(length=length)
    shown = {}
    for verbose in (False, True):
        out = StringIO()
        display = Display(script_for(PlanInputs(5)), out=out, live=False, verbose=verbose)
        for e in events:
            display(e)
        shown[verbose] = out.getvalue().splitlines()
    assert shown[False][:3] == [
        "Step 1 of 4: brisk walking (1:10). 5:00 left in the routine. Next: leg swings.",
        "  0:00  The guide suggests fifteen to thirty minutes, but a short one still helps. "
        "Let's start your 5-minute leg recovery. Keep every movement gentle, "
        "and stop if anything causes sharp pain.",
        "  0:15  First up, brisk walking. Walk briskly, on a treadmill at a slight incline or around the block.",
    ]
    assert not any("late by" in line for line in shown[False])
    assert "        (late by 9.0 s: the cue before it was still speaking)" in shown[True]
    assert shown[True][-1] == "Routine finished. Well done."
