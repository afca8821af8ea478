"""What a handler sees and changes during one turn.

State lives in two places: session attributes (`pos`, the sequencer cursor; `ask`, the
question waiting for an answer; `area`, the sore area offered; `tips`, how many tips were given) and per-user saved
attributes (visits and the last place), so someone who walks away can come back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from skill.coach.slots import Slot
from speech.sequencer import Position
from speech.states import State


@dataclass(frozen=True, eq=False)  # never compared
class Device:
    """What a request says of the device: whether it can play the coach's tracks (it has a
    player and the tracks are served), and what it plays now (the token, the offset, whether
    it is playing)."""

    player: bool = False
    token: str | None = None
    offset_ms: int = 0
    playing: bool = False
    screen: bool = False  # it draws the coach's screen (an Echo Show: APL)


class Question(StrEnum):
    """The question a yes or no would answer (session attribute `ask`)."""

    START = "start"  # shall I start a routine?
    RESUME = "resume"  # shall I carry on where you stopped?
    TIP = "tip"  # would you like a (another) tip?
    FORGET = "forget"  # shall I delete everything kept about you? (skill/coach/memory.py)
    PAIN = "pain"  # is it sharp pain, or the usual dull soreness? (yes or no does not answer it)
    SKIP = "skip"  # too hard: shall we skip this movement?
    TARGET = "target"  # sore: shall I start a routine aimed at that area (`area`)?
    REMIND = "remind"  # shall I remind you tomorrow evening? (skill/coach/reminders.py)
    SAME = "same"  # shall we do the same as last time? (skill/coach/changes.py)
    BETTER = "better"  # after a red flag: is it better? (nothing starts until it is)


@dataclass(eq=False)  # never compared
class Ctx:
    """Everything a handler may look at or change during one turn."""

    pos: Position | None
    ask: Question | None = None
    tips: int = 0
    visits: int = 0
    slots: dict[str, Slot] = field(default_factory=dict)
    note: str = ""  # said first (e.g. that the saved place was lost)
    # What is kept per user (preferences, history; skill/coach/memory.py owns its shape),
    # today's date as the request gives it, and whether to delete everything kept.
    kept: dict[str, Any] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    forget: bool = False
    area: str | None = None  # the sore area a TARGET question offers to aim at
    device: Device = field(default_factory=Device)
    into_step: float = 0.0  # seconds of the current step already played (a streaming track's offset)
    # After a re-plan (skill/coach/changes.py): the movements done before it, and the step
    # the re-planned routine went on from; what is done is those and the steps since.
    done: tuple[str, ...] = ()
    since: int = 0
    streaming: bool = False  # the routine plays as a stream: where it is comes from the player, not parts said
    # A player plays the step and says where it is (`into_step`): a stream, or the laptop's
    # player a listener drives (skill/cli/voice_play.py); else the step's parts said are the place.
    on_player: bool = False

    @property
    def here(self) -> Position:
        """The place, where the state says there is one (ACTIVE, PAUSED or FINISHED)."""
        if self.pos is None:
            raise LookupError("no routine under way")
        return self.pos

    @property
    def state(self) -> State:
        return State.READY if self.pos is None else self.pos.state
