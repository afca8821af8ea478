"""What ships to AWS: the SAM template passes cfn-lint, aws-sam-translator turns it into
CloudFormation with what the code expects (table key, environment, handler, trigger, the
renderer's image and Function URL, least privilege), and the Lambda entry answers a
LaunchRequest without importing Flask, against DynamoDB (moto's server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "alexa"))

from storekit import AWS_ENV, MotoServer  # noqa: E402

from skill.sim.chat import DEV_SKILL_ID, envelope  # noqa: E402
from skill.store import dynamo  # noqa: E402

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
TEMPLATE = DEPLOY / "template.yaml"
RENDERER_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/recovery-coach-renderer:python3.12-v1"


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt) as their long forms."""


CfnLoader.add_constructor("!Ref", lambda loader, node: {"Ref": loader.construct_scalar(node)})
CfnLoader.add_constructor("!GetAtt", lambda loader, node: {"Fn::GetAtt": loader.construct_scalar(node).split(".")})
CfnLoader.add_constructor("!Sub", lambda loader, node: {"Fn::Sub": loader.construct_scalar(node)})


def test_the_template_passes_cfn_lint():
    out = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(TEMPLATE)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.fixture(scope="module")
def cloudformation():
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    template = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)
    code = template["Resources"]["CoachFunction"]["Properties"]
    assert (DEPLOY / code["CodeUri"] / "requirements.txt").exists()
    code["CodeUri"] = "s3://artifacts/recovery-coach.zip"  # what `sam deploy` uploads and writes in
    renderer = template["Resources"]["RendererFunction"]
    assert (DEPLOY.parent / renderer["Metadata"]["Dockerfile"]).exists()
    renderer["Properties"]["ImageUri"] = RENDERER_IMAGE  # what `sam build` builds and `sam deploy` pushes
    session = boto3.session.Session(region_name="us-east-1")  # for the ARNs it writes; no call is made
    translator = Translator(managed_policy_map=None, sam_parser=Parser(), boto_session=session)
    out = translator.translate(template, {"SkillId": DEV_SKILL_ID})
    return {name: r for name, r in out["Resources"].items()}


def of_type(resources: dict, kind: str) -> list[dict]:
    return [r["Properties"] for r in resources.values() if r["Type"] == kind]


def role_actions(resources: dict, function: str) -> dict[str, object]:
    """Each action the function's role allows, and the resources it allows it on."""
    role = resources[f"{function}Role"]["Properties"]
    return {a: s["Resource"] for p in role["Policies"] for s in p["PolicyDocument"]["Statement"] for a in s["Action"]}


def test_the_translator_makes_the_function_alexa_may_call(cloudformation):
    function = cloudformation["CoachFunction"]["Properties"]
    assert function["Handler"] == "lambda_function.handler"
    assert (DEPLOY / "lambda" / "lambda_function.py").exists()
    assert tuple(map(int, function["Runtime"].removeprefix("python").split("."))) >= (3, 11)
    env = function["Environment"]["Variables"]
    assert set(env) == {
        "RECOVERY_COACH_SKILL_ID",
        "RECOVERY_COACH_DYNAMODB_TABLE",
        "RECOVERY_COACH_AUDIO_BASE_URL",
        "RECOVERY_COACH_RENDERER_FUNCTION",
    }
    assert env["RECOVERY_COACH_AUDIO_BASE_URL"] == {"Fn::GetAtt": ["RendererFunctionUrl", "FunctionUrl"]}
    assert env["RECOVERY_COACH_RENDERER_FUNCTION"] == {"Ref": "RendererFunction"}
    (permission,) = [p for p in of_type(cloudformation, "AWS::Lambda::Permission") if "EventSourceToken" in p]
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["EventSourceToken"] == {"Ref": "SkillId"}


def test_the_table_is_keyed_as_the_adapter_expects_and_the_role_may_only_touch_items(cloudformation):
    (table,) = of_type(cloudformation, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [{"AttributeName": dynamo.PARTITION_KEY, "KeyType": "HASH"}]
    actions = role_actions(cloudformation, "CoachFunction")
    assert actions == {
        "dynamodb:GetItem": {"Fn::GetAtt": ["CoachTable", "Arn"]},
        "dynamodb:PutItem": {"Fn::GetAtt": ["CoachTable", "Arn"]},
        "dynamodb:DeleteItem": {"Fn::GetAtt": ["CoachTable", "Arn"]},
        "lambda:InvokeFunction": {"Fn::GetAtt": ["RendererFunction", "Arn"]},
    }, "the skill may touch its table's items and ask the renderer to render, nothing more"


def test_the_renderer_is_an_image_behind_a_public_function_url_that_may_only_touch_the_tracks(cloudformation):
    function = cloudformation["RendererFunction"]["Properties"]
    assert function["PackageType"] == "Image" and function["Code"] == {"ImageUri": RENDERER_IMAGE}
    env = function["Environment"]["Variables"]
    assert env["RECOVERY_COACH_TRACKS_BUCKET"] == {"Ref": "TracksBucket"}
    assert env["RECOVERY_COACH_TRACKS_URL"] == {"Fn::Sub": "https://${TracksBucket.RegionalDomainName}"}
    assert env["RECOVERY_COACH_CACHE_DIR"].startswith("/tmp/")
    (url,) = of_type(cloudformation, "AWS::Lambda::Url")
    assert url["AuthType"] == "NONE" and url["TargetFunctionArn"] == {"Ref": "RendererFunction"}
    public = [p for p in of_type(cloudformation, "AWS::Lambda::Permission") if p.get("FunctionUrlAuthType")]
    assert [p["Principal"] for p in public] == ["*"], "Alexa fetches the tracks anonymously"
    objects = [{"Fn::Sub": f"${{TracksBucket.Arn}}/{folder}/*"} for folder in ("audio", "cards", "rendering")]
    assert role_actions(cloudformation, "RendererFunction") == {
        "s3:GetObject": objects,
        "s3:PutObject": objects,
        "s3:DeleteObject": {"Fn::Sub": "${TracksBucket.Arn}/rendering/*"},
        "s3:ListBucket": {"Fn::GetAtt": ["TracksBucket", "Arn"]},
    }


def test_ask_resources_point_at_the_skill_package():
    resources = json.loads((DEPLOY / "ask-resources.json").read_text())
    src = resources["profiles"]["default"]["skillMetadata"]["src"]
    manifest = json.loads((DEPLOY / src / "skill.json").read_text())["manifest"]
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith(("https://", "arn:aws:lambda:"))


LAMBDA_CALL = """
import json, sys
import lambda_function
answer = lambda_function.handler(json.load(sys.stdin), None)
print(json.dumps({"loaded": sorted({"flask", "sqlite3"} & set(sys.modules)), "answer": answer}))
"""


def test_the_lambda_handler_answers_a_launch_request_without_flask_or_sqlite():
    moto = MotoServer().start()
    try:
        env = {**os.environ, **AWS_ENV, "AWS_ENDPOINT_URL_DYNAMODB": moto.url, "PYTHONPATH": ""}
        table = f"coach-{uuid.uuid4().hex[:8]}"
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
        dynamo.create_table(boto3.resource("dynamodb"), table)
        env.update(RECOVERY_COACH_DYNAMODB_TABLE=table, RECOVERY_COACH_SKILL_ID=DEV_SKILL_ID)
        event = envelope(
            {"type": "LaunchRequest"}, session_id="s", new=True, attributes={}, user_id="amzn1.ask.account.l"
        )
        out = subprocess.run(
            [sys.executable, "-c", LAMBDA_CALL],
            input=json.dumps(event),
            capture_output=True,
            text=True,
            cwd=DEPLOY / "lambda",
            env=env,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout.splitlines()[-1])
        assert result["loaded"] == [], "a Lambda on DynamoDB loads neither Flask nor SQLite"
        assert "Welcome to Recovery Coach" in result["answer"]["response"]["outputSpeech"]["ssml"]
        kept = dynamo.DynamoStore(table).get("amzn1.ask.account.l")
        assert kept["visits"] == 1, "the launch was kept in DynamoDB"
    finally:
        moto.stop()
        for k in AWS_ENV:
            os.environ.pop(k, None)
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)


def test_the_tracks_bucket_lets_anyone_read_the_audio_and_cards_and_nothing_else(cloudformation):
    """Alexa fetches a stream and its player's pictures anonymously; the policy opens audio/*
    and cards/* to reading, no more."""
    (policy,) = of_type(cloudformation, "AWS::S3::BucketPolicy")
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "s3:GetObject" and statement["Principal"] == "*"
    assert statement["Resource"] == [
        {"Fn::Sub": "${TracksBucket.Arn}/audio/*"},
        {"Fn::Sub": "${TracksBucket.Arn}/cards/*"},
    ]
