"""Core benchmark: building plans, scripts and SSML for every focus and duration,
against loading and validating the data files, measured in the same run.

The caches are bypassed so each figure is real work. Ratios are the figures to compare
between runs; absolute times are for context only.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import write_section  # noqa: E402
from content.library import load_library  # noqa: E402
from content.planner import AREAS, CARDIO_CHOICES, FOCUSES, PlanInputs, build_plan  # noqa: E402
from speech.script import build_script  # noqa: E402
from speech.ssml import render_script, validate_ssml  # noqa: E402

MINUTES = (5, 10, 15, 20, 30, 45, 60)
TARGETS = ((), *((a,) for a in AREAS))
COMBOS = [(m, f, r) for m in MINUTES for f in FOCUSES for r in (True, False)]  # the core figures, as before
TABLE = [(m, f, r, c, t) for m, f, r in COMBOS for c in CARDIO_CHOICES for t in TARGETS]  # every plan option
ROUNDS = 7


def timed(fn) -> float:
    """Median wall time of `fn` over ROUNDS runs, in seconds."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    make_plan = build_plan.__wrapped__  # uncached
    asks, table_asks = [PlanInputs(*c) for c in COMBOS], [PlanInputs(*c) for c in TABLE]
    plans = [make_plan(a) for a in asks]
    scripts = [build_script(p) for p in plans]
    responses = [r for s in scripts for r in render_script(s)]

    load = timed(load_library)
    plan = timed(lambda: [make_plan(a) for a in asks])
    script = timed(lambda: [build_script(p) for p in plans])
    ssml = timed(lambda: [render_script(s) for s in scripts])
    check = timed(lambda: [validate_ssml(r.ssml) for r in responses])

    n = len(COMBOS)
    table = timed(lambda: [make_plan(a) for a in table_asks])
    distinct = len({tuple((s.movement.id, s.seconds) for s in make_plan(a).steps) for a in table_asks})
    week = len({tuple(s.movement.id for s in make_plan(PlanInputs(20, rotation=d)).steps) for d in range(7)})
    rows = [
        ("load + validate data files (baseline)", load, 1),
        (f"plan, all {n} combinations", plan, n),
        (f"script, all {n}", script, n),
        (f"SSML render, all {n}", ssml, n),
        (f"SSML validate, {len(responses)} responses", check, len(responses)),
        (f"plan, whole table of {len(TABLE)} (x cardio x sore area)", table, len(TABLE)),
    ]
    lines = ["| work | ms total | ms each | × data load |", "| --- | ---: | ---: | ---: |"]
    for name, secs, count in rows:
        lines.append(f"| {name} | {secs * 1000:.2f} | {secs * 1000 / count:.3f} | {secs / load:.2f} |")
    per_request = (plan + script + ssml) / n
    lines.append("")
    lines.append(
        f"One routine from nothing (plan + script + SSML) costs {per_request / load:.2f}× "
        f"loading the data files ({per_request * 1000:.2f} ms vs {load * 1000:.2f} ms); "
        f"medians of {ROUNDS} rounds, {n} combinations (7 durations × 5 focuses × roller or not)."
    )
    lines.append("")
    lines.append(
        f"The whole table ({len(TABLE)} requests: 7 durations × 5 focuses × roller or not × "
        f"{len(CARDIO_CHOICES)} cardio choices × {len(TARGETS)} sore-area choices) produces {distinct} distinct plans; "
        f"a week of 20-minute full plans has {week} distinct movement lists."
    )
    write_section("Core: plan, script, SSML", "\n".join(lines))


if __name__ == "__main__":
    main()
