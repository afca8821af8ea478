"""`recovery-coach serve`, `chat` and `model`: the Alexa skill's commands."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from content.phrases import phrase

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
    p.set_defaults(run=run_chat, parser=p)

    p = sub.add_parser(
        "model",
        help="check or regenerate the Alexa interaction model and the OVOS locale files",
        description="Generate deploy/skill-package and skill/ovos's locale files from "
        "skill/alexa/interaction_model.yaml and the movement library, or check them.",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="validate the model and fail if deploy/ has drifted")
    g.add_argument(
        "--write",
        action="store_true",
        help="write deploy/skill-package, deploy/ask-resources.json and skill/ovos's locale files",
    )
    p.set_defaults(run=run_model)


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
    from skill.cli import ovos_files

    if args.write:
        for path in [*model.write_package(), *ovos_files.write()]:
            print(f"wrote {path}")
        return 0
    problems = model.check_model() + (model.drift() + ovos_files.drift() if args.check else [])
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


def run_chat(args: argparse.Namespace) -> int:
    from skill.sim.transport import Unreachable

    if args.stream and args.speak:
        args.parser.error("--speak applies without --stream only (a streamed routine plays its own audio)")
    if args.audio_in and not args.listen:
        args.parser.error(phrase("listen.error.audio_in_alone"))
    if args.listen and args.stream:
        args.parser.error("--listen applies without --stream only")
    if args.speed is not None and not args.stream:
        args.parser.error("--speed applies with --stream only (it speeds up the streamed routine)")
    args.speed = DEFAULT_SPEED if args.speed is None else args.speed
    try:
        if args.stream:
            from skill.sim.stream_chat import run_stream_chat

            return run_stream_chat(args)
        return _chat(args)
    except Unreachable as e:
        print(f"recovery-coach chat: {e}.", file=sys.stderr)
        return 1


def _chat(args: argparse.Namespace) -> int:
    from skill.sim.chat import Conversation, in_process, ssml_to_text
    from skill.sim.permissions import QUESTION, answer_permission, permission_token
    from skill.sim.screen import APL, TOUCH, screen_text, touch
    from skill.sim.transport import over_http

    speaker = _speaker() if args.speak else None
    conv = Conversation(over_http(args.url) if args.url else in_process())
    if os.environ.get(REMINDERS_API_ENV):  # a local server answering as Alexa's APIs do
        conv.api = (os.environ[REMINDERS_API_ENV], "chat-access-token")
    asked: str | None = None  # the token of Alexa's permission question, while it waits
    if args.screen:
        conv.interfaces = APL
    where = args.url or "in-process skill (dev mode)"
    print(f"Talking to {where}. Say 'open recovery coach' to begin; an empty line is silence; Ctrl-D ends.")
    interactive = sys.stdin.isatty()
    read, deaf = _lines(args, interactive)
    while True:
        try:
            typed = read()
        except EOFError:
            if interactive:
                print()  # Ctrl-D: the shell's prompt starts on a line of its own
            return 0
        if not interactive:
            print(f"you> {typed}")
        if not typed.strip():
            said = conv.silence()
            answer = ssml_to_text(said) if said else "(the session has ended; say open recovery coach)"
        elif args.screen and TOUCH.fullmatch(typed.strip()):  # a button on the screen
            touch(conv, typed.strip()[1:-1], "recovery-coach-step")
            answer = ssml_to_text(conv.speech) or "(no speech)"
        elif asked is not None:  # the answer to Alexa's own question goes to her, then to the skill
            answer_permission(conv, asked, typed.strip().lower() in ("yes", "yes please", "i approve", "sure"))
            answer, asked = ssml_to_text(conv.speech) or "(no speech)", None
        else:
            m = conv.say(typed)
            status = conv.last.get("error")
            if status:
                print(f"(the skill refused the request: {status})")
                continue
            answer = ssml_to_text(conv.speech) or "(no speech)"
            if m.intent == "AMAZON.FallbackIntent":
                answer = f"(heard as: fallback) {answer}"
        print(f"alexa> {answer}")
        shown = screen_text(conv.last) if args.screen and typed.strip() else None
        if shown:
            print(shown)
        asked = permission_token(conv.last) if asked is None else asked
        if asked is not None:
            print(QUESTION)
        if conv.ended and typed.strip():
            print("(session ended)")
        if speaker:
            with deaf():
                speaker(conv.speech if typed.strip() else said)  # the SSML: the answer, or the reprompt on silence


def _lines(args: argparse.Namespace, interactive: bool) -> tuple[Callable[[], str], Callable[[], Any]]:
    """What the person says, a line at a time (EOFError at the end): typed, or, with --listen,
    the words after "coach" of each command heard; and a context in which the listener is
    deaf (while the answer is spoken)."""
    import contextlib

    def typed() -> str:
        return input("you> " if interactive else "")

    if not args.listen:
        return typed, contextlib.nullcontext
    from skill.cli.listening import CannotListen, heard_lines
    from skill.sim.chat import listen_sentences, understood

    try:
        return heard_lines(args.audio_in, listen_sentences(), understood)
    except CannotListen as exc:
        print(phrase("listen.chat_carry_on", reason=str(exc)), file=sys.stderr)
        return typed, contextlib.nullcontext


def _speaker() -> Callable[[str | None], None] | None:
    """Speak answers (their SSML) through the offline coach's engine: what a listener hears
    (`speech.ssml.segments`) as one clip, each text one utterance (pyttsx3 says one per run),
    each silence exact, played as one WAV with aplay. None, with a note, when there is no
    engine here; after the audio device fails once, text only, with a note."""
    from speech.local.engine import Engine, SpeechError, render_segments
    from speech.local.pcm import write_wav
    from speech.ssml import segments

    try:
        engine = Engine()
    except SpeechError as e:
        print(f"(cannot speak here: {e} Text only.)", file=sys.stderr)
        return None
    atexit.register(engine.close)
    workdir = tempfile.mkdtemp(prefix="recovery-coach-chat-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    path = os.path.join(workdir, "answer.wav")
    device = {"works": True}

    def speak(ssml: str | None) -> None:
        if not device["works"]:
            return
        write_wav(path, render_segments(segments(ssml), engine).pcm)
        result = subprocess.run(["aplay", "-q", path], capture_output=True)
        if result.returncode != 0:
            device["works"] = False
            print("(no audio device here; text only from now on)", file=sys.stderr)

    return speak
