"""`recovery-coach audio build` and `audio clean`: fill the audio cache with step tracks ahead
of time (for the server's /audio route and quick renders), or empty it.

`--common` builds the plans people ask for most: every focus at 10, 15, 20 and 30 minutes,
with and without a foam roller (40 plans; the skill's default is 20 minutes, full focus,
with a roller).
"""

from __future__ import annotations

import sys

import click

from content.phrases import phrase
from content.planner import FOCUSES
from skill.cli.offline_commands import rate_value, warn
from speech.local import voices
from speech.local.cache import DiskCache
from speech.local.engine import DEFAULT_RATE, SpeechError
from speech.local.trackkey import plan_inputs, plan_inputs_of, track_ref
from speech.local.trackstore import TrackStore

COMMON_MINUTES = (10, 15, 20, 30)


def common_plans() -> list[dict]:
    return [
        plan_inputs({"minutes": m, "focus": f, "has_foam_roller": roller})
        for f in FOCUSES
        for m in COMMON_MINUTES
        for roller in (True, False)
    ]


def register(sub, shared) -> None:
    p = sub.add_parser(
        "audio",
        help="pre-render step tracks into the audio cache, or empty it",
        description="Manage the audio cache (RECOVERY_COACH_CACHE_DIR, default "
        "~/.cache/recovery-coach): clips and step tracks, kept by content.",
    )
    audio = p.add_subparsers(dest="audio_command", metavar="ACTION", parser_class=type(p))
    b = audio.add_parser(
        "build",
        parents=[shared],
        help="render the step tracks of a plan (or --common)",
        description="Render every step track of the plan given by the plan options, as the "
        "server's /audio route serves it, with a progress bar. --common renders "
        "each focus at 10, 15, 20 and 30 minutes, with and without a foam roller.",
    )
    b.add_argument("--common", action="store_true", help="the 40 plans people ask for most")
    b.add_argument("--voice", metavar="ID", help="a voice id from `play --list-voices` (default: the neural one)")
    b.add_argument("--rate", type=rate_value, default=DEFAULT_RATE, metavar="WPM", help="speaking rate")
    b.set_defaults(run=run_build)
    c = audio.add_parser("clean", help="empty the audio cache", description="Remove everything in the audio cache.")
    c.set_defaults(run=run_clean)
    p.set_defaults(run=lambda args: p.print_help() or 2)


def run_build(args) -> int:
    cache = DiskCache()
    try:
        speaker = voices.open_speaker(args.voice, args.rate, warn)
    except SpeechError as exc:
        print(exc, file=sys.stderr)
        return 1
    speaker.close()
    plans = common_plans() if args.common else [plan_inputs(plan_inputs_of(args))]
    refs = [
        track_ref(plan, step, speaker.voice, args.rate)
        for plan in plans
        for step in range(len(track_ref(plan, 0, speaker.voice).script.steps))
    ]
    store = TrackStore(cache)
    made = 0
    with click.progressbar(refs, label=phrase("offline.building"), file=sys.stderr) as bar:
        for ref in bar:
            if cache.find("tracks", ref.key, "mp3") is None:
                store.file(ref)
                made += 1
    store.close()
    cache.evict()
    print(
        phrase("offline.built", tracks=len(refs), plans=len(plans), path=cache.root, made=made, cached=len(refs) - made)
    )
    return 0


def run_clean(args) -> int:
    cache = DiskCache()
    files, size = cache.clear()
    print(phrase("offline.cleaned", path=cache.root, files=files, megabytes=size / 1e6))
    return 0
