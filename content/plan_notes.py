"""The sentences a plan says about itself: outside the guide's 15-30 minutes, a focus
that cannot sensibly fill its time, the sore areas it aims at. Each is said once, in the
welcome, so the plan explains itself without nagging."""

from __future__ import annotations

from typing import TYPE_CHECKING

from content.library import CATEGORIES
from content.phrases import phrase

if TYPE_CHECKING:
    from content.planner import Plan

GUIDE_MINUTES = (15, 30)  # "Aim for 15-30 minutes"
CARDIO_CAP_SECONDS = 30 * 60  # ... of cardio, too: the cardio movements' max in the data
FOCUS_SHARE = 0.8  # a focus spends at least this much of the plan in its part, or says why

PART_KEYS = {  # how a category is named in a note
    "cardio": "plan.part.cardio",
    "stretching": "plan.part.stretching",
    "foam-rolling": "plan.part.foam-rolling",
    "yoga": "plan.part.yoga",
}
AREA_KEYS = {  # how a sore area is named in a note
    "quads": "plan.area.quads",
    "hamstrings": "plan.area.hamstrings",
    "glutes": "plan.area.glutes",
    "calves": "plan.area.calves",
    "hips": "plan.area.hips",
    "it-band": "plan.area.it-band",
    "lower-back": "plan.area.lower-back",
}


def time_note(minutes: int) -> str | None:
    """The guide's "Aim for 15-30 minutes", said once when the plan is outside it."""
    if minutes < GUIDE_MINUTES[0]:
        return phrase("plan.guide_short")
    if minutes > GUIDE_MINUTES[1]:
        return phrase("plan.guide_long")
    return None


def focus_note(plan: Plan, target: int) -> str | None:
    """One sentence when a focus could not fill its share: how much it fills, what else does."""
    focus = plan.inputs.focus
    if focus == "full" or plan.seconds_in(focus) >= FOCUS_SHARE * target:
        return None
    if focus == "cardio" and plan.seconds_in("cardio") >= CARDIO_CAP_SECONDS:
        return phrase("plan.cardio_capped")
    others = [c for c in CATEGORIES if c != focus and plan.seconds_in(c)]
    if focus not in {s.movement.category for s in plan.steps}:
        return None  # no roller for a rolling focus: that has its own note
    return phrase(
        "plan.focus_capped",
        part=phrase(PART_KEYS[focus]),
        fill=round(plan.seconds_in(focus) / 60),
        rest=_and([phrase(PART_KEYS[c]) for c in others]),
    )


def target_notes(plan: Plan) -> list[str]:
    targets = plan.inputs.targets
    if not targets:
        return []
    areas = _and([phrase(AREA_KEYS[a]) for a in targets])
    notes = []
    if "it-band" in targets and not plan.inputs.has_foam_roller:
        notes.append(phrase("plan.it_band_no_roller"))
    aimed = list(dict.fromkeys(s.movement.name for s in plan.steps if s.aims_at(targets)))
    if not aimed:
        return [*notes, phrase("plan.aimed_none", areas=areas)]
    return [*notes, phrase("plan.aimed", areas=areas, moves=_and(aimed[:3]))]


def _and(words: list[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return phrase("plan.list_and", items=", ".join(words[:-1]), last=words[-1])
