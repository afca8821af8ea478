"""What is kept per user (skill/coach/kept.py): data of every earlier version reads as it
always did, and the merge rule two copies meet by, as a table: which copy's place,
preferences, history and counts survive."""

from __future__ import annotations

import json
import sqlite3

import pytest
from storekit import USER, heard, talk_to

from skill.coach.kept import KEPT_VERSION, merge, migrate
from skill.store.base import body
from skill.store.sqlite import SQLiteStore

PLACE_A = {"v": 1, "plan": [10, "full", 1], "at": [4, 0], "state": "paused"}
PLACE_B = {"v": 1, "plan": [10, "full", 1], "at": [5, 0], "state": "paused"}
OLD = [  # literal kept data of earlier releases
    '{"pos": {"at": [1, 0], "plan": [10, "full", 1], "state": "paused", "v": 1}, "tips": 0, "v": 1, "visits": 2}',
    '{"v": 2, "visits": 3, "tips": 1, "prefs": {"roller": false, "minutes": 15}, "pos": null, "pos_at": null, '
    '"history": [["2026-11-20", 10, "full"], ["2026-11-21", 15, "yoga"]]}',
]


@pytest.mark.parametrize("blob", OLD, ids=["version 1", "version 2"])
def test_kept_data_of_earlier_versions_reads_unchanged(blob):
    old = json.loads(blob)
    kept = migrate(old)
    assert kept["v"] == KEPT_VERSION
    assert {k: kept[k] for k in old if k != "v"} == {k: v for k, v in old.items() if k != "v"}
    assert "changed" not in kept, "nothing is stamped that did not change"


def kept(**parts):
    return {"v": 3, "visits": 1, "tips": 0, "prefs": {}, "pos": None, "pos_at": None, "history": [], **parts}


MERGES = [  # (what, stored, incoming, what the merge keeps)
    (
        "the place changed later wins, whichever copy has it",
        kept(pos=PLACE_B, pos_at=20, changed={"place": [20, 6]}),
        kept(pos=PLACE_A, pos_at=20, changed={"place": [20, 5]}),
        {"pos": PLACE_B, "pos_at": 20},
    ),
    (
        "of two changes in one second, the one later in the session wins",
        kept(pos=PLACE_A, pos_at=20, changed={"place": [20, 5]}),
        kept(pos=PLACE_B, pos_at=20, changed={"place": [20, 6]}),
        {"pos": PLACE_B},
    ),
    (
        "a finished routine clears the place for good when it came later",
        kept(pos=PLACE_A, pos_at=10, changed={"place": [10, 2]}),
        kept(pos=None, pos_at=None, changed={"place": [30, 3]}),
        {"pos": None},
    ),
    (
        "each preference by when it was set",
        kept(prefs={"cardio": "swimming", "minutes": 20}, changed={"prefs.cardio": [50, 4], "prefs.minutes": [10, 1]}),
        kept(prefs={"cardio": "cycling", "minutes": 15}, changed={"prefs.cardio": [40, 3], "prefs.minutes": [60, 5]}),
        {"prefs": {"cardio": "swimming", "minutes": 15}},
    ),
    (
        "a preference only one copy has is kept",
        kept(prefs={"roller": False}),
        kept(prefs={"cardio": "cycling"}, changed={"prefs.cardio": [40, 3]}),
        {"prefs": {"cardio": "cycling", "roller": False}},
    ),
    (
        "history is the union by id, in date order; old entries without ids are not doubled",
        kept(history=[["2026-11-01", 10, "full"], ["2026-11-03", 10, "full", "aaaa"]]),
        kept(history=[["2026-11-01", 10, "full"], ["2026-11-02", 15, "yoga", "bbbb"]]),
        {
            "history": [
                ["2026-11-01", 10, "full"],
                ["2026-11-02", 15, "yoga", "bbbb"],
                ["2026-11-03", 10, "full", "aaaa"],
            ]
        },
    ),
    ("visits and tips: the larger", kept(visits=7, tips=1), kept(visits=5, tips=2), {"visits": 7, "tips": 2}),
]


@pytest.mark.parametrize("what, stored, incoming, keeps", MERGES, ids=[m[0] for m in MERGES])
def test_the_merge_rule(what, stored, incoming, keeps):
    merged = merge(stored, incoming)
    assert {k: merged[k] for k in keeps} == keeps
    assert merge(merged, merged) == merged, "merging a copy with itself changes nothing"


OLD_SCHEMA = "CREATE TABLE attributes (user_id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at INTEGER)"


def test_a_record_from_before_versions_resumes_and_is_written(backend):
    """A user kept by the release before versions: an SQLite file of that schema, a
    DynamoDB item with no version. The place is offered, and the next save lands."""
    store, db_path = backend
    old = {"v": 2, "visits": 2, "tips": 0, "prefs": {"minutes": 15}, "pos": PLACE_A, "pos_at": None, "history": []}
    if db_path:
        store.close()
        for path in db_path.parent.glob(f"{db_path.name}*"):
            path.unlink()
        with sqlite3.connect(db_path) as c:
            c.execute(OLD_SCHEMA)
            c.execute("PRAGMA user_version = 2")
            c.execute("INSERT INTO attributes VALUES (?, ?, 0)", (USER, json.dumps(old)))
    else:
        store.table.put_item(Item={"id": USER, "attributes": old})
    said = heard(talk_to(db_path), ["open recovery coach", "yes", "stop"])
    assert "Shall we carry on with hamstring roll?" in said[0]
    assert "I've saved your place on hamstring roll" in said[2]
    after = (SQLiteStore(db_path) if db_path else store).get(USER)
    assert body(after)["visits"] == 3 and body(after)["prefs"] == {"minutes": 15} and after["rev"][0] >= 1


FLAG = ["sharp", "2026-12-05"]
FLAG_MERGES = [  # (what, stored, incoming, the flag the merge keeps)
    (
        "a red flag heard on another device is kept by a save that never saw it",
        kept(flag=FLAG, changed={"flag": [200, 2]}),
        kept(),
        FLAG,
    ),
    (
        "'it's better' said later lets go of the flag",
        kept(flag=FLAG, changed={"flag": [200, 2]}),
        kept(changed={"flag": [300, 3]}),
        None,
    ),
    (
        "a red flag heard after 'it's better' is kept",
        kept(changed={"flag": [300, 3]}),
        kept(flag=FLAG, changed={"flag": [400, 4]}),
        FLAG,
    ),
]


@pytest.mark.parametrize("what, stored, incoming, flag", FLAG_MERGES, ids=[m[0] for m in FLAG_MERGES])
def test_the_later_word_on_a_red_flag_wins_the_merge(what, stored, incoming, flag):
    assert merge(stored, incoming).get("flag") == flag
    assert migrate(merge(stored, incoming)).get("flag") == flag  # and reads back as it was written
