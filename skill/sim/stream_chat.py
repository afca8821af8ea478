"""`recovery-coach chat --stream`: the simulated Echo with a player, on the real clock.

Lines are read as they arrive (a terminal or a pipe) while the stream plays on at `--speed`;
after the input ends, the stream plays to its end (or until it is stopped).
"""

from __future__ import annotations

import argparse
import os
import select
import sys
import time
from typing import TYPE_CHECKING

BASE_ENV = "RECOVERY_COACH_AUDIO_BASE_URL"
CHAT_BASE_URL = "https://recovery-coach.example"  # in-process only: nothing is fetched from it
TICK = 0.1  # seconds of wall time between looks at the stream

if TYPE_CHECKING:
    from skill.sim.chat_stream import StreamChat


class Lines:
    """Whole lines from a file descriptor as they arrive: str, None on timeout, EOF at the end.
    (sys.stdin's own buffering would hide lines from select(), so bytes are read here.)"""

    EOF = object()

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer, self.closed = fd, b"", False

    def read(self, timeout: float | None) -> object:
        while b"\n" not in self.buffer:
            if self.closed:
                if self.buffer:
                    line, self.buffer = self.buffer, b""
                    return line.decode(errors="replace")
                return self.EOF
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.fd, 4096)
            self.buffer += chunk
            self.closed = not chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode(errors="replace")


def run_stream_chat(args: argparse.Namespace) -> int:
    from skill.sim.chat import Conversation, in_process
    from skill.sim.chat_stream import StreamChat
    from skill.sim.player import Player
    from skill.sim.transport import over_http

    base = os.environ.get(BASE_ENV)
    if not base and args.url:
        print(f"chat --stream: set {BASE_ENV} to the server's base URL here too, so the player can check its tracks.")
        return 2
    if not base:
        base = os.environ[BASE_ENV] = CHAT_BASE_URL
    chat = StreamChat(Conversation(over_http(args.url) if args.url else in_process()), Player(base))
    print(
        f"A device with an audio player, tracks from {base}, at {args.speed:g}x. Say 'start my leg recovery'; "
        "type a command at any moment ([pause] [play] [next] [previous] are the buttons, 'wait 1:30' skips ahead); "
        "Ctrl-D ends the typing, the stream plays on."
    )
    sys.stdout.flush()
    return _loop(chat, Lines(sys.stdin.fileno()), args.speed)


def _loop(chat: StreamChat, lines: Lines, speed: float) -> int:
    last = time.monotonic()
    while True:
        if lines.closed and not lines.buffer:
            if not chat.conv.ended:
                chat.type("")  # the microphone closes with nothing said
                continue
            if not chat.busy:
                return 0
            time.sleep(TICK)
            line = None
        else:
            line = lines.read(TICK if chat.busy else None)
        now = time.monotonic()
        chat.play((now - last) * speed)
        last = now
        if isinstance(line, str):
            if not sys.stdin.isatty():
                print(f"you> {line}")
            chat.type(line)
            last = time.monotonic()
        sys.stdout.flush()
