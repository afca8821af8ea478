"""`recovery-coach play` and `recovery-coach render`: the coach on a laptop, with local speech.

Errors the user can fix (no speech engine, no audio device, an output path that cannot be
written, an unknown voice) print one sentence on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import sys
import time

from content.phrases import counted, phrase
from skill.cli.plan_commands import asked, mmss
from skill.cli.terminal import Display, Keyboard, progress_bar
from skill.cli.voice_play import BusySink, hands_free
from speech import sequencer
from speech.local import engine as local_engine
from speech.local import voices
from speech.local.cache import DiskCache
from speech.local.engine import DEFAULT_RATE, MAX_RATE, MIN_RATE, SpeechError
from speech.local.export import render
from speech.local.playback import Keys, Show, play
from speech.local.sinks import SilentSink, Sink, TrackSink


def speed_value(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(phrase("offline.error.bad_speed", value=text))
    return value


def rate_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not MIN_RATE <= value <= MAX_RATE:
        raise argparse.ArgumentTypeError(phrase("offline.error.bad_rate", rate=text, low=MIN_RATE, high=MAX_RATE))
    return value


def voice_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("speech options")
    g.add_argument(
        "--rate",
        type=rate_value,
        default=DEFAULT_RATE,
        metavar="WPM",
        help=f"speaking rate in words a minute, for every voice (default {DEFAULT_RATE}, the pace "
        "the scripts are timed for)",
    )
    g.add_argument(
        "--voice",
        metavar="ID",
        help="a voice id from --list-voices: the neural voice (the default where it is installed) "
        "or an espeak-ng voice id or name",
    )
    g.add_argument(
        "--list-voices", action="store_true", help="list the installed voices, neural and espeak-ng, and exit"
    )
    g.add_argument("--verbose", action="store_true", help="also report cues pushed back by a long cue before them")
    return p


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], shared: argparse.ArgumentParser) -> None:
    voice = voice_options()
    p = sub.add_parser(
        "play",
        parents=[shared, voice],
        help="coach a routine out loud, with keyboard control",
        description="Speak the routine through the laptop's speakers, each cue on time. "
        "Keys: space pause/resume, n next, b back, r repeat, q quit.",
    )
    p.add_argument(
        "--speed",
        type=speed_value,
        default=1.0,
        metavar="X",
        help="run the clock X times faster (silences shrink, speech does not), to try it out",
    )
    p.add_argument("--no-audio", action="store_true", help="print the cues on schedule without sound")
    listen_options(p)
    p.set_defaults(run=run_play, parser=p)

    p = sub.add_parser(
        "render",
        parents=[shared, voice],
        usage="%(prog)s -o FILE.wav|FILE.mp3 [options]",
        help="write the routine to a WAV or MP3 file",
        description="Render the whole routine to one file, WAV (16-bit mono, 22,050 Hz) or MP3 "
        "(mono, 48 kbps) by its extension: the step tracks in order, each cue starting "
        "at its offset, soft chimes at the start of a movement, at switch cues and in "
        "a step's last three seconds, exact silence between. Clips and MP3 renders "
        "are kept in the audio cache, so a second render is quick.",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="the .wav or .mp3 file to write (required, except with --list-voices)"
    )
    p.add_argument(
        "--cues",
        metavar="FILE.json",
        help="also write a JSON object: `voice`, `cues` (each `at` in seconds, `text`, `step`, "
        "`movement`, `late`) and `tracks`",
    )
    p.set_defaults(run=run_render, parser=p)


def listen_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--listen",
        action="store_true",
        help='hands-free: listen for "coach, ..." (next, pause, it hurts ...) through the microphone, offline',
    )
    p.add_argument(
        "--audio-in",
        metavar="FILE.wav",
        help="with --listen: hear this audio file, at real-time pace, instead of the microphone",
    )


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def list_voices() -> int:
    print(phrase("offline.voice_header"))
    for v in voices.list_voices(warn):
        mark = phrase("offline.voice_neural") if v.kind == "neural" else ""
        print(f"  {v.id:<24} {mark:<7} {v.name}")
    return 0


def warn(message: str) -> None:
    print(message, file=sys.stderr)


def _preparing(done: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        sys.stderr.write("\r\033[K" + phrase("offline.preparing", done=done, total=total) + end)
        sys.stderr.flush()


def run_play(args: argparse.Namespace) -> int:
    sink: Sink | None = None
    engine = None
    try:
        if args.list_voices:
            return list_voices()
        pos = sequencer.start(asked(args)[0])
        if args.no_audio:
            if args.voice and not voices.is_neural(args.voice):
                local_engine.find_voice(args.voice)  # a typo should not pass silently
            sink = SilentSink(args.speed)
        else:
            engine = voices.open_speaker(args.voice, args.rate, warn, DiskCache())
            sink = TrackSink(pos.script, engine, speed=args.speed)
            sink.prepare(_preparing)
        if args.audio_in and not args.listen:
            args.parser.error(phrase("listen.error.audio_in_alone"))
        display = Display(pos.script, verbose=args.verbose)
        if display.live:
            print(phrase("offline.keys"))
        busy = BusySink(sink)
        show: Show = display
        with Keyboard() as keyboard:
            keys: Keys = keyboard
            if args.listen:
                keys, show = hands_free(args, pos, keyboard, display, busy, engine)
            play(
                pos,
                busy if args.listen else sink,
                time.monotonic,
                keys,
                show,
                speed=args.speed,
                tick=max(0.1, 1.0 / args.speed) if display.live else None,
            )
        return 0
    except SpeechError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        if sink is not None:
            sink.stop()
        print("\n" + phrase("offline.quit"))
        return 130
    finally:
        if isinstance(sink, TrackSink):
            sink.close()
        if engine is not None:
            engine.close()


def run_render(args: argparse.Namespace) -> int:
    try:
        if args.list_voices:
            return list_voices()
        if not args.output:
            args.parser.error("the following arguments are required: -o/--output")
        script = sequencer.start(asked(args)[0]).script
        label = phrase("offline.rendering")
        cache = DiskCache()
        speaker = voices.open_speaker(args.voice, args.rate, warn, cache)
        try:
            done = render(
                script,
                speaker,
                args.output,
                args.cues,
                progress=lambda d, t: progress_bar(label, d, t),
                cache=cache,
                inputs=script.plan.inputs,
            )
        finally:
            speaker.close()
        cache.evict()
        print(
            phrase(
                "offline.wrote",
                path=args.output,
                length=mmss(done.seconds),
                cues=counted("offline.count.cues", len(done.cues)),
            )
            + (" " + phrase("offline.from_cache") if done.cached else "")
        )
        if args.cues:
            print(phrase("offline.wrote_cues", path=args.cues))
        late = [c for c in done.pushed if c is not done.cues[0]]  # the first: only an MP3's 50 ms
        if late:
            print(phrase("offline.pushed_total", 0 if len(late) == 1 else 1, count=len(late)))
        if done.pushed and args.verbose:
            for c in done.pushed:
                print(f"{mmss(c.at):>6}  {c.text}  " + phrase("offline.pushed", seconds=c.late))
        return 0
    except SpeechError as exc:
        return _fail(str(exc))
