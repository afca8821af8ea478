"""Hands-free streaming benchmark: the latency of answering the player's events (no session:
each reads and writes the user's kept data) against an ask-sdk-core hello-world skill
answering the same envelopes in the same run, with the SQLite store and an in-memory one.

The events are what a device sends while a whole 20-minute routine streams, with a pause,
a resume, a next and a go-back on the way (the chat simulator's player produces them)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ["RECOVERY_COACH_AUDIO_BASE_URL"] = BASE = "https://coach.example"

from alexa_skill import hello_world, latency_rows  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.alexa.adapter import PLAYER_TYPES, Skill  # noqa: E402
from skill.alexa.chat import DEV_SKILL_ID, Conversation  # noqa: E402
from skill.alexa.chat_stream import StreamChat  # noqa: E402
from skill.alexa.player import Player  # noqa: E402
from skill.alexa.store import MemoryStore  # noqa: E402

SESSION = ["start my leg recovery", "wait 2:00", "pause", "wait 0:30", "resume", "wait 1:00", "next", "go back"]
SESSION += ["wait 25:00"]  # and on to the end
MIN_EVENTS = 3000


def timed_streams(skill: Skill, hello) -> tuple[list[float], list[float], int]:
    """(ours, hello world's) seconds per player event, and how many routines streamed."""
    ours: list[float] = []
    base: list[float] = []
    rounds = 0
    while len(ours) < MIN_EVENTS:
        sent: list[dict] = []

        def send(doc, sent=sent):
            is_event = doc["request"]["type"] in PLAYER_TYPES
            t = time.perf_counter()
            out = skill.respond(doc)
            if is_event:
                ours.append(time.perf_counter() - t)
                sent.append(json.loads(json.dumps(doc)))
            return 200, out

        chat = StreamChat(Conversation(send, user_id=f"amzn1.ask.account.stream{rounds}"), Player(BASE), show=len)
        for typed in SESSION:
            chat.type(typed)
        for doc in sent:
            t = time.perf_counter()
            hello(doc)
            base.append(time.perf_counter() - t)
        rounds += 1
    return ours, base, rounds


def main() -> None:
    hello = hello_world()
    rows = ["| player event | Recovery Coach | ask-sdk-core hello world | ratio |", "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        for label, skill in (
            ("SQLite store", Skill(Path(tmp) / "stream.sqlite3", skill_id=DEV_SKILL_ID)),
            ("in-memory store", Skill(skill_id=DEV_SKILL_ID, store=MemoryStore())),
        ):
            timed_streams(skill, hello)  # warm-up: caches, the plan, the track keys
            ours, base, rounds = timed_streams(skill, hello)
            rows += latency_rows(label, ours, base)
    write_section(
        "Hands-free stream",
        f"{len(ours)} player events ({rounds} streamed 20-minute routines, each with a pause, a resume, "
        "a next and a go-back: PlaybackStarted, NearlyFinished with its enqueue, Finished, Stopped) through "
        "`Skill.respond`; each event reads and writes the user's kept data. The hello-world skill answers "
        "the same envelopes.\n\n" + "\n".join(rows),
    )


if __name__ == "__main__":
    main()
