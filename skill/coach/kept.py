"""What the coach keeps per user, as the store holds it: its shape, the migration from every
earlier shape, when each part last changed, and how two copies of it merge.

Kept data (plain JSON, version `KEPT_VERSION`): `visits`, `tips`, `prefs` (see
skill/coach/memory.py), the place (`pos`, `pos_at`, `stream`: the unfinished routine, see
skill/coach/turn.py and skill/coach/stream.py), `history`, finished routines as [ISO date,
minutes, focus, id], oldest first, `flag`, the last red flag heard ([kind, ISO date], kind
one of RED_FLAGS; absent once the person said it is better), and what the merge needs:

- `changed`: {"place": [t, n], "prefs.<name>": [t, n]}, when the place and each preference
  last changed: t, the turn's time in epoch seconds; n, one more than every n in the copy
  it changed, so of two changes in the same second the later one in a session is larger.
- each history entry's id, drawn at random when the routine is finished, so that two
  devices' histories merge as a set. Entries from before ids are known by what they say
  and how many times the same entry came before.
- `rev`: the store's version token this copy was read at (skill/store/base.py), carried as is.

Version 3 added `changed` and the ids; data of versions 1 and 2 reads as it always did,
with every part as old as can be (t and n 0).

Two copies merge (`merge`, the rule every store is given) as: the place with the later
stamp, the red flag (or its absence) with the later stamp, each preference with the later
stamp (a tie: the incoming copy's), history the union by id, in date order, the newest
HISTORY_KEEP; visits and tips the larger.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from skill.coach.stream import checked_stream
from skill.store.base import REV, token
from speech.sequencer import Position

KEPT_VERSION = 3
READABLE = (1, 2, KEPT_VERSION)
HISTORY_KEEP = 60  # finished routines kept (about two months of daily recovery)
PLACE = ("pos", "pos_at", "stream")  # the parts of the place, which change together
RED_FLAGS = ("sharp", "lasting", "swelling", "weight", "worsening")  # skill/coach/body.py's, by name

Kept = dict[str, Any]


def fresh() -> Kept:
    return {"v": KEPT_VERSION, "visits": 0, "tips": 0, "prefs": {}, "pos": None, "pos_at": None, "history": []}


def migrate(saved: object) -> Kept:
    """Kept data of any release as this one's shape; anything unreadable starts fresh (with
    the store's version token kept: a forgotten user's tombstone has nothing else)."""
    kept = fresh()
    if not isinstance(saved, dict):
        return kept
    if token(saved) != (0, 0):
        kept[REV] = list(token(saved))
    if saved.get("v") not in READABLE:
        return kept
    for key in ("visits", "tips"):
        value = saved.get(key)
        kept[key] = value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
    kept["pos"] = saved.get("pos") if isinstance(saved.get("pos"), dict) else None
    kept["pos_at"] = saved.get("pos_at") if isinstance(saved.get("pos_at"), int) else None
    if isinstance(saved.get("prefs"), dict):
        kept["prefs"] = dict(saved["prefs"])
    stream = checked_stream(saved.get("stream"))
    if stream:
        kept["stream"] = stream
    if isinstance(saved.get("history"), list):
        kept["history"] = [h for h in saved["history"] if _entry(h)]
    flag = saved.get("flag")
    if isinstance(flag, list) and len(flag) == 2 and flag[0] in RED_FLAGS and isinstance(flag[1], str):
        kept["flag"] = list(flag)
    changed = saved.get("changed")
    if isinstance(changed, dict):
        stamps = {k: v for k, v in changed.items() if isinstance(k, str) and _stamp_ok(v)}
        if stamps:
            kept["changed"] = stamps
    return kept


def _entry(h: object) -> bool:
    if not (isinstance(h, list) and len(h) in (3, 4) and isinstance(h[0], str) and isinstance(h[1], int)):
        return False
    return len(h) == 3 or isinstance(h[3], str)


def _stamp_ok(v: object) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(type(x) is int and x >= 0 for x in v)


def record_finished(kept: Kept, pos: Position, today: date) -> None:
    done = [today.isoformat(), pos.inputs.minutes, pos.inputs.focus, os.urandom(4).hex()]
    kept["history"] = [*kept.get("history", []), done][-HISTORY_KEEP:]


def _changed_parts(before: Kept, after: Kept) -> list[str]:
    """The parts ("place", "flag", "prefs.<name>") whose values differ, in name order."""
    parts = []
    if any(before.get(key) != after.get(key) for key in PLACE):
        parts.append("place")
    if before.get("flag") != after.get("flag"):
        parts.append("flag")
    was, now = before.get("prefs", {}), after.get("prefs", {})
    if was != now:
        parts += [f"prefs.{name}" for name in was.keys() | now.keys() if was.get(name) != now.get(name)]
    return sorted(parts)


def stamp(before: Kept, after: Kept, now: int) -> Kept:
    """`after` with the parts that differ from `before` stamped as changed `now` (epoch seconds)."""
    parts = _changed_parts(before, after)
    if not parts:
        return after
    changed = dict(after.get("changed", {}))
    n = 1 + max((s[1] for s in [*before.get("changed", {}).values(), *changed.values()]), default=0)
    for part in parts:
        changed[part] = [now, n]
    return {**after, "changed": changed}


def _when(kept: Kept, part: str) -> tuple[int, int]:
    t, n = kept.get("changed", {}).get(part, (0, 0))
    return t, n


def merge(stored: Kept, incoming: Kept) -> Kept:
    """One copy of two: what a store writes when another write came between (module docstring)."""
    a, b = migrate(stored), migrate(incoming)
    out = {**b, "visits": max(a["visits"], b["visits"]), "tips": max(a["tips"], b["tips"])}
    out.pop(REV, None)  # the store's to set
    changed = dict(b.get("changed", {}))
    if _when(a, "place") > _when(b, "place"):
        out.update({key: a.get(key) for key in PLACE})
        changed["place"] = a["changed"]["place"]
    if out.get("stream") is None:
        out.pop("stream", None)
    if _when(a, "flag") > _when(b, "flag"):  # a red flag heard, or said to be better: the later
        out.pop("flag", None)
        out.update({"flag": a["flag"]} if "flag" in a else {})
        changed["flag"] = a["changed"]["flag"]
    prefs = dict(b["prefs"])
    for name, value in a["prefs"].items():
        part = f"prefs.{name}"
        if name not in prefs or _when(a, part) > _when(b, part):
            prefs[name] = value
            if part in a.get("changed", {}):
                changed[part] = a["changed"][part]
    out["prefs"], out["history"] = prefs, _union(a["history"], b["history"])
    if changed:
        out["changed"] = changed
    return out


def _union(stored: list[list[Any]], incoming: list[list[Any]]) -> list[list[Any]]:
    """Both histories as one set, in date order (an entry's place among those of its day
    kept, the incoming copy's first), the newest HISTORY_KEEP."""
    entries: dict[tuple[Any, ...], list[Any]] = {}
    for history in (incoming, stored):
        seen: dict[tuple[Any, ...], int] = {}
        for entry in history:
            key: tuple[Any, ...] = ("id", entry[3]) if len(entry) == 4 else (*entry, seen.get(tuple(entry), 0))
            seen[tuple(entry)] = seen.get(tuple(entry), 0) + 1
            entries.setdefault(key, entry)
    return sorted(entries.values(), key=lambda entry: str(entry[0]))[-HISTORY_KEEP:]
