"""Sharing a length of time out: between a plan's parts (`water_fill`) and between the
movements of one part (`share`), each capped at what it can use."""

from __future__ import annotations


def water_fill(
    target: float, caps: dict[str, int], floors: dict[str, int], first: dict[str, float]
) -> dict[str, float]:
    """Share `target` by weight, each category capped at what it can fill. What the
    weighted categories cannot use is shared equally among the rest (a focus that
    cannot fill the time gets a warm-up and cool-down), skipping any whose share would
    be below its floor, the shortest step it can make."""
    budgets = {c: 0.0 for c in caps}
    remaining = float(target)
    rest = {c: 1.0 for c in caps if c not in first}
    for stage, weights in enumerate((first, rest)):
        open_ = {c: w for c, w in weights.items() if c in caps}
        while remaining > 0.5 and open_:
            total_w = sum(open_.values())
            share = {c: remaining * w / total_w for c, w in open_.items()}
            small = [c for c in open_ if stage and share[c] < floors[c] and len(open_) > 1]
            if small:
                del open_[max(small, key=lambda c: floors[c] - share[c])]
                continue
            full = [c for c in open_ if budgets[c] + share[c] >= caps[c]]
            if not full:
                for c in open_:
                    budgets[c] += share[c]
                remaining = 0
                break
            for c in full:
                remaining -= caps[c] - budgets[c]
                budgets[c] = caps[c]
                del open_[c]
    return budgets


def share(wants: list[float], caps: list[int], budget: float) -> list[float]:
    """Scale `wants` to add up to `budget`, none above its cap; what a capped one cannot
    take goes to the others."""
    out = [0.0] * len(wants)
    free = set(range(len(wants)))
    while free:
        scale = budget / sum(wants[i] for i in free)
        full = {i for i in free if wants[i] * scale >= caps[i]}
        if not full:
            for i in free:
                out[i] = wants[i] * scale
            break
        for i in full:
            out[i] = caps[i]
            budget -= caps[i]
        free -= full
    return out
