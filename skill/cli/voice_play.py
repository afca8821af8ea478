"""`play --listen`: the offline player driven by the coach's own conversation.

The bridge, and why it is small: the player keeps a sequencer `Position` (speech/local/
playback.py), and the coach's turn takes one in its session attributes (`pos`), so each
command heard is one turn of `skill.coach.turn` given the player's position now; the turn's
answer becomes what the player does, through the same keys a person presses:

- a move (next, back, repeat, pause, resume, start over): the keys that take the player
  from where it was to where the turn left the routine; the player's own cues are the
  coach's speech for the step, so the turn's speech is not said twice;
- anything else (how much is left, what's next, help, a question, pain): the player pauses,
  the turn's answer is spoken by the player's voice, and the player goes on as the turn
  left it;
- an answer that ends the routine (every red flag and warning sign, "stop"): the player
  stops at once, the answer is spoken, and the run ends.

A turn that would change the plan (shorter, easier, no foam roller) cannot be played by a
player whose tracks are made, so that is said instead and nothing changes.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TextIO

from content.phrases import phrase
from skill.cli.listening import Ended, Hearing, verdict_line, wait_slices
from skill.coach import phrasebook
from skill.coach.asks import Ask
from skill.coach.slots import Slot, resolve
from skill.coach.times import iso_duration, iso_time
from skill.coach.turn import turn
from skill.listen.gate import Verdict
from speech import sequencer
from speech.local.pcm import SAMPLE_RATE
from speech.local.playback import Event, Key, Keys, Kind, Show
from speech.local.sinks import Sink
from speech.sequencer import Position
from speech.ssml import segments
from speech.states import State

MOVES = (Ask.NEXT, Ask.PREVIOUS, Ask.REPEAT, Ask.PAUSE, Ask.RESUME, Ask.START_OVER)
Action = str | Callable[[], None]  # a key for the player, or something to do while it waits


def _line(out: TextIO) -> str:
    """What starts a line of ours: on a terminal, the live status line wiped first."""
    return "\r\033[K" if out.isatty() else ""


class Tracker:
    """The player's events passed on to the display, and where the player is, from them."""

    def __init__(self, show: Show, start: Position) -> None:
        self.show, self.pos, self.at = show, start, 0.0

    @property
    def into_step(self) -> float:
        """Seconds of the current step played, as of the player's last event (a cue, a move)."""
        return max(0.0, self.at - self.pos.script.step_start(self.pos.step))

    def __call__(self, e: Event) -> None:
        self.at = e.at
        if e.kind in (Kind.STEP, Kind.JUMPED, Kind.RESUMED):
            self.pos = replace(self.pos, step=e.step, state=State.ACTIVE)
        elif e.kind == Kind.PAUSED:
            self.pos = replace(self.pos, state=State.PAUSED)
        elif e.kind in (Kind.FINISHED, Kind.QUIT):
            self.pos = replace(self.pos, state=State.FINISHED)
        self.show(e)


def spoken(ssml: str | None) -> str:
    """An answer's words, as the player's voice says them (silences left out)."""
    return " ".join(" ".join(p for p in segments(ssml) if isinstance(p, str)).split())


def slots_of(ask: Ask, heard: dict[str, str]) -> dict[str, Slot]:
    """The matcher's slot words as the coach takes them: durations and times as ISO-8601, as
    Alexa sends them, custom values resolved to their ids."""
    types = phrasebook.asks().get(ask.value, {}).get("slots", {})
    out = {}
    for name, words in heard.items():
        kind = types[name]
        if kind == phrasebook.DURATION:
            out[name] = Slot(iso_duration(words))
        elif kind == phrasebook.TIME:
            out[name] = Slot(iso_time(words))
        else:
            out[name] = Slot(words, resolve(Slot(words), kind))
    return out


@dataclass
class OfflineCoach:
    """The coach's conversation for a routine playing on the laptop: one turn per command,
    the session's attributes carried from turn to turn, the player's position put in each."""

    session: dict[str, Any]

    def actions(self, command: str, pos: Position, say: Callable[[str], None], played: float = 0.0) -> list[Action]:
        """`played`: seconds of the current step the player has played."""
        heard = phrasebook.understand(command)
        ask = Ask.UNCLEAR if heard.ask == Ask.LAUNCH else heard.ask  # opening the coach again is no command here
        session = {**self.session, "pos": _attrs(pos)}
        result = turn(ask, slots_of(ask, heard.slots), False, session, played=played)
        reply = result.if_unsaved or result.reply  # nothing is saved here: never claim it was
        after = _position(result.session)
        self.session = result.session
        if after is not None and after.inputs != pos.inputs:
            return _spoken_aside(pos, phrase("listen.not_here"), say)
        if ask in MOVES:
            return _moves(ask, pos, after)
        if reply.played and after is not None and after.step != pos.step:  # moved on (a skip): the player says it
            moves = _moves(Ask.NEXT, pos, after)
            return _spoken_aside(pos, reply.lead, say, after) if reply.lead else moves
        ends = reply.end or after is None or after.state == State.FINISHED
        if ends:  # the voice cuts off the player's cue before it speaks
            return [lambda: say(spoken(reply.ssml)), Key.QUIT]
        return _spoken_aside(pos, spoken(reply.ssml), say, after)


def _attrs(pos: Position) -> dict[str, Any]:
    return sequencer.to_attributes(pos)


def _position(session: dict[str, Any]) -> Position | None:
    return sequencer.from_attributes(session.get("pos")) if "pos" in session else None


def _moves(ask: Ask, before: Position, after: Position | None) -> list[Action]:
    """The keys that take the player from `before` to where the turn left the routine."""
    if ask == Ask.REPEAT:
        return [Key.REPEAT]
    if after is None:
        return []
    if ask == Ask.PAUSE:
        return [Key.PAUSE] if before.state == State.ACTIVE else []
    if ask == Ask.RESUME:
        return [Key.PAUSE] if before.state == State.PAUSED else []
    if after.state == State.FINISHED:
        return [Key.NEXT] * (before.step_count - before.step)
    d = after.step - before.step
    if d == 0 and ask in (Ask.START_OVER, Ask.PREVIOUS):  # back on the first movement: it starts again
        return [Key.REPEAT]
    return [Key.NEXT] * d if d > 0 else [Key.BACK] * -d


def _spoken_aside(
    before: Position, text: str, say: Callable[[str], None], after: Position | None = None
) -> list[Action]:
    """Pause the player, say the answer, then go on as the turn left the routine."""
    playing = before.state == State.ACTIVE
    out: list[Action] = [Key.PAUSE] if playing else []
    out.append(lambda: say(text))
    if after is not None and after.step != before.step:
        out += _moves(Ask.NEXT, before, after)
    elif playing and (after is None or after.state != State.PAUSED):
        out.append(Key.PAUSE)
    return out


class Voice:
    """The coach's answers, printed and spoken by the player's voice (aplay, blocking);
    `speaking` is set while it speaks, for the listener to be deaf to it; `hush` stops the
    player's sink first."""

    def __init__(self, speaker: Any | None, hush: Callable[[], None], out: TextIO | None = None) -> None:
        self.speaker, self.hush, self.out = speaker, hush, out or sys.stdout
        self.speaking = threading.Event()

    def __call__(self, text: str) -> None:
        self.hush()  # the player's cue, if one is still speaking
        self.out.write(_line(self.out) + phrase("listen.coach", text=text) + "\n")
        self.out.flush()
        if self.speaker is None or not text:
            return
        clip = self.speaker.clip(text)
        self.speaking.set()
        try:
            subprocess.run(
                ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", "1", "-"],
                input=clip.pcm,
                capture_output=True,
                check=False,
            )
        finally:
            self.speaking.clear()


class BusySink:
    """A sink that knows whether it is speaking now (for the listener to be deaf to it)."""

    def __init__(self, inner: Sink, clock: Callable[[], float] = time.monotonic) -> None:
        self.inner, self.clock, self.until = inner, clock, 0.0

    def play(self, text: str, step: int = 0, n: int = 0) -> float:
        length = self.inner.play(text, step, n)
        self.until = self.clock() + length
        return length

    def stop(self) -> None:
        self.inner.stop()
        self.until = 0.0

    def busy(self) -> bool:
        return self.clock() < self.until


class VoiceKeys:
    """Keys for the player from the keyboard and from what the listener hears, whichever comes
    first; a command heard becomes the actions of its turn, taken one at a time."""

    def __init__(self, keys: Keys, hearing: Hearing, coach: OfflineCoach, tracker: Tracker, say: Callable[[str], None]):
        self.keys, self.hearing, self.coach, self.tracker, self.say = keys, hearing, coach, tracker, say
        self.pending: list[Action] = []
        self.listening = True

    def __call__(self, timeout: float | None) -> str | None:
        key = self._pending()
        if key is not None:
            return key
        if not self.listening:  # the file has ended: the keyboard alone, as without --listen
            return self.keys(timeout)
        for left in wait_slices(timeout):
            key = self.keys(left / 2)
            if key is not None:
                return key
            self._hear(self.hearing.next(left / 2))
            key = self._pending()
            if key is not None or not self.listening:
                return key
        return None

    def _pending(self) -> str | None:
        while self.pending:
            action = self.pending.pop(0)
            if isinstance(action, str):
                return action
            action()
        return None

    def _hear(self, v: Verdict | Ended | None) -> None:
        if isinstance(v, Ended):
            self.listening = False
            print(_line(sys.stdout) + phrase("listen.file_ended"), flush=True)
        elif v is not None:
            print(_line(sys.stdout) + verdict_line(v), flush=True)
            if v.intent is not None:
                self.pending = self.coach.actions(v.command, self.tracker.pos, self.say, self.tracker.into_step)


def hands_free(
    args: Any, pos: Position, keyboard: Keys, display: Show, sink: BusySink, speaker: Any | None
) -> tuple[Keys, Show]:
    """Keys and display for a player that also listens; when listening cannot start here,
    one sentence says why and the keyboard alone goes on."""
    from skill.cli.listening import CannotListen, blocks_from, command_sentences, make_listener
    from skill.coach.phrasebook import understood

    voice = Voice(speaker, sink.stop)
    try:
        blocks = blocks_from(args.audio_in)  # first: a missing microphone is told before the model loads
        listener = make_listener(command_sentences())
    except CannotListen as exc:
        print(phrase("listen.carry_on", reason=str(exc)), file=sys.stderr)
        return keyboard, display
    tracker = Tracker(display, pos)
    audible = not args.no_audio  # with --no-audio nothing sounds, so nothing needs to be unheard
    hearing = Hearing(
        blocks, listener, understood, lambda: voice.speaking.is_set() or (audible and sink.busy())
    ).start()
    print(phrase("listen.listening"), flush=True)
    return VoiceKeys(keyboard, hearing, OfflineCoach({}), tracker, voice), tracker
