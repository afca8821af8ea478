"""Play a script in real time: every cue's speech is synthesized before the routine starts
(so its length is known), and each cue starts at its offset on a monotonic clock.

Deadlines are absolute (routine start + offset / speed), so waking late for one cue never
delays the ones after it. The one exception is physical, the rule in `speech.schedule`: a
cue still speaking when the next is due pushes that next cue back to the moment it ends
(reported as a "pushed" event).

Control goes through the session sequencer the Alexa skill uses: pause/resume, next, back,
repeat (restart the step), quit. Pausing mid-cue cuts it off and rewinds to its start, so
resuming says it again in full.

The clock, the key source and the audio sink are passed in: real runs use time.monotonic,
the keyboard and aplay; tests use a fake clock, scripted keys and a recording sink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from speech import schedule, sequencer
from speech.local.sinks import Sink
from speech.script import Cue, Script
from speech.sequencer import Position

PUSH_TOLERANCE = 0.001  # seconds; a cue starting later than this behind its deadline was pushed

Clock = Callable[[], float]
Keys = Callable[[float | None], str | None]  # keys(timeout): a key, or None when the wait ends


class Key(StrEnum):
    """The keys that control playback (what the user types)."""

    PAUSE = " "  # pause, or resume when paused
    NEXT = "n"
    BACK = "b"
    REPEAT = "r"
    QUIT = "q"


class Kind(StrEnum):
    """What happened, for the listener to see."""

    STEP = "step"
    CUE = "cue"
    PUSHED = "pushed"
    PAUSED = "paused"
    RESUMED = "resumed"
    JUMPED = "jumped"
    FINISHED = "finished"
    QUIT = "quit"
    TICK = "tick"


@dataclass(frozen=True)
class Event:
    """Something the listener should see."""

    kind: Kind
    step: int
    at: float  # where the routine is, in script seconds from its start
    text: str = ""  # a cue's text; for "jumped", the key that moved
    late: float = 0.0  # for "pushed": how far behind its deadline the cue started, wall seconds


Show = Callable[[Event], None]


@dataclass(frozen=True)
class Status:
    """What the terminal shows: the movement, time left in it and in the routine, what is next."""

    step: int
    steps: int
    name: str
    step_left: float
    routine_left: float
    next_name: str | None


def status(script: Script, step: int, at: float) -> Status:
    start = script.step_start(step)
    s = script.steps[step]
    at = min(max(at, start), start + s.seconds)
    nxt = script.steps[step + 1].name if step + 1 < len(script.steps) else None
    return Status(step, len(script.steps), s.name, start + s.seconds - at, script.total_seconds - at, nxt)


def cue_texts(script: Script) -> list[str]:
    """Each distinct cue text, in the order they are first said."""
    return list(dict.fromkeys(cue.text for _, _, cue in script.timeline()))


_MOVES = {Key.NEXT: sequencer.next_step, Key.BACK: sequencer.previous_step, Key.REPEAT: sequencer.repeat}


@dataclass
class Run:
    """One playback, between keys: where the routine is, and what is speaking."""

    pos: Position
    sink: Sink
    show: Show
    speed: float
    end_at: float  # script seconds: where the routine (or the preview) ends
    timeline: list[tuple[float, int, Cue]]
    origin: float  # wall time of routine second 0
    tick: float | None = None
    next_tick: float | None = None
    first_cue: dict[int, int] = field(default_factory=dict)  # step -> index of its first cue
    nxt: int = 0  # index of the next cue to start
    playing: int | None = None  # index of the cue speaking now
    busy_until: float = 0.0  # wall time the voice is free
    paused_at: float | None = None  # script time to resume from
    step_shown: int | None = None
    over: bool = False

    @classmethod
    def begin(
        cls, pos: Position, sink: Sink, show: Show, wall: float, speed: float, tick: float | None, until: float | None
    ) -> Run:
        script = pos.script
        end_at = script.total_seconds if until is None else min(until, script.total_seconds)
        run = cls(
            pos,
            sink,
            show,
            speed,
            end_at,
            [t for t in script.timeline() if t[0] < end_at],
            origin=wall - script.step_start(pos.step) / speed,
            tick=tick,
            next_tick=wall if tick else None,
            busy_until=wall,
        )
        for n, (_, step, _) in enumerate(run.timeline):
            run.first_cue.setdefault(step, n)
        run.nxt = run.first_cue.get(pos.step, len(run.timeline))
        return run

    def now_at(self, wall: float) -> float:
        return (wall - self.origin) * self.speed

    def advance(self, wall: float) -> float | None:
        """Start the cue that is due, or finish; else the wall time to wake up (None: look again now)."""
        if self.playing is not None and wall >= self.busy_until:
            self.playing = None
        if self.nxt < len(self.timeline):
            deadline = self.origin + self.timeline[self.nxt][0] / self.speed
            start = schedule.start(deadline, self.busy_until)
            if wall >= start:
                self._say(wall, deadline, start)
                return None
            wake = start
        else:
            wake = schedule.start(self.origin + self.end_at / self.speed, self.busy_until)
            if wall >= wake:
                self.pos, _ = sequencer.next_step(self.pos)
                self._finish()
                return None
        if self.next_tick is not None and self.tick is not None:
            if wall >= self.next_tick:
                self.show(Event(Kind.TICK, self.pos.step, self.now_at(wall)))
                self.next_tick = wall + self.tick
            wake = min(wake, self.next_tick)
        return wake

    def _say(self, wall: float, deadline: float, start: float) -> None:
        at, step, cue = self.timeline[self.nxt]
        if step != self.step_shown:
            while self.pos.step < step:  # the clock has reached the next step
                self.pos, _ = sequencer.next_step(self.pos)
            self.step_shown = step
            self.show(Event(Kind.STEP, step, at))
        if start - deadline > PUSH_TOLERANCE:
            self.show(Event(Kind.PUSHED, step, at, cue.text, start - deadline))
        length = self.sink.play(cue.text, step, self.nxt - self.first_cue[step])
        self.show(Event(Kind.CUE, step, at, cue.text, wall - deadline))
        self.playing, self.busy_until, self.nxt = self.nxt, wall + length, self.nxt + 1

    def press(self, key: str, wall: float) -> None:
        if key == Key.PAUSE and self.paused_at is None:
            self._pause(wall)
        elif key == Key.PAUSE:
            self._resume(wall)
        elif key in _MOVES:
            self._move(Key(key), wall)
        elif key == Key.QUIT:
            self.sink.stop()
            at = self.paused_at if self.paused_at is not None else self.now_at(wall)
            self.show(Event(Kind.QUIT, self.pos.step, at))
            self.over = True

    def _pause(self, wall: float) -> None:
        self.pos, _ = sequencer.pause(self.pos)
        self.sink.stop()
        if self.playing is not None and wall < self.busy_until:  # cut off mid-cue: say it again on resume
            self.nxt, self.paused_at = self.playing, self.timeline[self.playing][0]
        else:
            self.paused_at = self.now_at(wall)
        self.playing = None
        self.show(Event(Kind.PAUSED, self.pos.step, self.paused_at))

    def _resume(self, wall: float) -> None:
        assert self.paused_at is not None
        self.pos, _ = sequencer.resume(self.pos)
        self.origin, self.busy_until = wall - self.paused_at / self.speed, wall
        self.show(Event(Kind.RESUMED, self.pos.step, self.paused_at))
        self.paused_at = None

    def _move(self, key: Key, wall: float) -> None:
        self.pos, outcome = _MOVES[key](self.pos)
        if outcome == "finished":
            self.sink.stop()
            self._finish()
            return
        self.sink.stop()
        script, step = self.pos.script, self.pos.step
        self.origin = wall - script.step_start(step) / self.speed
        self.nxt, self.playing, self.busy_until = self.first_cue.get(step, len(self.timeline)), None, wall
        self.paused_at, self.step_shown = None, None
        self.show(Event(Kind.JUMPED, step, script.step_start(step), key))

    def _finish(self) -> None:
        self.show(Event(Kind.FINISHED, self.pos.step, self.end_at))
        self.over = True


def play(
    pos: Position,
    sink: Sink,
    clock: Clock,
    keys: Keys,
    show: Show,
    speed: float = 1.0,
    tick: float | None = None,
    until: float | None = None,
) -> Position:
    """Play from `pos` (a started sequencer position) to the end or until quit; returns where it stopped.

    keys(timeout) waits up to timeout seconds (None: until a key) and returns a key or None.
    tick: wall seconds between "tick" events, for a live status line; None for none.
    until: stop this many script seconds into the routine (a preview; the benchmark's 2-minute plan).
    """
    run = Run.begin(pos, sink, show, clock(), speed, tick, until)
    while not run.over:
        wall = clock()
        if run.paused_at is not None:
            key = keys(None)
        else:
            wake = run.advance(wall)
            if wake is None:
                continue
            key = keys(max(0.0, wake - wall))
        if key is not None:
            run.press(key, clock())
    return run.pos
