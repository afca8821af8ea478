"""`recovery-coach chat --stream`: the hands-free routine as an Echo with a player would run it.

The conversation (skill/sim/chat.py) runs on a device that declares AudioPlayer; the
skill's Play / Stop / ClearQueue directives go to a simulated player (skill/sim/player.py),
whose events go back to the skill as Alexa sends them (no session, context.AudioPlayer), and
whose answers go to the player again. What the track says is shown as its cues come due.
Typed commands arrive as Alexa would send them during playback: a new session with the
player's context, and only those a real Echo hands the skill (skill/sim/midstream.py).
The player only plays on while no session is open (Alexa holds the stream while it
listens), and only when `play` is called: the caller owns the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skill.sim.chat import Conversation, intent_request, match, ssml_to_text
from skill.sim.midstream import NOT_HEARD, heard, mid_stream
from skill.sim.player import Activity, Player

MAX_EVENTS = 20  # events set off by one another in a row; more means the skill loops
AUDIO_PLAYER: dict[str, Any] = {"AudioPlayer": {}}
BUTTONS = {
    "play": "PlaybackController.PlayCommandIssued",
    "pause": "PlaybackController.PauseCommandIssued",
    "next": "PlaybackController.NextCommandIssued",
    "previous": "PlaybackController.PreviousCommandIssued",
}
WAIT = re.compile(r"wait (\d+)(?::(\d\d))?")


def mmss(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


@dataclass
class StreamChat:
    conv: Conversation
    player: Player
    show: Callable[[str], None] = print
    ended_shown: bool = field(default=False)

    def __post_init__(self) -> None:
        self.conv.interfaces = AUDIO_PLAYER
        self.conv.audio = self.player.context

    def type(self, typed: str) -> None:
        """A line from the user: a voice command, `[next]` (a button), `wait 1:30`, or silence."""
        typed = typed.strip()
        waited = WAIT.fullmatch(typed)
        button = re.fullmatch(r"\[(\w+)\]", typed)
        if waited:
            self.play(int(waited.group(1)) * (60 if waited.group(2) else 1) + int(waited.group(2) or 0))
        elif button and button.group(1) in BUTTONS:
            self.events([{"type": BUTTONS[button.group(1)]}])
        elif not typed:
            said = self.conv.silence()
            self.show(f"alexa> {ssml_to_text(said)}" if said else "(the microphone closes)")
        else:
            self.say(typed)

    def say(self, typed: str) -> None:
        """Words said to the Echo: mid-stream, only playback commands and what names the
        skill reach it (skill/sim/midstream.py); anything else leaves the stream playing."""
        m = match(typed)
        streaming = mid_stream(self.player.activity.value, self.player.current is not None)
        if not heard(m, session_open=not self.conv.ended, streaming=streaming):
            self.show(NOT_HEARD)
            return
        self.conv.request(intent_request(m), new_session=m.new_session)
        self.answer(self.conv.last)

    def answer(self, body: dict[str, Any]) -> None:
        """Show a response's speech, and hand its directives to the player."""
        if body.get("error"):
            self.show(f"(the skill refused the request: {body['error']})")
            return
        response = body.get("response") or {}
        speech = ((response.get("outputSpeech") or {}).get("ssml")) or ""
        if speech:
            self.show(f"alexa> {ssml_to_text(speech)}")
        self.events(self.player.apply(response))

    def events(self, requests: list[dict[str, Any]]) -> None:
        """Send the player's events (or a button's command) to the skill, and play what they answer."""
        queue, sent = list(requests), 0
        while queue and sent < MAX_EVENTS:
            request = queue.pop(0)
            self._show_event(request)
            status, body = self.conv.from_player(request)
            sent += 1
            if status != 200:
                self.show(f"(the skill answered {request['type']} with {status}: {body.get('error')})")
                continue
            response = body.get("response") or {}
            if response.get("outputSpeech"):
                self.show("(the skill put speech in an answer to a player event: Alexa would refuse it)")
            queue += self.player.apply(response)
        for note in self.player.notes:
            self.show(note)
        self.player.notes.clear()

    def play(self, seconds: float) -> None:
        """Let `seconds` of stream time pass (only while no session is open), showing cues as they come."""
        left = seconds
        while left > 0 and self.conv.ended and self.player.playing:
            before, due = self.player.at, self.player.next_due() or 0.0
            heard, events = self.player.advance(left)
            left -= min(left, due)
            for cue in heard:
                self.show(f"  {mmss(cue.at)}  {cue.text}")
            self.events(events)
            if not events and self.player.at == before:
                break  # nothing moved (cannot happen with a sane player; never spin)
        if self.player.activity is Activity.FINISHED and not self.ended_shown:
            self.ended_shown = True
            self.show("[the stream has ended]")

    @property
    def busy(self) -> bool:
        """Whether waiting could change anything: the stream plays and no session holds it."""
        return self.player.playing and self.conv.ended

    def _show_event(self, request: dict[str, Any]) -> None:
        kind = request["type"]
        track = self.player.known.get(request.get("token", ""))
        at = request.get("offsetInMilliseconds", 0) / 1000
        if kind == "AudioPlayer.PlaybackStarted" and track:
            where = f", from {mmss(at)}" if at else ""
            self.show(f"[playing {track.step + 1}/{track.steps}: {track.name}, {mmss(track.seconds)}{where}]")
        elif kind == "AudioPlayer.PlaybackStopped" and track:
            self.show(f"[stopped at {mmss(at)} of {track.name}]")
        elif kind.startswith("PlaybackController."):
            self.show(f"[button: {kind.removeprefix('PlaybackController.').removesuffix('CommandIssued').lower()}]")
