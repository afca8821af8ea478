"""Turn (minutes, focus, foam roller, cardio choice, sore areas, day of the week) into an
ordered plan of timed steps.

The order follows the source text: circulation (cardio, the one the person chose), then
mobility (dynamic stretches), then release (foam rolling), then restorative poses (yoga).
Time is shared out between categories by "water filling": each takes its share up to what
its movements can sensibly fill, and what it cannot use flows to the others. A focus gets
its part first and fills it with up to two rounds of its movements (the long restorative
hold is held longer, not repeated) before anything else joins; when that is not enough the
plan says so. Sore areas put the movements the text names for them first, with more time.
Inside a category a short budget means fewer movements at near-normal length, chosen from
a list that rotates with the day, so a week of 20-minute plans varies its stretches and poses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from content.library import AREAS as AREAS
from content.library import CATEGORIES, Movement, library
from content.phrases import phrase
from content.plan_notes import focus_note, target_notes, time_note
from content.shares import share, water_fill

MIN_MINUTES = 5
MAX_MINUTES = 60
DEFAULT_MINUTES = 20
FOCUSES = ("full", "cardio", "stretching", "foam-rolling", "yoga")
CARDIO_CHOICES = ("walking", "cycling", "swimming", "elliptical")  # what a person asks for
DEFAULT_CARDIO_CHOICE = "walking"
CARDIO_MOVEMENTS = {  # each cardio choice and its movement in content/data/cardio.yaml
    "walking": "brisk-walking",
    "cycling": "gentle-cycling",
    "swimming": "water-walking",
    "elliptical": "elliptical",
}
DEFAULT_CARDIO = CARDIO_MOVEMENTS[DEFAULT_CARDIO_CHOICE]
ROTATIONS = 7  # a plan input 0-6: which day of a week's variety of stretches and poses
# The plans people ask for most (`recovery-coach audio build --common`): every focus, with or
# without a roller, at these lengths, with the default cardio and no sore area aimed at.
COMMON_MINUTES = (10, 15, 20, 30)
ROUNDS = 2  # a focus repeats its movements at most this many times
LONG_HOLD = 300  # a movement that can last this long is held longer, never repeated
TARGET_WEIGHT = 1.5  # a movement aimed at a sore area gets this much more time
GRAIN = 5  # every duration is a multiple of this many seconds (per side: of twice this)
MIN_SCALE = 0.75  # a movement is not squeezed below three quarters of its usual length
GET_SET = 10  # seconds to get set for a new part (a roller out, down onto the floor), counted in its first step


@dataclass(frozen=True)
class PlanInputs:
    """What a plan is made from, in one canonical form, so plans, scripts and track keys are
    looked up by value: every input is checked (ValueError names the bad one), sore areas are
    a set in AREAS order, minutes are clamped to 5-60 (`asked` also says so in a sentence)."""

    minutes: int = DEFAULT_MINUTES
    focus: str = "full"  # one of FOCUSES
    has_foam_roller: bool = True
    cardio: str = DEFAULT_CARDIO_CHOICE  # one of CARDIO_CHOICES
    targets: tuple[str, ...] = ()  # sore areas to aim at, from AREAS
    rotation: int = 0  # which day of the week's variety, 0-6

    def __post_init__(self) -> None:
        _check(self)
        object.__setattr__(self, "minutes", min(max(self.minutes, MIN_MINUTES), MAX_MINUTES))
        object.__setattr__(self, "targets", tuple(sorted(set(self.targets), key=AREAS.index)))

    def __hash__(self) -> int:  # a cache key several times a turn (plan, script, parts, screen): hashed once
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        return hash((self.minutes, self.focus, self.has_foam_roller, self.cardio, self.targets, self.rotation))

    @classmethod
    def asked(cls, minutes: int = DEFAULT_MINUTES, *rest: Any, **named: Any) -> tuple[PlanInputs, str | None]:
        """The inputs for a request, and the sentence to say when its minutes were outside 5-60."""
        return cls(minutes, *rest, **named), clamp_minutes(minutes)[1]

    @property
    def common(self) -> bool:
        """One of the plans people ask for most (COMMON_MINUTES)."""
        return self.minutes in COMMON_MINUTES and self.cardio == DEFAULT_CARDIO_CHOICE and not self.targets


def _check(inputs: PlanInputs) -> None:
    if type(inputs.minutes) is not int:  # not a bool, not a float
        raise ValueError("minutes must be a whole number")
    if inputs.focus not in FOCUSES:
        raise ValueError(f"focus must be one of {', '.join(FOCUSES)}")
    if not isinstance(inputs.has_foam_roller, bool):
        raise ValueError("has_foam_roller must be true or false")
    if inputs.cardio not in CARDIO_CHOICES:
        raise ValueError(f"cardio must be one of {', '.join(CARDIO_CHOICES)}")
    if not isinstance(inputs.targets, tuple | list) or not all(a in AREAS for a in inputs.targets):
        raise ValueError(f"targets must be among {', '.join(AREAS)}")
    if not (type(inputs.rotation) is int and 0 <= inputs.rotation < ROTATIONS):
        raise ValueError(f"rotation must be a whole number from 0 to {ROTATIONS - 1}")


@dataclass(frozen=True)
class PlanStep:
    """One movement of a plan and how long it lasts."""

    movement: Movement
    seconds: int
    round: int = 1  # 2 for a focus's second round of the same movement
    get_set: int = 0  # seconds at the start of `seconds` for getting set for a new part (GET_SET)

    @property
    def moving(self) -> int:  # the movement's own seconds, within its range
        return self.seconds - self.get_set

    def aims_at(self, targets: tuple[str, ...]) -> bool:
        return bool(set(self.movement.areas) & set(targets))


@dataclass(frozen=True)
class Plan:
    """The ordered, timed steps for one request, and what to say about how it differs."""

    inputs: PlanInputs
    steps: tuple[PlanStep, ...]
    notes: tuple[str, ...]  # sentences a voice can say: why the plan differs from the request

    @property
    def total_seconds(self) -> int:
        return sum(s.seconds for s in self.steps)

    def seconds_in(self, category: str) -> int:
        return sum(s.seconds for s in self.steps if s.movement.category == category)


def clamp_minutes(minutes: int) -> tuple[int, str | None]:
    """Minutes within 5-60, and the sentence to say when the request was outside."""
    if minutes < MIN_MINUTES:
        return MIN_MINUTES, phrase("plan.clamped_low", minimum=MIN_MINUTES, minutes=MIN_MINUTES)
    if minutes > MAX_MINUTES:
        return MAX_MINUTES, phrase("plan.clamped_high", maximum=MAX_MINUTES, minutes=MAX_MINUTES)
    return minutes, None


def candidates(category: str, inputs: PlanInputs) -> tuple[Movement, ...]:
    """Movements a plan may use for a category: the chosen cardio, rolling only with a roller."""
    moves = library().by_category(category)
    if category == "cardio":
        return tuple(m for m in moves if m.id == CARDIO_MOVEMENTS[inputs.cardio])
    return tuple(m for m in moves if inputs.has_foam_roller or "foam roller" not in m.equipment)


def sequence(
    moves: tuple[Movement, ...], targets: tuple[str, ...], rotation: int, rounds: int
) -> tuple[tuple[Movement, int], ...]:
    """The order a category's movements are taken in, each with its round: those aimed at
    a sore area first, the rest rotated by the day, then a second round when asked."""
    aimed = [m for m in moves if set(m.areas) & set(targets)]
    rest = [m for m in moves if m not in aimed]
    turn = rotation % len(rest) if rest else 0
    first = aimed + rest[turn:] + rest[:turn]
    again = [m for m in first if m.seconds.max < LONG_HOLD]
    return tuple((m, 1) for m in first) + tuple((m, r) for r in range(2, rounds + 1) for m in again)


@functools.lru_cache(maxsize=512)
def build_plan(inputs: PlanInputs) -> Plan:
    focus, targets, minutes = inputs.focus, inputs.targets, inputs.minutes
    target = minutes * 60
    pools = {c: candidates(c, inputs) for c in CATEGORIES}
    pools = {c: m for c, m in pools.items() if m}
    swapped = focus == "foam-rolling" and "foam-rolling" not in pools
    part = "full" if swapped else focus
    seqs = {c: sequence(m, targets, inputs.rotation, ROUNDS if c == part else 1) for c, m in pools.items()}
    if swapped:
        first = {"stretching": 1.0, "yoga": 1.0}
    elif focus == "full":
        first = {c: 1.0 + 0.5 * any(set(m.areas) & set(targets) for m in pools[c]) for c in pools}
    else:
        first = {focus: 1.0}
    budgets = water_fill(
        target,
        caps={c: sum(m.seconds.max for m, _ in s) for c, s in seqs.items()},
        floors={c: s[0][0].seconds.min for c, s in seqs.items()},
        first=first,
    )
    steps: list[PlanStep] = []
    for category in CATEGORIES:
        if budgets.get(category, 0) > 0:
            steps.extend(_fill_category(seqs[category], budgets[category], targets))
    steps = _settle_total(_with_get_set(steps), target, part)
    plan = Plan(inputs, tuple(steps), ())
    notes = [time_note(minutes), "swapped" if swapped else None, focus_note(plan, target)]
    notes += target_notes(plan)
    if plan.total_seconds < target * 0.95:
        notes.append(phrase("plan.short_of_time", planned=round(plan.total_seconds / 60), minutes=minutes))
    said = tuple(phrase("plan.no_roller_for_rolling") if n == "swapped" else n for n in notes if n)
    return Plan(inputs, tuple(steps), said)


def with_note(plan: Plan, note: str | None) -> Plan:
    """The plan saying `note` (PlanInputs.asked's, about the minutes asked for) before its own notes."""
    return replace(plan, notes=(note, *plan.notes)) if note else plan


def _fill_category(seq: tuple[tuple[Movement, int], ...], budget: float, targets: tuple[str, ...]) -> list[PlanStep]:
    """The first movements of the sequence that fit the budget, at near-normal length
    (aimed ones longer), in plan order: aimed first, then the library's order, the
    second round after the first, a long restorative hold last."""
    count = 1
    while count < len(seq) and (
        sum(m.seconds.default for m, _ in seq[: count + 1]) * MIN_SCALE <= budget
        or sum(m.seconds.max for m, _ in seq[:count]) < budget
    ):
        count += 1
    chosen = list(seq[:count])
    while len(chosen) > 1 and sum(m.seconds.min for m, _ in chosen) > budget:
        chosen = chosen[:-1]
    if chosen[0][0].seconds.min > budget * 1.5:
        return []
    weight = {m.id: TARGET_WEIGHT if set(m.areas) & set(targets) else 1.0 for m, _ in chosen}
    order = {m.id: i for i, m in enumerate(library().movements)}
    chosen.sort(key=lambda c: (c[0].seconds.max >= LONG_HOLD, c[1], weight[c[0].id] == 1.0, order[c[0].id]))
    wanted = share([m.seconds.default * weight[m.id] for m, _ in chosen], [m.seconds.max for m, _ in chosen], budget)
    return [PlanStep(m, _round(m, w), r) for (m, r), w in zip(chosen, wanted)]


def _grain(m: Movement) -> int:
    return GRAIN * 2 if m.per_side else GRAIN


def _round(m: Movement, seconds: float) -> int:
    g = _grain(m)
    lo = -(-m.seconds.min // g) * g
    hi = m.seconds.max // g * g
    return int(min(max(round(seconds / g) * g, lo), hi))


def _with_get_set(steps: list[PlanStep]) -> list[PlanStep]:
    """The first step of every part after the first starts with time to get set for it."""
    new = [i and s.movement.category != steps[i - 1].movement.category for i, s in enumerate(steps)]
    return [replace(s, seconds=s.seconds + GET_SET, get_set=GET_SET) if n else s for s, n in zip(steps, new)]


def _settle_total(steps: list[PlanStep], target: int, keep: str) -> list[PlanStep]:
    """Nudge durations one grain at a time, within each movement's range, towards the
    target; the step with the most room moves, a focus's own steps first to grow and
    last to shrink. Stops when no nudge gets closer."""
    steps = list(steps)
    mixed = len({s.movement.category for s in steps}) > 1
    while (diff := target - sum(s.seconds for s in steps)) != 0:
        sign = 1 if diff > 0 else -1
        best = None
        for i, s in enumerate(steps):
            g = _grain(s.movement)
            new = s.moving + sign * g
            if g >= 2 * abs(diff) or not s.movement.seconds.min <= new <= s.movement.seconds.max:
                continue
            if mixed and sign < 0 and s.movement.category == keep:  # never less focus for more minutes
                continue
            room = s.movement.seconds.max - s.moving if sign > 0 else s.moving - s.movement.seconds.min
            rank = ((s.movement.category == keep) == (sign > 0), room)
            if best is None or rank > best[0]:
                best = (rank, i, new + s.get_set)
        if best is None:
            break
        steps[best[1]] = replace(steps[best[1]], seconds=best[2])
    return steps
