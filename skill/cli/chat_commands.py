"""`recovery-coach chat`: talk to the Alexa skill from the terminal, by typing or (with
--listen) by voice, in process or against a running server."""

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
from skill.cli.alexa_commands import DEFAULT_SPEED, REMINDERS_API_ENV


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
    from skill.cli.listening import CannotListen, command_sentences, heard_lines
    from skill.sim.chat import understood

    try:
        return heard_lines(args.audio_in, command_sentences(), understood)
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
