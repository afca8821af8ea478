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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ["RECOVERY_COACH_AUDIO_BASE_URL"] = BASE = "https://coach.example"

from alexa_skill import answering, hello_world, latency_rows, timed_turns  # noqa: E402

from bench.results import write_section  # noqa: E402
from skill.alexa.adapter import Skill  # noqa: E402
from skill.alexa.envelope import PLAYER_TYPES  # noqa: E402
from skill.sim.chat import DEV_SKILL_ID, Conversation  # noqa: E402
from skill.sim.chat_stream import StreamChat  # noqa: E402
from skill.sim.player import Player  # noqa: E402
from skill.store.base import MemoryStore  # noqa: E402
from skill.store.sqlite import SQLiteStore  # noqa: E402
from skill.store.write_behind import WriteBehind  # noqa: E402

SESSION = ["start my leg recovery", "wait 2:00", "pause", "wait 0:30", "resume", "wait 1:00", "next", "go back"]
SESSION += ["wait 25:00"]  # and on to the end
MIN_EVENTS = 3000


def recorded_streams(tmp: Path) -> tuple[list[dict], int]:
    """Every envelope of enough streamed routines for MIN_EVENTS player events, as the
    stream simulator sends them to a skill of its own, and how many routines that is."""
    recorder, sent, events, rounds = Skill(tmp / "recording.sqlite3", skill_id=DEV_SKILL_ID), [], 0, 0

    def send(doc):
        sent.append(json.loads(json.dumps(doc)))
        return 200, recorder.respond(doc)

    while events < MIN_EVENTS:
        chat = StreamChat(Conversation(send, user_id=f"amzn1.ask.account.stream{rounds}"), Player(BASE), show=len)
        for typed in SESSION:
            chat.type(typed)
        events = sum(doc["request"]["type"] in PLAYER_TYPES for doc in sent)
        rounds += 1
    return sent, rounds


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docs, rounds = recorded_streams(Path(tmp))
        sqlite = Skill(store=WriteBehind(SQLiteStore(Path(tmp) / "stream.sqlite3")), skill_id=DEV_SKILL_ID)
        memory = Skill(skill_id=DEV_SKILL_ID, store=MemoryStore())
        times = timed_turns({"sqlite": answering(sqlite), "memory": answering(memory), "hello": hello_world()}, docs)
    events = [i for i, doc in enumerate(docs) if doc["request"]["type"] in PLAYER_TYPES]
    ours_sqlite, ours_memory, base = ([times[side][i] for i in events] for side in ("sqlite", "memory", "hello"))
    rows = ["| player event | Recovery Coach | ask-sdk-core hello world | ratio |", "| --- | --- | --- | --- |"]
    rows += latency_rows("SQLite store", ours_sqlite, base) + latency_rows("in-memory store", ours_memory, base)
    write_section(
        "Hands-free stream",
        f"{len(events)} player events ({rounds} streamed 20-minute routines, each with a pause, a resume, "
        "a next and a go-back: PlaybackStarted, NearlyFinished with its enqueue, Finished, Stopped), recorded "
        "from the stream simulator with the spoken turns around them, then every envelope answered through "
        "`Skill.respond` by the skill with SQLite, with a dict, and by the hello world, in rotating order; the "
        "events' times are shown. Each event reads the user's kept data and hands its save to the store "
        "before it answers (a player event has no session to carry it).\n\n" + "\n".join(rows),
    )


if __name__ == "__main__":
    main()
