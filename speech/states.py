"""The core's named words: where a routine is, what a move did, what kind a cue is.

They are `StrEnum`s, so each member is its own string: it compares equal to, prints as
and serializes like the plain word it replaced ("active" == State.ACTIVE), and session
attributes saved before they existed still load. Iterate one to list every word.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a routine is."""

    READY = "ready"  # nothing started
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


class Outcome(StrEnum):
    """What a sequencer move did, so callers choose what to say about it."""

    PART = "part"  # on to the next part of a long step
    STEP = "step"  # on (or back) to another step
    FINISHED = "finished"  # past the last step, or already finished
    AT_START = "at_start"  # back from the first step: it restarts
    PAUSED = "paused"
    RESUMED = "resumed"
    RESTARTED = "restarted"  # from the top
    READY = "ready"  # pause with nothing started (pause reports a state it leaves alone)


class CueKind(StrEnum):
    """What a cue in a step's timeline is for."""

    WELCOME = "welcome"
    GET_SET = "get_set"  # the start of a new part: time to get set for it (a roller out, onto the floor)
    INTRO = "intro"
    BEGIN = "begin"
    PERIODIC = "periodic"
    HALF = "half"  # the movement's own half cue
    HALFWAY = "halfway"
    SWITCH = "switch"
    MINUTES = "minutes"
    TEN_LEFT = "ten_left"
    END = "end"
    FINISH = "finish"
