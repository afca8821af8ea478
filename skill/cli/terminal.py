"""The offline coach's terminal: single keypresses in, a live status line (or plain lines) out."""

from __future__ import annotations

import os
import select
import sys
import termios
import time
import tty
from typing import Any, TextIO

from content.phrases import phrase
from skill.cli.plan_commands import mmss
from speech.local.playback import Event, Key, Kind, status
from speech.script import Script

# The line shown for each event, and for each jump key (named so the phrase-key test sees them).
EVENT_KEYS = {
    Kind.PAUSED: "offline.paused",
    Kind.RESUMED: "offline.resumed",
    Kind.FINISHED: "offline.finished",
    Kind.QUIT: "offline.quit",
}
JUMPED_KEYS = {Key.NEXT: "offline.jumped.n", Key.BACK: "offline.jumped.b", Key.REPEAT: "offline.jumped.r"}

# Linux lets select() wake up late in proportion to its timeout (timer slack), so a long
# wait for the next cue is taken in short slices: a cue is never late by more than a slice's slack.
WAIT_SLICE = 0.05


class Keyboard:
    """Keys as they are pressed, without Enter or echo, while in a `with` block; the terminal
    is put back as it was on the way out, also after Ctrl-C. When stdin is not a terminal,
    keys are read from it as they arrive (a pipe), and waiting is plain sleeping after it ends."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.fd: int | None = None
        self.saved: list[Any] | None = None

    def __enter__(self) -> Keyboard:
        try:
            self.fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        if self.fd is not None and os.isatty(self.fd):
            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)  # Ctrl-C still raises KeyboardInterrupt
        return self

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None and self.fd is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.saved = None

    def __call__(self, timeout: float | None) -> str | None:
        if self.fd is None:
            if timeout is None:
                raise KeyboardInterrupt  # paused with no keyboard: nothing could resume it
            time.sleep(timeout)
            return None
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], None if left is None else min(left, WAIT_SLICE))
            if ready:
                break
        data = os.read(self.fd, 1)
        if not data:  # end of piped input: no more keys
            self.fd = None
            return None
        return data.decode("utf-8", "replace").lower()


class Display:
    """Shows playback events. On a terminal: cue lines scroll above a status line rewritten in
    place (movement, time left in step and routine, what is next). Otherwise: plain lines."""

    def __init__(self, script: Script, out: TextIO | None = None, live: bool | None = None, verbose: bool = False):
        self.script = script
        self.out = out or sys.stdout
        self.live = self.out.isatty() if live is None else live
        self.verbose = verbose
        self.last_status = ""

    def __call__(self, e: Event) -> None:
        if e.kind == Kind.TICK:
            self._status(e)
            return
        line = self._line(e)
        if line is None:
            return
        if self.live:
            self.out.write("\r\033[K")
            self.last_status = ""
        self.out.write(line + "\n")
        if self.live and e.kind not in (Kind.PAUSED, Kind.FINISHED, Kind.QUIT):
            self._status(e)
        self.out.flush()

    def _line(self, e: Event) -> str | None:
        s = self.script
        if e.kind == Kind.STEP:
            step = s.steps[e.step]
            line = phrase(
                "offline.step",
                number=e.step + 1,
                steps=len(s.steps),
                name=step.name,
                length=mmss(step.seconds),
                routine_left=mmss(s.total_seconds - s.step_start(e.step)),
            )
            nxt = s.steps[e.step + 1].name if e.step + 1 < len(s.steps) else None
            return line + " " + (phrase("offline.next", name=nxt) if nxt else phrase("offline.last"))
        if e.kind == Kind.CUE:
            return f"{mmss(e.at):>6}  {e.text}"
        if e.kind == Kind.PUSHED:
            return f"{'':>6}  " + phrase("offline.pushed", seconds=e.late) if self.verbose else None
        if e.kind == Kind.JUMPED:
            return phrase(JUMPED_KEYS[Key(e.text)])
        if e.kind in EVENT_KEYS:
            return phrase(EVENT_KEYS[e.kind])
        return None

    def _status(self, e: Event) -> None:
        if not self.live:
            return
        st = status(self.script, e.step, e.at)
        name, step_left, routine_left = st.name, mmss(st.step_left), mmss(st.routine_left)
        text = (
            phrase("offline.status", next=st.next_name, name=name, step_left=step_left, routine_left=routine_left)
            if st.next_name
            else phrase("offline.status_last", name=name, step_left=step_left, routine_left=routine_left)
        )
        if text != self.last_status:
            self.out.write("\r\033[K" + text)
            self.out.flush()
            self.last_status = text


def progress_bar(label: str, done: float, total: float, out: TextIO | None = None, width: int = 30) -> None:
    """A bar rewritten in place on a terminal; nothing when the stream is not a terminal."""
    out = out or sys.stderr
    if not out.isatty():
        return
    share = done / total if total else 1.0
    filled = int(width * share)
    out.write(f"\r\033[K{label} [{'#' * filled}{'-' * (width - filled)}] {share:4.0%}  {mmss(done)} of {mmss(total)}")
    if done >= total:
        out.write("\n")
    out.flush()
