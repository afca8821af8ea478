"""`recovery-coach routine` and `recovery-coach script`: the plan and its timed script."""

from __future__ import annotations

import argparse
import json
from typing import Any

from content.planner import PlanInputs, build_plan, with_note
from speech.local.trackkey import track_path
from speech.script import Script, build_script
from speech.ssml import render_script


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "routine",
        parents=[shared],
        help="print the plan: steps, durations, total",
        description="Print the routine the planner makes for these options.",
    )
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.set_defaults(run=run_routine)

    p = sub.add_parser(
        "script",
        parents=[shared],
        help="print the timed coaching script",
        description="Print the timed script: text with mm:ss times, the SSML "
        "responses exactly as the skill sends them, or JSON.",
    )
    p.add_argument(
        "--format",
        choices=("text", "ssml", "json"),
        default="text",
        help="text (default), ssml (one response per line) or json (with each step's `track`: "
        "the URL path of its MP3 on the server, /audio/<key>.mp3, in the default voice)",
    )
    p.set_defaults(run=run_script)


def asked(args: argparse.Namespace) -> tuple[PlanInputs, str | None]:
    """The plan options as plan inputs, and the sentence to say when the minutes were clamped."""
    return PlanInputs.asked(
        args.minutes, args.focus, args.has_foam_roller, args.cardio, tuple(args.targets), args.rotation
    )


def mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def plan_json(script: Script) -> dict[str, Any]:
    plan, inputs = script.plan, script.plan.inputs
    return {
        "minutes": inputs.minutes,
        "focus": inputs.focus,
        "has_foam_roller": inputs.has_foam_roller,
        "cardio": inputs.cardio,
        "targets": list(inputs.targets),
        "rotation": inputs.rotation,
        "notes": list(plan.notes),
        "total_seconds": plan.total_seconds,
        "steps": [
            {
                "id": s.movement.id,
                "name": s.movement.name,
                "category": s.movement.category,
                "seconds": s.seconds,
                "get_set_seconds": s.get_set,  # the first of `seconds`, to get set for a new part
                "areas": list(s.movement.areas),
                "round": s.round,
            }
            for s in plan.steps
        ],
    }


def _script(args: argparse.Namespace) -> Script:
    """The script for the options, its welcome saying first when the minutes were clamped."""
    inputs, note = asked(args)
    return build_script(with_note(build_plan(inputs), note))


def run_routine(args: argparse.Namespace) -> int:
    script = _script(args)
    if args.json:
        print(json.dumps(plan_json(script), indent=2))
        return 0
    plan, inputs = script.plan, script.plan.inputs
    roller = "with a foam roller" if inputs.has_foam_roller else "without a foam roller"
    print(f"{inputs.minutes}-minute {inputs.focus} leg recovery, {roller}, cardio: {inputs.cardio}")
    if inputs.targets:
        print(f"Aimed at: {', '.join(inputs.targets)}")
    print(f"Variety: day {inputs.rotation} of the week's rotation (--rotation 0-6)")
    for note in plan.notes:
        print(f"Note: {note}")
    width = max(len(s.movement.name) for s in plan.steps)
    for i, s in enumerate(plan.steps, 1):
        again = " (round 2)" if s.round > 1 else ""
        again += f" (first {s.get_set} s: get set)" if s.get_set else ""
        areas = ", ".join(s.movement.areas)
        print(f"{i:>2}. {s.movement.name:<{width}}  {s.movement.category:<12}  {mmss(s.seconds):>5}  {areas}{again}")
    print(f"Total {mmss(plan.total_seconds)}")
    return 0


def run_script(args: argparse.Namespace) -> int:
    script = _script(args)
    if args.format == "ssml":
        for r in render_script(script):
            print(r.ssml)
    elif args.format == "json":
        doc = {
            "total_seconds": script.total_seconds,
            "plan": plan_json(script),
            "cues": [{"at": round(at, 1), "step": i, "text": c.text} for at, i, c in script.timeline()],
            "responses": [
                {"step": r.step, "ssml": r.ssml, "estimated_seconds": r.estimated_seconds}
                for r in render_script(script)
            ],
            "steps": [
                {
                    "step": s.index,
                    "name": s.name,
                    "start": script.step_start(s.index),
                    "seconds": s.seconds,
                    "track": track_path(script.plan.inputs, s.index),
                }
                for s in script.steps
            ],
        }
        print(json.dumps(doc, indent=2))
    else:
        for step in script.steps:
            start = script.step_start(step.index)
            print(f"== {mmss(start)}  {step.name} ({mmss(step.seconds)})")
            for c in step.cues:
                print(f"{mmss(start + c.at):>6}  {c.text}")
        print(f"== {mmss(script.total_seconds)}  end")
    return 0
