"""The `recovery-coach` command. Each group of subcommands lives in its own module in this
package (the plan, the offline coach with its terminal UI, the Alexa skill) and registers
itself here; bad options exit 2 with one clear sentence, pointing to the subcommand's own
help; anything unforeseen is one sentence and exit 1, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib import metadata
from typing import NoReturn

from content.planner import AREAS, CARDIO_CHOICES, DEFAULT_CARDIO_CHOICE, DEFAULT_MINUTES, FOCUSES, ROTATIONS

COMMAND_MODULES = (
    "skill.cli.plan_commands",
    "skill.cli.offline_commands",
    "skill.cli.audio_commands",
    "skill.cli.alexa_commands",
)


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one sentence, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        message = message.removeprefix("argument ").rstrip(".")
        self.exit(2, f"{self.prog}: {message}. See {self.prog} --help.\n")


def minutes_value(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a whole number of minutes, like 20, not '{text}'") from None


def plan_options() -> argparse.ArgumentParser:
    """The plan options every command shares."""
    p = Parser(add_help=False)
    g = p.add_argument_group("plan options")
    g.add_argument(
        "--minutes",
        type=minutes_value,
        default=DEFAULT_MINUTES,
        metavar="N",
        help=f"length of the routine, 5 to 60 minutes (default {DEFAULT_MINUTES})",
    )
    g.add_argument(
        "--focus",
        choices=FOCUSES,
        default="full",
        help="what to concentrate on (default full: cardio, stretches, foam rolling and yoga)",
    )
    g.add_argument("--no-foam-roller", dest="has_foam_roller", action="store_false", help="plan without foam rolling")
    g.add_argument(
        "--cardio",
        choices=CARDIO_CHOICES,
        default=DEFAULT_CARDIO_CHOICE,
        help=f"the light cardio to do (default {DEFAULT_CARDIO_CHOICE}; swimming means swimming or water walking)",
    )
    g.add_argument(
        "--target",
        dest="targets",
        action="append",
        choices=AREAS,
        default=[],
        metavar="AREA",
        help=f"a sore area to aim at, repeatable: {', '.join(AREAS)}",
    )
    g.add_argument(
        "--rotation",
        type=int,
        choices=range(ROTATIONS),
        default=0,
        metavar="DAY",
        help=f"which day of the week's variety of stretches and poses, 0 to {ROTATIONS - 1} (default 0)",
    )
    return p


def version() -> str:
    try:
        return metadata.version("recovery-coach")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="recovery-coach", description="A voice coach for leg-day active recovery.")
    parser.add_argument("--version", action="version", version=f"recovery-coach {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    shared = plan_options()
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, shared)
    return parser


def subcommand(parser: argparse.ArgumentParser, name: str | None) -> argparse.ArgumentParser:
    """The parser of subcommand `name` (the top-level one when there is none)."""
    for action in parser._actions:  # argparse keeps its subparsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            found: argparse.ArgumentParser = action.choices[name]
            return found
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the subcommand, so the sentence points to its own --help
        (getattr(args, "parser", None) or subcommand(parser, args.command)).error(
            f"unrecognized arguments: {' '.join(extra)}"
        )
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args) or 0
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - a person sees one sentence, never a traceback
        print(f"recovery-coach {args.command}: unexpected error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
