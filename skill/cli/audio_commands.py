"""`recovery-coach audio build` and `audio clean`: fill the audio cache with step tracks ahead
of time (for the server's /audio route and quick renders), or empty it.

`--common` builds the plans people ask for most: every focus at 10, 15, 20 and 30 minutes,
with and without a foam roller (40 plans; the skill's default is 20 minutes, full focus,
with a roller); `--rotations` adds the other six days of the week's variety (the skill
gives a returning user another day's stretches and poses). `--out DIR` also copies each
track to DIR/audio/<key>.mp3 and every movement card to DIR/cards/<name>.png, the layout
RECOVERY_COACH_AUDIO_BASE_URL serves, for a static host such as the S3 bucket of
deploy/template.yaml.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import click

from content.phrases import counted, phrase
from content.planner import COMMON_MINUTES, FOCUSES, ROTATIONS, PlanInputs
from skill.cli.offline_commands import rate_value, warn
from skill.cli.plan_commands import asked
from speech.local import voices
from speech.local.cache import DiskCache
from speech.local.engine import DEFAULT_RATE, SpeechError
from speech.local.trackkey import TrackRef
from speech.local.trackstore import TrackStore
from speech.script import script_for


def common_plans(rotations: bool = False) -> list[PlanInputs]:
    return [
        PlanInputs(m, f, roller, rotation=r)
        for f in FOCUSES
        for m in COMMON_MINUTES
        for roller in (True, False)
        for r in (range(ROTATIONS) if rotations else (0,))
    ]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], shared: argparse.ArgumentParser) -> None:
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
    b.add_argument("--rotations", action="store_true", help="with --common: every day of the week's variety (280)")
    b.add_argument(
        "--out",
        metavar="DIR",
        help="also copy the tracks to DIR/audio/ and the movement cards to DIR/cards/, to publish them",
    )
    b.add_argument("--voice", metavar="ID", help="a voice id from `play --list-voices` (default: the neural one)")
    b.add_argument("--rate", type=rate_value, default=DEFAULT_RATE, metavar="WPM", help="speaking rate")
    b.set_defaults(run=run_build, parser=b)
    c = audio.add_parser("clean", help="empty the audio cache", description="Remove everything in the audio cache.")
    c.set_defaults(run=run_clean, parser=c)
    p.set_defaults(run=lambda args: _help(p))


def run_build(args: argparse.Namespace) -> int:
    if args.rotations and not args.common:
        args.parser.error("--rotations applies with --common only (every day of the common plans)")
    cache = DiskCache()
    try:
        speaker = voices.open_speaker(args.voice, args.rate, warn)
    except SpeechError as exc:
        print(exc, file=sys.stderr)
        return 1
    speaker.close()
    plans = common_plans(args.rotations) if args.common else [asked(args)[0]]
    refs = [
        TrackRef(plan, step, speaker.voice, args.rate) for plan in plans for step in range(len(script_for(plan).steps))
    ]
    store = TrackStore(cache)
    made = 0
    with click.progressbar(refs, label=phrase("offline.building"), file=sys.stderr) as bar:
        for ref in bar:
            found = cache.find("tracks", ref.key, "mp3")
            made += found is None
            path = found or store.file(ref)
            if args.out:
                _publish(path, Path(args.out) / ref.path.lstrip("/"))
    store.close()
    cache.evict()
    if args.out:
        _publish_cards(Path(args.out))
    print(
        phrase(
            "offline.built",
            tracks=counted("offline.count.tracks", len(refs)),
            plans=counted("offline.count.plans", len(plans)),
            path=cache.root,
            made=made,
            cached=len(refs) - made,
        )
    )
    return 0


def _publish(track: Path, target: Path) -> None:
    """A hard link when the cache shares the file system (no copy of the bytes), else a copy."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(track, target)
    except OSError:
        shutil.copyfile(track, target)


def _publish_cards(out: Path) -> None:
    """Every movement's cards beside the tracks, DIR/cards/<name>.png, as the server serves them."""
    from speech.local.cards import card_path, every_card, png

    for movement, size in every_card():
        target = out / card_path(movement.id, size.kind).lstrip("/")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png(movement.id, size.kind))


def run_clean(args: argparse.Namespace) -> int:
    cache = DiskCache()
    files, size = cache.clear()
    print(phrase("offline.cleaned", path=cache.root, files=files, megabytes=size / 1e6))
    return 0


def _help(parser: argparse.ArgumentParser) -> int:
    """`audio` alone: its help, and the usage error status."""
    parser.print_help()
    return 2
