"""Two devices of one user, each its own session through its own copy of the real app (two
server workers on one SQLite file, two Lambda containers on one DynamoDB table), reading
and writing in every order: neither's change is lost. And one session whose saves land out
of order (the older step's last): the place is the newer one. What is checked is what the
user hears when they come back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest
from storekit import USER, heard, talk_to

from content.planner import PlanInputs
from skill.coach.asks import Ask
from skill.coach.slots import Slot
from skill.coach.turn import settle, turn
from skill.store.dynamo import DynamoStore
from skill.store.sqlite import SQLiteStore
from speech import sequencer as seq

# A user of an older release (kept data version 2) who stopped on the last movement of a
# five-minute routine today, and finished a ten-minute one yesterday.
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
LAST_STEP = seq.to_attributes(seq.Position(PlanInputs(5), 3, 0, "paused"))
OLD_RECORD = {
    "v": 2,
    "visits": 3,
    "tips": 0,
    "prefs": {"roller": True},
    "pos": LAST_STEP,
    "pos_at": int(datetime.now(UTC).timestamp()),
    "history": [[YESTERDAY, 10, "full"]],
}

# Each device reads when its session opens and writes with its last words.
SCENARIOS = {
    "A finishes the routine while B chooses cycling": {
        "A": (["open recovery coach"], ["yes", "next"]),
        "B": (["open recovery coach"], ["I prefer cycling"]),
        "then": [
            ("what have I done this week", "2 routines"),  # yesterday's, and A's today
            ("start my leg recovery", "cycling"),  # B's preference
        ],
    },
    "A chooses cycling while B makes it fifteen minutes": {
        "A": (["open recovery coach"], ["I prefer cycling"]),
        "B": (["open recovery coach"], ["make it fifteen minutes from now on"]),
        "then": [
            ("what's in my routine", ""),
            ("no", "Shall I start the 15-minute routine?"),  # no to carrying on: B's minutes are offered
            ("yes", "cycling"),  # A's cardio
        ],
    },
}
# Every order of the four steps in which each device reads before it writes.
ORDERS = [
    " ".join(order)
    for order in permutations(["read-A", "write-A", "read-B", "write-B"])
    if order.index("read-A") < order.index("write-A") and order.index("read-B") < order.index("write-B")
]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_devices_in_every_order_lose_nothing(backend, scenario, order):
    store, db_path = backend
    store.put(USER, OLD_RECORD)
    table = SCENARIOS[scenario]
    devices = {name: talk_to(db_path) for name in ("A", "B")}  # two workers, or two Lambda containers
    for step in order.split():
        what, name = step.split("-")
        reads, writes = table[name]
        heard(devices[name], reads if what == "read" else writes)
    back = talk_to(db_path)
    said = heard(back, ["open recovery coach", *(typed for typed, _ in table["then"])])
    for (typed, expected), answer in zip(table["then"], said[1:], strict=True):
        assert expected in answer, (typed, answer)
    assert "Recovery Coach" in said[0]


def test_the_orders_table_has_every_interleaving():
    assert len(ORDERS) == 6 and "read-A read-B write-A write-B" in ORDERS and "read-B write-B read-A write-A" in ORDERS


def test_a_stop_on_childs_pose_is_not_undone_by_the_older_steps_save(backend):
    """One session's two saves written by two writers, the older one (hamstring roll) last."""
    first, db_path = backend
    second = SQLiteStore(db_path) if db_path else DynamoStore(first.table.name)  # another worker or container
    now = datetime.now(UTC)
    launch = settle(turn(Ask.LAUNCH, {}, True, None, first.get(USER), now=now), first, USER)
    session = turn(Ask.START_ROUTINE, {"duration": Slot("PT10M")}, False, launch.session, now=now).session
    for _ in range(3):  # on to quad roll
        session = turn(Ask.NEXT, {}, False, session, now=now).session
    hamstring = turn(Ask.NEXT, {}, False, session, now=now)
    childs_pose = turn(Ask.NEXT, {}, False, hamstring.session, now=now)  # the same second: only the order tells
    assert "hamstring roll" in hamstring.reply.ssml and "child's pose" in childs_pose.reply.ssml
    settle(childs_pose, second, USER)
    stop = settle(turn(Ask.STOP, {}, False, childs_pose.session, now=now), second, USER)
    assert "I've saved your place on child's pose" in stop.reply.ssml
    settle(hamstring, first, USER)  # the older save lands last
    said = heard(talk_to(db_path), ["open recovery coach"])
    assert "Shall we carry on with child's pose?" in said[0]
