"""GET /audio/<key>.mp3 through the real Flask app: ETag, 304, Range, 404 for anything that is
not a canonical key of a track this server can make, and no way out of the cache (what it
refuses to render, and its queue, are in test_tracks_limits.py)."""

import base64
import io
import json

import pytest
import soundfile

from content.planner import PlanInputs
from skill.server.app import create_app
from speech.local.trackkey import track_path
from speech.script import script_for

BASE = "https://coach.example"


@pytest.fixture(scope="module")
def client():
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RECOVERY_COACH_AUDIO_BASE_URL", BASE)  # streaming on: /audio is served
        return create_app(dev=True).test_client()


@pytest.fixture(scope="module")
def path():
    return track_path(PlanInputs(5), 1)


def test_a_track_is_mp3_with_etag_and_long_lived_caching(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "audio/mpeg"
    assert r.headers["ETag"] == f'"{path.split(".")[1]}"'
    assert "max-age=31536000" in r.headers["Cache-Control"] and "immutable" in r.headers["Cache-Control"]
    samples, rate = soundfile.read(io.BytesIO(r.data), dtype="int16")
    assert rate == 22050 and samples.ndim == 1
    assert abs(len(samples) / rate - script_for(PlanInputs(5)).steps[1].seconds) < 0.1
    assert client.get(path, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    part = client.get(path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == r.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(r.data)}"


def test_script_json_names_each_steps_track(path):
    from skill.cli import main

    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        main(["script", "--minutes", "5", "--format", "json"])
    steps = json.loads(out.getvalue())["steps"]
    assert steps[1]["track"] == path and len(steps) == len(script_for(PlanInputs(5)).steps)


def _key(doc: dict, digest: str = "0" * 24) -> str:
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return f"/audio/{base64.urlsafe_b64encode(raw).decode().rstrip('=')}.{digest}.mp3"


@pytest.mark.parametrize(
    "bad",
    [
        "/audio/..%2f..%2fetc%2fpasswd",
        "/audio/../../etc/passwd",
        "/audio/%2e%2e/%2e%2e/etc/passwd",
        "/audio/x.mp3",
        "/audio/",
    ],
)
def test_traversal_and_junk_are_404(client, bad):
    assert client.get(bad).status_code == 404


def test_keys_that_are_not_canonical_or_not_makeable_are_404(client, path):
    key, digest = path.removeprefix("/audio/").removesuffix(".mp3").split(".")
    assert client.get(f"/audio/{key}.{'f' * 24}.mp3").status_code == 404  # wrong digest
    assert client.get(path.replace(".mp3", ".wav")).status_code == 404
    base = {"plan": {"minutes": 5}, "rate": 150, "step": 1, "voice": "en_US-joe-medium"}
    for change in (
        {"step": 99},
        {"voice": "../../etc/passwd"},
        {"rate": 9999},
        {"plan": {"minutes": 5, "x": 1}},
        {"plan": {"minutes": 20}},
        {"plan": {"focus": "juggling"}},
    ):
        assert client.get(_key({**base, **change}, digest)).status_code == 404, change


def test_a_missing_track_is_rendered_once_while_others_wait(tmp_path):
    import threading

    from skill.server.tracks import tracks_blueprint
    from speech.local.cache import DiskCache
    from speech.local.trackstore import TrackStore

    store = TrackStore(DiskCache(tmp_path))
    renders = []
    real = store.render
    store.render = lambda ref: renders.append(ref.key) or real(ref)
    from flask import Flask

    app = Flask("t")
    app.register_blueprint(tracks_blueprint(store))
    path = track_path(PlanInputs(5), 3)
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(app.test_client().get(path).status_code)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 4 and len(renders) == 1


def test_track_keys_carry_every_plan_input_and_refuse_unknown_values():
    """A cycling plan aimed at the hamstrings on day 3 names its own tracks, which the server
    can turn back into that plan; a forged cardio or area is not a track."""
    from speech.local.trackkey import parse_key

    asked = {"minutes": 10, "cardio": "cycling", "targets": ("calves", "hamstrings"), "rotation": 3}
    key = track_path(PlanInputs(**asked), 1, "gmw/en-us").removeprefix("/audio/").removesuffix(".mp3")
    ref = parse_key(key, lambda voice: True)
    assert ref is not None
    assert ref.inputs == PlanInputs(10, cardio="cycling", rotation=3, targets=("hamstrings", "calves"))
    plan = ref.script.plan.inputs
    assert plan.cardio == "cycling" and plan.targets == ("hamstrings", "calves")
    for bad in ({"cardio": "rowing"}, {"targets": ("elbows",)}, {"rotation": 9}):
        with pytest.raises(ValueError):
            track_path(PlanInputs(**{**asked, **bad}), 1, "gmw/en-us")


def test_the_track_a_stream_plays_is_one_this_server_serves(tmp_path, monkeypatch):
    """What Alexa would fetch: the Play directive's URL, with the base URL this server is behind."""
    from skill.sim.chat import Conversation, intent_request, match

    monkeypatch.setenv("RECOVERY_COACH_AUDIO_BASE_URL", BASE)
    client = create_app(dev=True, db_path=tmp_path / "coach.sqlite3").test_client()  # a first visit

    def send(doc):
        r = client.post("/alexa", json=doc)
        return r.status_code, r.get_json()

    conv = Conversation(send, interfaces={"AudioPlayer": {}}, user_id="amzn1.ask.account.fetch")
    conv.request(intent_request(match("start a five minute recovery")), new_session=True)
    (play,) = conv.last["response"]["directives"]
    url = play["audioItem"]["stream"]["url"]
    r = client.get(url.removeprefix(BASE))
    assert r.status_code == 200 and r.mimetype == "audio/mpeg"
    samples, rate = soundfile.read(io.BytesIO(r.data), dtype="int16")
    assert abs(len(samples) / rate - script_for(PlanInputs(5)).steps[0].seconds) < 0.1
