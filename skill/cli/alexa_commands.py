"""`recovery-coach serve`, `chat` and `model`: the Alexa skill's commands."""

from __future__ import annotations

import argparse
import os
import shutil
import sys

DEFAULT_PORT = 5000
# The skill calls Alexa's APIs (reminders) only at Amazon's hosts or at this origin (a local
# server answering as they do); `chat` then sends it as apiEndpoint, with an access token.
REMINDERS_API_ENV = "RECOVERY_COACH_ALEXA_API"

DEFAULT_SPEED = 1.0


def port_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expects a port number from 1 to 65535, not '{text}'")
    return value


def url_value(text: str) -> str:
    from skill.sim.transport import check_url

    try:
        return check_url(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def chat_speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError(f"expects a speed above 0 (1 is real time, 10 ten times faster), not '{text}'")
    return value


def command_path() -> str:
    """How to run this command again from any directory: its name when it is on the PATH, else its full path."""
    here = os.path.abspath(sys.argv[0])
    if os.path.basename(here) != "recovery-coach":
        return f"{sys.executable} -m skill.cli"
    return "recovery-coach" if shutil.which("recovery-coach") == here else here


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the Alexa skill over HTTP (POST /alexa, GET /health, GET /audio/<key>.mp3)",
        description="Serve the skill with Flask's server. In production run "
        "gunicorn 'skill.server.app:create_app()' with RECOVERY_COACH_SKILL_ID set.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=port_value, default=DEFAULT_PORT, help=f"port, 1 to 65535 (default {DEFAULT_PORT})")
    p.add_argument("--dev", action="store_true", help="turn off signature and timestamp checks, for local testing only")
    p.set_defaults(run=run_serve)
    _register_chat(sub)

    p = sub.add_parser(
        "model",
        help="check or regenerate the Alexa interaction model and the OVOS locale files",
        description="Generate deploy/skill-package and skill/ovos's locale files from the coach's "
        "phrasebook (skill/coach/phrasebook.yaml), skill/alexa/interaction_model.yaml and the movement "
        "library, or check them.",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="validate the model and fail if deploy/ has drifted")
    g.add_argument(
        "--write",
        action="store_true",
        help="write deploy/skill-package, deploy/ask-resources.json and skill/ovos's locale files",
    )
    p.set_defaults(run=run_model)


def _register_chat(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "chat",
        help="talk to the skill from the terminal, without an Echo",
        description="Type what you would say to Alexa (open recovery coach, next, pause...). "
        "An empty line is silence; Ctrl-D ends.",
    )
    p.add_argument(
        "--url",
        type=url_value,
        help="send requests to a running server (started with --dev), e.g. "
        f"http://127.0.0.1:{DEFAULT_PORT}/alexa; default: in-process",
    )
    p.add_argument("--speak", action="store_true", help="also speak answers with the local text-to-speech engine")
    p.add_argument(
        "--screen",
        action="store_true",
        help="a device with a screen (Echo Show): print what its screen shows beside each answer; "
        "[pause] [back] [next] touch its buttons",
    )
    p.add_argument(
        "--stream",
        action="store_true",
        help="a device with an audio player: the routine streams hands-free; type a command at any "
        "moment, [pause] [play] [next] [previous] for the buttons, 'wait 1:30' to skip ahead",
    )
    p.add_argument("--speed", type=chat_speed, metavar="X", help="with --stream: play X times faster (default 1)")
    p.add_argument(
        "--listen",
        action="store_true",
        help='talk instead of typing: "coach, open recovery coach", "coach, next", through the microphone, offline',
    )
    p.add_argument(
        "--audio-in", metavar="FILE.wav", help="with --listen: hear this audio file instead, at real-time pace"
    )
    from skill.cli.chat_commands import run_chat  # its module reads this one's settings

    p.set_defaults(run=run_chat, parser=p)


def run_serve(args: argparse.Namespace) -> int:
    import logging

    from skill.server.app import create_app
    from skill.store.base import ConfigError

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(dev=args.dev, preload_voice=True)
    except ConfigError as e:
        print(f"recovery-coach serve: {e}.", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(f"Recovery Coach skill on {url}/alexa (health: {url}/health)")
    print(f"Try it: {command_path()} chat --url {url}/alexa   (then type: open recovery coach)")
    sys.stdout.flush()
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


def run_model(args: argparse.Namespace) -> int:
    from skill.alexa import model
    from skill.ovos import locale

    if args.write:
        for path in [*model.write_package(), *locale.write()]:
            print(f"wrote {path}")
        return 0
    problems = model.check_model() + (model.drift() + locale.drift() if args.check else [])
    for p in problems:
        print(f"model: {p}", file=sys.stderr)
    if problems:
        return 1
    intents = model.intents()
    samples = sum(len(s["samples"]) for s in intents.values())
    print(
        f"interaction model OK: invocation '{model.source()['invocation']}', {len(intents)} intents, "
        f"{samples} samples, locales {', '.join(model.source()['locales'])}"
    )
    return 0
