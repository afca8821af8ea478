"""A simulated Echo's audio player, for `recovery-coach chat --stream` and its tests.

It does what Alexa's AudioPlayer does with the skill's directives, on a clock it is handed
(stream seconds, so the chat can run at any speed): `Play` (REPLACE_ALL, ENQUEUE with
`expectedPreviousToken`, REPLACE_ENQUEUED), `Stop` and `ClearQueue`; and it reports what
Alexa would send back as requests: PlaybackStarted, PlaybackNearlyFinished (NEARLY seconds
before a track ends), PlaybackFinished, PlaybackStopped (with the offset) and
PlaybackFailed (for a URL that is not the base URL's track the server can make). Each
track's step, movement, length and cues are read from its URL (the track key), as a real
player would only hear them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from speech.local.trackkey import ROUTE
from speech.local.trackstore import TrackStore
from speech.script import Cue

NEARLY = 10.0  # seconds before a track's end that the player asks for the next one


class Activity(StrEnum):
    """context.AudioPlayer.playerActivity, as Alexa spells it."""

    IDLE = "IDLE"
    PLAYING = "PLAYING"
    STOPPED = "STOPPED"
    FINISHED = "FINISHED"


@dataclass(frozen=True)
class Track:
    url: str
    token: str
    step: int  # from 0
    steps: int
    name: str
    seconds: float
    cues: tuple[Cue, ...]


def track_of(url: str, token: str, base_url: str, tracks: TrackStore) -> Track | None:
    """The track a Play URL names, or None when it is not one the server at `base_url` can serve."""
    prefix = base_url.rstrip("/") + ROUTE + "/"
    if not url.startswith(prefix) or not url.endswith(".mp3"):
        return None
    ref = tracks.parse(url[len(prefix) : -len(".mp3")])
    if ref is None:
        return None
    script = ref.script
    step = script.steps[ref.step]
    return Track(url, token, ref.step, len(script.steps), step.name, float(step.seconds), step.cues)


@dataclass
class Player:
    base_url: str
    tracks: TrackStore = field(default_factory=TrackStore)
    current: Track | None = None
    queue: list[Track] = field(default_factory=list)
    at: float = 0.0  # seconds into the current track
    activity: Activity = Activity.IDLE
    asked_next: bool = False  # PlaybackNearlyFinished sent for the current track
    notes: list[str] = field(default_factory=list)  # what the user would notice, for the screen
    known: dict[str, Track] = field(default_factory=dict)  # every track played, by token

    def context(self) -> dict[str, Any]:
        """context.AudioPlayer for a request made now."""
        ctx: dict[str, Any] = {"playerActivity": self.activity.value}
        if self.current:
            ctx |= {"token": self.current.token, "offsetInMilliseconds": self.offset_ms}
        return ctx

    @property
    def offset_ms(self) -> int:
        return int(self.at * 1000)

    @property
    def playing(self) -> bool:
        return self.activity is Activity.PLAYING

    def apply(self, response: dict[str, Any]) -> list[dict[str, Any]]:
        """Carry out a response's AudioPlayer directives; the requests they make Alexa send."""
        events: list[dict[str, Any]] = []
        for d in (response or {}).get("directives") or ():
            kind = d.get("type")
            if kind == "AudioPlayer.Play":
                events += self._play(d)
            elif kind == "AudioPlayer.Stop":
                events += self._stop()
            elif kind == "AudioPlayer.ClearQueue":
                self.queue.clear()
                if d.get("clearBehavior") == "CLEAR_ALL":
                    events += self._stop()
        return events

    def _play(self, d: dict[str, Any]) -> list[dict[str, Any]]:
        stream = (d.get("audioItem") or {}).get("stream") or {}
        behavior, token = d.get("playBehavior"), str(stream.get("token"))
        track = track_of(str(stream.get("url")), token, self.base_url, self.tracks)
        if behavior == "REPLACE_ALL":
            events = self._stop() if self.playing else []
            self.queue.clear()
            if track is None:
                return events + [self._failed(token, stream.get("url"))]
            return events + self._start(track, stream.get("offsetInMilliseconds", 0) / 1000)
        if behavior == "REPLACE_ENQUEUED":
            self.queue.clear()
        last = self.queue[-1] if self.queue else self.current
        if behavior == "ENQUEUE" and last and stream.get("expectedPreviousToken") != last.token:
            expected = stream.get("expectedPreviousToken")
            self.notes.append(f"(the player refused an enqueue after {expected}: {last.token} is last)")
            return []
        if track is None:
            return [self._failed(token, stream.get("url"))]
        self.queue.append(track)
        return [] if self.playing or self.current else self._start(self.queue.pop(0), 0.0)

    def _start(self, track: Track, at: float) -> list[dict[str, Any]]:
        self.current, self.at, self.activity, self.asked_next = track, at, Activity.PLAYING, False
        self.known[track.token] = track
        return [self.event("AudioPlayer.PlaybackStarted")]

    def _stop(self) -> list[dict[str, Any]]:
        if not self.playing:
            return []
        self.activity = Activity.STOPPED
        return [self.event("AudioPlayer.PlaybackStopped")]

    def _failed(self, token: str, url: object) -> dict[str, Any]:
        self.notes.append(f"(the player cannot play {url})")
        state = self.context()
        self.activity = Activity.STOPPED if self.current else Activity.IDLE
        return self.event(
            "AudioPlayer.PlaybackFailed",
            token=token,
            error={"type": "MEDIA_ERROR_SERVICE_UNAVAILABLE", "message": f"cannot fetch {url}"},
            currentPlaybackState=state,
        )

    def next_due(self) -> float | None:
        """Stream seconds until the player next has something to report, or None when idle."""
        if not self.playing or self.current is None:
            return None
        nearly = max(0.0, self.current.seconds - NEARLY)
        return max(0.0, (nearly if not self.asked_next else self.current.seconds) - self.at)

    def advance(self, seconds: float) -> tuple[list[Cue], list[dict[str, Any]]]:
        """Play on for up to `seconds`, stopping at the first event: the cues heard, and the event."""
        if not self.playing or self.current is None:
            return [], []
        due = self.next_due() or 0.0
        step = min(seconds, due)
        heard = [c for c in self.current.cues if self.at <= c.at < self.at + step]
        self.at += step
        if step < due:
            return heard, []
        if not self.asked_next:
            self.asked_next = True
            return heard, [self.event("AudioPlayer.PlaybackNearlyFinished")]
        finished = self.event("AudioPlayer.PlaybackFinished")
        if self.queue:
            return heard, [finished, *self._start(self.queue.pop(0), 0.0)]
        self.activity = Activity.FINISHED
        return heard, [finished]

    def event(self, kind: str, **extra: Any) -> dict[str, Any]:
        """The `request` of an AudioPlayer event about the current track (token and offset)."""
        request: dict[str, Any] = {"type": kind}
        if self.current:
            request |= {"token": self.current.token, "offsetInMilliseconds": self.offset_ms}
        return request | extra
