"""The AWS path of the step tracks, run here: the renderer Lambda's contents built into a
folder by the same install script its image runs (deploy/renderer/install.sh), its handler
called from there in an isolated interpreter against moto's S3 server, as its Function URL
and the skill's asynchronous invoke call it; and the skill's Lambda asking it to render a
routine ahead, sent to a local HTTP server standing in for the Lambda Invoke API (moto's
server cannot run a Lambda here).

What a listener would notice: a track is made when first asked for and then comes from the
bucket, a key that is not a track is 404 and makes nothing, a track asked for by two
containers at once is made once, and starting a routine has the rest of it made ahead."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
import soundfile
import yaml

sys.path.insert(0, str(Path(__file__).parent / "alexa"))

from storekit import AWS_ENV, MotoServer  # noqa: E402
from test_deploy import CfnLoader  # noqa: E402

from content.planner import PlanInputs  # noqa: E402
from skill.sim.chat import Conversation  # noqa: E402
from skill.store import dynamo  # noqa: E402
from speech.local.engine import DEFAULT_RATE  # noqa: E402
from speech.local.trackkey import TrackRef  # noqa: E402
from speech.local.trackstore import TrackStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ESPEAK = "gmw/en-us"  # the voice the tests render in (Piper is what the image speaks with)
BUCKET = "tracks"
PLAN = PlanInputs(minutes=10, cardio="cycling")

# One Lambda container: the handler imported from the built folder only, called once per
# line of JSON on stdin, its answer a line of JSON on stdout.
CONTAINER = """
import json, sys
sys.path.insert(0, sys.argv[1])
module = __import__(sys.argv[2], fromlist=["handler"])
assert module.__file__.startswith(sys.argv[1]), module.__file__
print(json.dumps({"loaded": sorted({"flask", "skill.server", "skill.alexa"} & set(sys.modules))}), flush=True)
for line in sys.stdin:
    print(json.dumps(module.handler(json.loads(line), None)), flush=True)
"""


class Container:
    """A Lambda container: `folder`'s `module`.handler in a process of its own (python -I)."""

    def __init__(self, folder: Path, module: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", CONTAINER, str(folder), module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=folder,
        )
        self.loaded = json.loads(self.read())["loaded"]

    def send(self, event: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(event) + "\n")
        self.proc.stdin.flush()

    def read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the container exited"
        return line

    def call(self, event: dict) -> dict:
        self.send(event)
        return json.loads(self.read())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def url_event(path: str, method: str = "GET") -> dict:
    """A Function URL request (payload format 2.0), as Alexa's player fetch arrives."""
    return {"version": "2.0", "rawPath": path, "requestContext": {"http": {"method": method, "path": path}}}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("renderer") / "task"
    subprocess.run(["sh", str(ROOT / "deploy/renderer/install.sh"), str(folder), "--code-only"], check=True)
    return folder


@pytest.fixture(scope="module")
def moto():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def s3(moto):
    client = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1", **aws_keys())
    name = f"{BUCKET}-{os.urandom(4).hex()}"
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))
    return client, name


def public_read(bucket: str) -> dict:
    """deploy/template.yaml's TracksBucketPolicy for this bucket: anyone may read audio/ and cards/."""
    template = yaml.load((ROOT / "deploy/template.yaml").read_text(), Loader=CfnLoader)
    policy = template["Resources"]["TracksBucketPolicy"]["Properties"]["PolicyDocument"]
    arn = f"arn:aws:s3:::{bucket}"
    for statement in policy["Statement"]:
        statement["Resource"] = [r["Fn::Sub"].replace("${TracksBucket.Arn}", arn) for r in statement["Resource"]]
    return policy


def aws_keys() -> dict[str, str]:
    return {name.lower(): AWS_ENV[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}


@pytest.fixture
def containers(built, moto, s3, tmp_path):
    """Start renderer containers, each with a cache of its own (stopped at the end)."""
    started: list[Container] = []

    def start(**more: str) -> Container:
        env = {
            **os.environ,
            **AWS_ENV,
            "AWS_ENDPOINT_URL_S3": moto.url,
            "RECOVERY_COACH_TRACKS_BUCKET": s3[1],
            "RECOVERY_COACH_TRACKS_URL": f"{moto.url}/{s3[1]}",  # the bucket's public origin (path style here)
            "RECOVERY_COACH_AUDIO_VOICE": ESPEAK,
            "RECOVERY_COACH_CACHE_DIR": str(tmp_path / f"cache{len(started)}"),
            **more,
        }
        started.append(Container(built, "skill.aws.renderer", env))
        return started[-1]

    yield start
    for c in started:
        c.stop()


def objects(s3, folder: str = "") -> list[str]:
    client, name = s3
    return [o["Key"] for o in client.list_objects_v2(Bucket=name, Prefix=folder).get("Contents", [])]


def mp3_seconds(body: bytes) -> float:
    samples, rate = soundfile.read(io.BytesIO(body), dtype="int16")
    return len(samples) / rate


def test_a_track_is_made_when_first_asked_for_then_comes_from_the_bucket(containers, s3):
    ref = TrackRef(PLAN, 1, ESPEAK, DEFAULT_RATE)
    first = containers()
    assert first.loaded == [], "the renderer loads neither Flask nor the skill's other front ends"
    answer = first.call(url_event(ref.path))
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"] == "audio/mpeg"
    body = base64.b64decode(answer["body"])
    assert abs(mp3_seconds(body) - ref.script.steps[1].seconds) < 1.5, "the whole step, as long as its script"
    client, name = s3
    assert client.get_object(Bucket=name, Key=ref.path[1:])["Body"].read() == body
    assert objects(s3, "rendering/") == [], "the claim is released"

    again = containers().call(url_event(ref.path))  # another container, its cache empty
    assert again["statusCode"] == 302
    with urllib.request.urlopen(again["headers"]["Location"]) as r:  # the player follows it to the bucket
        assert r.read() == body


@pytest.mark.parametrize(
    "path",
    [
        "forged digest",
        "another voice",
        "/audio/../../etc/passwd",
        "/audio/eyJwbGFuIjp7fX0.0123456789abcdef01234567.mp3",
        "/tracks/x.mp3",
        "/cards/no-such-card-art-0123456789ab.png",
    ],
)
def test_a_name_that_is_no_track_is_404_and_makes_nothing(containers, s3, path):
    ref = TrackRef(PLAN, 0, ESPEAK, DEFAULT_RATE)
    if path == "forged digest":
        path = ref.path[:-5] + ("0" if ref.path[-5] != "0" else "1") + ".mp3"
    elif path == "another voice":
        path = TrackRef(PLAN, 0, "gmw/en", DEFAULT_RATE).path
    answer = containers().call(url_event(path))
    assert answer["statusCode"] == 404 and "error" in json.loads(answer["body"])
    assert objects(s3) == []


def test_what_is_not_a_fetch_is_a_clear_400(containers, s3):
    c = containers()
    for event in (url_event(TrackRef(PLAN, 0, ESPEAK, DEFAULT_RATE).path, "POST"), {"hello": 1}):
        answer = c.call(event)
        assert answer["statusCode"] == 400 and "GET" in json.loads(answer["body"])["error"]
    assert objects(s3) == []


def test_a_bucket_that_is_not_there_is_a_clear_503(containers):
    answer = containers(RECOVERY_COACH_TRACKS_BUCKET="no-such-bucket").call(
        url_event(TrackRef(PLAN, 0, ESPEAK, DEFAULT_RATE).path)
    )
    assert answer["statusCode"] == 503 and answer["headers"]["Retry-After"] == "5"
    assert "try again" in json.loads(answer["body"])["error"]


def test_head_never_renders(containers, s3):
    answer = containers().call(url_event(TrackRef(PLAN, 0, ESPEAK, DEFAULT_RATE).path, "HEAD"))
    assert answer["statusCode"] == 503 and answer["headers"]["Cache-Control"] == "no-store"
    assert objects(s3) == []


def test_a_track_asked_for_by_two_containers_at_once_is_made_once(containers, s3, tmp_path):
    ref = TrackRef(PLAN, 2, ESPEAK, DEFAULT_RATE)
    one, two = containers(), containers()
    one.send(url_event(ref.path))
    two.send(url_event(ref.path))
    answers = sorted((json.loads(one.read()), json.loads(two.read())), key=lambda a: a["statusCode"])
    assert [a["statusCode"] for a in answers] == [200, 302], "one renders, the other waits for the bucket"
    made = [p for cache in tmp_path.glob("cache*") for p in cache.rglob("*.mp3")]
    assert len(made) == 1, f"the track was rendered once: {made}"
    assert objects(s3) == [ref.path[1:]]


def test_an_invoke_renders_the_tracks_it_lists_into_the_bucket(containers, s3):
    refs = [TrackRef(PLAN, step, ESPEAK, DEFAULT_RATE) for step in (3, 4)]
    c = containers()
    answer = c.call({"ahead": [refs[0].key, "not a key", refs[1].key, refs[0].key]})
    assert answer == {"rendered": 2}
    assert sorted(objects(s3, "audio/")) == sorted(r.path[1:] for r in refs)
    assert c.call(url_event(refs[1].path))["statusCode"] == 302, "served from the bucket"


def test_a_card_is_drawn_when_first_asked_for_then_comes_from_the_bucket(containers, s3):
    from speech.local.cards import card_path

    path = card_path("gentle-cycling", "art")
    c = containers()
    answer = c.call(url_event(path))
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"] == "image/png"
    assert base64.b64decode(answer["body"]).startswith(b"\x89PNG")
    assert c.call(url_event(path))["statusCode"] == 302
    assert objects(s3) == [path[1:]]


class LambdaApi(BaseHTTPRequestHandler):
    """A stand-in for the Lambda Invoke API (POST /2015-03-31/functions/NAME/invocations):
    it records each call and answers as Lambda answers an asynchronous invoke (202)."""

    calls: list[tuple[str, dict[str, str], dict]] = []
    status = 202

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        self.calls.append((self.path, dict(self.headers), body))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def skill_lambda(moto, tmp_path):
    """The skill's Lambda entry (deploy/lambda) in a container of its own, with DynamoDB on
    moto and the Lambda API on the stand-in."""
    api = ThreadingHTTPServer(("127.0.0.1", 0), LambdaApi)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    LambdaApi.calls, LambdaApi.status = [], 202
    table = f"coach-{os.urandom(4).hex()}"
    dynamo.create_table(boto3.resource("dynamodb", endpoint_url=moto.url, region_name="us-east-1", **aws_keys()), table)
    env = {
        **os.environ,
        **AWS_ENV,
        "AWS_ENDPOINT_URL_DYNAMODB": moto.url,
        "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{api.server_address[1]}",
        "RECOVERY_COACH_DYNAMODB_TABLE": table,
        "RECOVERY_COACH_AUDIO_BASE_URL": "https://renderer.example",
        "RECOVERY_COACH_AUDIO_VOICE": ESPEAK,
        "RECOVERY_COACH_RENDERER_FUNCTION": "coach-RendererFunction",
    }
    env.pop("PYTHONPATH", None)
    container = Container(ROOT / "deploy" / "lambda", "lambda_function", env)
    conv = Conversation(lambda doc: (200, container.call(doc)), interfaces={"AudioPlayer": {}})
    yield conv
    container.stop()
    api.shutdown()


def test_starting_a_routine_asks_the_renderer_to_make_the_rest_of_it_ahead(skill_lambda):
    skill_lambda.say("start a ten minute recovery on the bike")
    (play,) = skill_lambda.last["response"]["directives"]
    url = play["audioItem"]["stream"]["url"]
    assert url == f"https://renderer.example{TrackRef(PLAN, 0, ESPEAK, DEFAULT_RATE).path}", "every plan streams"
    (call,) = LambdaApi.calls
    path, headers, body = call
    assert path == "/2015-03-31/functions/coach-RendererFunction/invocations"
    assert headers["X-Amz-Invocation-Type"] == "Event", "asynchronous: the answer does not wait for the renders"
    steps = len(TrackRef(PLAN, 0, ESPEAK, DEFAULT_RATE).script.steps)
    assert body == {"ahead": [TrackRef(PLAN, step, ESPEAK, DEFAULT_RATE).key for step in range(steps)]}, (
        "the track it plays first, then the rest of the routine"
    )
    renderer = TrackStore(voices=frozenset({ESPEAK}), rates=frozenset({DEFAULT_RATE}))
    assert all(renderer.parse(key) for key in body["ahead"]), "keys the renderer takes"


def test_a_renderer_that_cannot_be_asked_leaves_the_routine_playing(skill_lambda):
    LambdaApi.status = 500
    skill_lambda.say("start a ten minute recovery on the bike")
    (play,) = skill_lambda.last["response"]["directives"]
    assert play["type"] == "AudioPlayer.Play"
    assert "as it plays" in skill_lambda.speech
    assert LambdaApi.calls, "it was asked"


def test_a_claim_left_by_a_container_that_died_is_taken_over(s3, moto, monkeypatch):
    from skill.aws import bucket

    client, name = s3
    tracks = bucket.Bucket(name, f"{moto.url}/{name}", client=client)
    assert tracks.claim("audio/x.mp3") and not tracks.claim("audio/x.mp3"), "claimed once"
    monkeypatch.setattr(bucket, "STALE_S", -1)  # as if its render had outlived the function's timeout
    assert tracks.claim("audio/x.mp3"), "an unfinished render's claim is taken over"
    tracks.release("audio/x.mp3")
    assert objects(s3) == []
