"""Hands-free streaming as Alexa sees it: transcripts of intents and player events in,
directives out (player_events/*.txt), through the real Flask app and a real store.

Lines:
  = no player | = no base url      the device has no AudioPlayer / the server no base URL
  = playing N at M:SS              what the device reports in context.AudioPlayer from here
  = stopped N at M:SS | = idle     (N: the routine's step, counted from 1)
  > words                          said to Alexa (a new session unless one is open); mid-stream
                                   only playback commands and "tell/ask recovery coach ..." reach the skill
  < unheard                        Alexa answered on her own: the skill got no request
  ! Started N [at M:SS]            AudioPlayer.PlaybackStarted for the token the skill gave step N;
                                   also NearlyFinished, Finished, Stopped, Failed
  ! [next]                         a button: [play] [pause] [next] [previous]
  < play N from M:SS               the answer holds these directives (REPLACE_ALL), or
  < enqueue N after K              | < stop | < nothing (no directive at all)
  < says words | < silent          its speech contains the words / it has none
  < ends | < open                  the session ends / stays open
  < screen TITLE | SUBTITLE        the last Play's player metadata (its art and background are
                                   cards the server serves, at their sizes)

Every Play URL must start with the base URL and name a track the server can make, and
every answer to a player request must carry no speech, card, reprompt or session end.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.server.app import create_app
from skill.sim.chat import DEV_SKILL_ID, Conversation, intent_request, match, ssml_to_text
from skill.sim.midstream import heard, mid_stream
from speech.local import cards
from speech.local.trackkey import ROUTE
from speech.local.trackstore import TrackStore

HERE = Path(__file__).parent
TRANSCRIPTS = sorted((HERE / "player_events").glob("*.txt"))
BASE = "https://coach.example"
BUTTONS = {"[play]": "Play", "[pause]": "Pause", "[next]": "Next", "[previous]": "Previous"}


def mmss(text: str) -> int:
    minutes, seconds = text.split(":")
    return (int(minutes) * 60 + int(seconds)) * 1000


class Device:
    """The device's side: what it reports, and the tokens the skill gave each step."""

    def __init__(self, send):
        self.conv = Conversation(send, interfaces={"AudioPlayer": {}})
        self.conv.audio = self.context
        self.tokens: dict[int, str] = {}
        self.state: tuple[str, int, int] = ("IDLE", 0, 0)  # activity, step, offset ms
        self.last: dict = {}
        self.unheard = False  # the last words went to Alexa herself, not the skill
        self.screen = ""  # what the last Play shows on a screen

    def context(self) -> dict:
        activity, step, ms = self.state
        out = {"playerActivity": activity}
        if step in self.tokens:
            out |= {"token": self.tokens[step], "offsetInMilliseconds": ms}
        return out

    def say(self, words: str) -> None:
        """Said to the Echo: mid-stream only what a real Echo hands the skill reaches it."""
        m = match(words)
        activity, step, _ = self.state
        streaming = mid_stream(activity, step in self.tokens)
        self.unheard = not heard(m, session_open=not self.conv.ended, streaming=streaming)
        if self.unheard:
            self.last = {}
            return
        self.conv.request(intent_request(m), new_session=m.new_session)
        self.last = self.conv.last

    def event(self, line: str) -> None:
        if line in BUTTONS:
            request = {"type": f"PlaybackController.{BUTTONS[line]}CommandIssued"}
        else:
            kind, step, *at = line.split()
            token = self.tokens.get(int(step), f"unknown.{step}")
            request = {"type": f"AudioPlayer.Playback{kind}", "token": token}
            request["offsetInMilliseconds"] = mmss(at[1]) if at else 0
            if kind == "Failed":
                request["error"] = {"type": "MEDIA_ERROR_SERVICE_UNAVAILABLE", "message": "the test says so"}
                request["currentPlaybackState"] = self.context()
        status, self.last = self.conv.from_player(request)
        assert status == 200, self.last
        response = self.last.get("response", {})
        assert not {"outputSpeech", "card", "reprompt", "shouldEndSession"} & set(response), response

    def directives(self, tracks: TrackStore) -> list[str]:
        """The last answer's directives in the transcript's words (learning each step's token)."""
        out = []
        for d in (self.last.get("response") or {}).get("directives") or ():
            if d["type"] != "AudioPlayer.Play":
                out.append({"AudioPlayer.Stop": "stop", "AudioPlayer.ClearQueue": "clear"}.get(d["type"], d["type"]))
                continue
            stream = d["audioItem"]["stream"]
            self.screen = screen_of(d["audioItem"]["metadata"])
            assert stream["url"].startswith(BASE + ROUTE + "/"), stream["url"]
            ref = tracks.parse(stream["url"].removeprefix(BASE + ROUTE + "/").removesuffix(".mp3"))
            assert ref is not None, f"the server cannot make {stream['url']}"
            step = ref.step + 1
            self.tokens[step] = stream["token"]
            if d["playBehavior"] == "ENQUEUE":
                previous = next(n for n, t in self.tokens.items() if t == stream["expectedPreviousToken"])
                out.append(f"enqueue {step} after {previous}")
            else:
                ms = stream["offsetInMilliseconds"]
                out.append(f"play {step} from {ms // 60000}:{ms // 1000 % 60:02d}")
        return out


def screen_of(metadata: dict) -> str:
    """What a screen's player shows: "title | subtitle", once its pictures are checked to be
    cards the server serves, at the sizes the metadata gives."""
    for field, size in (("art", cards.ART), ("backgroundImage", cards.BACKGROUND)):
        (source,) = metadata[field]["sources"]
        assert source["url"].startswith(BASE + cards.ROUTE + "/"), source["url"]
        found = cards.parse(source["url"].removeprefix(BASE + cards.ROUTE + "/"))
        assert found is not None and found[1] == size, f"the server has no card {source['url']}"
        assert (source["widthPixels"], source["heightPixels"]) == (size.width, size.height)
    return f"{metadata['title']} | {metadata['subtitle']}"


def run(path: Path, send, monkeypatch) -> None:
    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", BASE)
    device, tracks = Device(send), TrackStore()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.name}:{number}"
        if not line.strip() or line.startswith("#"):
            continue
        mark, text = line[0], line[2:].strip()
        response = device.last.get("response") or {}
        speech = ssml_to_text((response.get("outputSpeech") or {}).get("ssml"))
        if mark == "=":
            if text == "no player":
                device.conv.interfaces = {}
            elif text == "no base url":
                monkeypatch.delenv("RECOVERY_COACH_AUDIO_BASE_URL")
            elif text == "idle":
                device.state = ("IDLE", 0, 0)
            else:
                activity, step, _, at = re.fullmatch(r"(playing|stopped) (\d+) (at) (\d+:\d\d)", text).groups()
                device.state = (activity.upper(), int(step), mmss(at))
        elif mark == ">":
            device.say(text)
        elif mark == "!":
            device.event(text)
        elif text.startswith("screen "):
            device.directives(tracks)
            assert device.screen == text[7:], f"{where}: the screen shows {device.screen!r}"
        elif text == "unheard":
            assert device.unheard, f"{where}: the skill heard it"
        elif text == "nothing":
            assert device.directives(tracks) == [], f"{where}: {device.directives(tracks)}"
        elif text.startswith(("play ", "enqueue ", "stop", "clear")):
            assert text in device.directives(tracks), f"{where}: {text!r} not in {device.directives(tracks)}"
        elif text.startswith("says "):
            assert text[5:] in speech, f"{where}: {text[5:]!r} not in {speech!r}"
        elif text == "silent":
            assert not speech, f"{where}: said {speech!r}"
        elif text in ("ends", "open"):
            assert response.get("shouldEndSession", True) is (text == "ends"), f"{where}: {response}"
        else:
            raise AssertionError(f"{where}: cannot read {line!r}")


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_player_events(path, talk, monkeypatch):
    run(path, talk.send, monkeypatch)


def test_a_whole_routine_streams_the_same_with_either_store(backend, monkeypatch):
    _, db_path = backend
    client = create_app(dev=True, skill_id=DEV_SKILL_ID, db_path=db_path, tracks_ahead=False).test_client()

    def send(doc):
        r = client.post("/alexa", json=doc)
        return r.status_code, r.get_json(silent=True) or {}

    run(HERE / "player_events" / "whole_routine.txt", send, monkeypatch)
