"""Turn (minutes, focus, foam roller or not) into an ordered plan of timed steps.

The order follows the source text: circulation (cardio), then mobility (dynamic
stretches), then release (foam rolling), then restorative poses (yoga). Time is shared
out between categories by "water filling": each category takes its share up to what its
movements can sensibly fill, and what it cannot use flows to the others. Inside a
category, a short budget means fewer movements at near-normal length rather than every
movement cut to a few seconds, so a 5-minute plan is not a 60-minute plan cut off.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from content.library import CATEGORIES, Movement, library
from content.phrases import phrase

MIN_MINUTES = 5
MAX_MINUTES = 60
DEFAULT_MINUTES = 20
FOCUSES = ("full", "cardio", "stretching", "foam-rolling", "yoga")
DEFAULT_CARDIO = "brisk-walking"  # the movement the plans use today (issue 9 plans the choice)
CARDIO_CHOICES = ("walking", "cycling", "swimming", "elliptical")  # what a person asks for
DEFAULT_CARDIO_CHOICE = "walking"
AREAS = ("quads", "hamstrings", "glutes", "calves", "hips", "it-band", "lower-back")  # what --target names
CARDIO_CAP_SECONDS = 30 * 60  # "Aim for 15-30 minutes": the cardio movements' max in the data
GRAIN = 5  # every duration is a multiple of this many seconds (per side: of twice this)
MIN_SCALE = 0.75  # a movement is not squeezed below three quarters of its usual length


@dataclass(frozen=True)
class PlanStep:
    movement: Movement
    seconds: int


@dataclass(frozen=True)
class Plan:
    minutes: int  # what the plan was made for, after clamping to 5-60
    focus: str
    has_foam_roller: bool
    steps: tuple[PlanStep, ...]
    notes: tuple[str, ...]  # sentences a voice can say: why the plan differs from the request
    cardio: str = DEFAULT_CARDIO_CHOICE  # one of CARDIO_CHOICES
    targets: tuple[str, ...] = ()  # sore areas the plan aims at, from AREAS

    @property
    def total_seconds(self) -> int:
        return sum(s.seconds for s in self.steps)


def clamp_minutes(minutes: int) -> tuple[int, str | None]:
    """Minutes within 5-60, and the sentence to say when the request was outside."""
    if minutes < MIN_MINUTES:
        return MIN_MINUTES, phrase("plan.clamped_low", minimum=MIN_MINUTES, minutes=MIN_MINUTES)
    if minutes > MAX_MINUTES:
        return MAX_MINUTES, phrase("plan.clamped_high", maximum=MAX_MINUTES, minutes=MAX_MINUTES)
    return minutes, None


def candidates(category: str, has_foam_roller: bool) -> tuple[Movement, ...]:
    """Movements a plan may use for a category: one cardio option, rolling only with a roller."""
    moves = library().by_category(category)
    if category == "cardio":
        return tuple(m for m in moves if m.id == DEFAULT_CARDIO)
    return tuple(m for m in moves if has_foam_roller or "foam roller" not in m.equipment)


def capacity(moves: tuple[Movement, ...]) -> int:
    return sum(m.seconds.max for m in moves)


@functools.lru_cache(maxsize=512)
def build_plan(
    minutes: int = DEFAULT_MINUTES,
    focus: str = "full",
    has_foam_roller: bool = True,
    cardio: str = DEFAULT_CARDIO_CHOICE,
    targets: tuple[str, ...] = (),
) -> Plan:
    if focus not in FOCUSES:
        raise ValueError(f"focus must be one of {', '.join(FOCUSES)}")
    if cardio not in CARDIO_CHOICES:
        raise ValueError(f"cardio must be one of {', '.join(CARDIO_CHOICES)}")
    if not set(targets) <= set(AREAS):
        raise ValueError(f"targets must be among {', '.join(AREAS)}")
    minutes, clamp_note = clamp_minutes(int(minutes))
    notes = [clamp_note] if clamp_note else []
    target = minutes * 60

    pools = {c: candidates(c, has_foam_roller) for c in CATEGORIES}
    pools = {c: m for c, m in pools.items() if m}
    if focus == "foam-rolling" and "foam-rolling" not in pools:
        notes.append(phrase("plan.no_roller_for_rolling"))
        first = {"stretching": 1.0, "yoga": 1.0}
    elif focus == "full":
        first = {c: 1.0 for c in pools}
    else:
        first = {focus: 1.0}
    budgets = _water_fill(
        target,
        caps={c: capacity(m) for c, m in pools.items()},
        floors={c: m[0].seconds.min for c, m in pools.items()},
        first=first,
    )
    if focus == "cardio" and target > CARDIO_CAP_SECONDS:
        notes.append(phrase("plan.cardio_capped"))

    steps: list[PlanStep] = []
    for category in CATEGORIES:
        if budgets.get(category, 0) > 0:
            steps.extend(_fill_category(pools[category], budgets[category]))
    steps = _settle_total(steps, target)
    total = sum(s.seconds for s in steps)
    if total < target * 0.95:
        notes.append(phrase("plan.short_of_time", planned=round(total / 60), minutes=minutes))
    return Plan(minutes, focus, has_foam_roller, tuple(steps), tuple(notes), cardio, tuple(targets))


def _water_fill(
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


def _fill_category(moves: tuple[Movement, ...], budget: float) -> list[PlanStep]:
    count = 1
    while count < len(moves) and (
        sum(m.seconds.default for m in moves[: count + 1]) * MIN_SCALE <= budget
        or sum(m.seconds.max for m in moves[:count]) < budget
    ):
        count += 1
    chosen = moves[:count]
    while len(chosen) > 1 and sum(m.seconds.min for m in chosen) > budget:
        chosen = chosen[:-1]
    if chosen[0].seconds.min > budget * 1.5:
        return []
    scale = budget / sum(m.seconds.default for m in chosen)
    return [PlanStep(m, _round(m, m.seconds.default * scale)) for m in chosen]


def _grain(m: Movement) -> int:
    return GRAIN * 2 if m.per_side else GRAIN


def _round(m: Movement, seconds: float) -> int:
    g = _grain(m)
    lo = -(-m.seconds.min // g) * g
    hi = m.seconds.max // g * g
    return int(min(max(round(seconds / g) * g, lo), hi))


def _settle_total(steps: list[PlanStep], target: int) -> list[PlanStep]:
    """Nudge durations one grain at a time, within each movement's range, towards the
    target; the step with the most room moves. Stops when no nudge gets closer."""
    steps = list(steps)
    while (diff := target - sum(s.seconds for s in steps)) != 0:
        sign = 1 if diff > 0 else -1
        best = None
        for i, s in enumerate(steps):
            g = _grain(s.movement)
            new = s.seconds + sign * g
            if g >= 2 * abs(diff) or not s.movement.seconds.min <= new <= s.movement.seconds.max:
                continue
            room = s.movement.seconds.max - s.seconds if sign > 0 else s.seconds - s.movement.seconds.min
            if best is None or room > best[0]:
                best = (room, i, new)
        if best is None:
            break
        steps[best[1]] = PlanStep(steps[best[1]].movement, best[2])
    return steps
