"""The store is read once per session and written only when something worth keeping
changed: questions, help, pause and resume cost no write; a visit, a preference, a new
place and a finished routine do, and so does a stop that says the place is saved (it is
written to know that it was)."""

from __future__ import annotations

from storekit import heard

from skill.alexa.adapter import Skill
from skill.sim.chat import DEV_SKILL_ID, Conversation
from skill.store.sqlite import SQLiteStore


class Counted(SQLiteStore):
    """The real SQLite store, counting what it is asked to do."""

    def __init__(self, path):
        super().__init__(path)
        self.reads, self.writes = 0, 0

    def get(self, uid):
        self.reads += 1
        return super().get(uid)

    def save_many(self, writes):
        self.writes += len(writes)
        return super().save_many(writes)


TURNS = [  # (what the user says, whether it writes)
    ("open recovery coach", True),  # a visit
    ("what's next", False),
    ("help", False),
    ("how much is left", False),
    ("make it fifteen minutes from now on", True),
    ("make it fifteen minutes from now on", False),  # said again: nothing new to keep
    ("start my leg recovery", True),  # a place
    ("pause", False),
    ("resume", False),
    ("how do I do leg swings", False),
    ("next", True),
    ("stop", True),  # "I've saved your place": said once the write landed
]


def test_only_turns_that_change_something_write_and_the_store_is_read_once(tmp_path):
    store = Counted(tmp_path / "coach.sqlite3")
    skill = Skill(store=store, skill_id=DEV_SKILL_ID)
    conv = Conversation(lambda doc: (200, skill.respond(doc)))
    for typed, writes in TURNS:
        before = store.writes
        heard(conv, [typed])
        assert (store.writes > before) == writes, typed
    assert store.reads == 1
