"""The wheel holds what the coach reads at run time (every YAML source and its compiled
JSON twin, in every package), and the Lambda installs only the small set it needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from content.library import library

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("content", "speech", "skill")
LAMBDA_NEVER = ("flask", "gunicorn", "piper", "numpy", "lameenc", "pyttsx3", "cryptography", "onnxruntime")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("recovery_coach-*.whl")
    return path


def sources_in_tree() -> set[str]:
    tracked = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True, text=True, check=True)
    return {p for p in tracked.stdout.split() if p.endswith((".yaml", ".yaml.json"))}


@pytest.mark.slow
def test_the_wheel_holds_every_data_file_and_its_twin(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert sources_in_tree() - names == set()
    assert any(n.endswith("vocabulary.yaml.json") for n in names), "a twin in a subpackage of skill/"


@pytest.mark.slow
def test_the_coach_runs_from_the_wheel_alone(wheel, tmp_path):
    """Unpacked away from the repository, the wheel's own data loads: the library, the
    phrases, the coach's vocabulary and the Alexa model's source, and a first turn."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path = [p for p in sys.path if p != sys.argv[2]];"
        "import content, skill.coach.turn as t; from content.library import library;"
        "from content.phrases import phrase; from skill.alexa import model;"
        "from skill.coach.vocabulary import slot_types; from skill.coach.asks import Ask;"
        "assert content.__file__.startswith(sys.argv[1]), content.__file__;"
        "print(len(library().movements), len(slot_types()), len(model.intents()), phrase('memory.today'),"
        " t.turn(Ask.LAUNCH, {}, True, None, {}).reply.ssml[:33])"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(site), str(ROOT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    movements, types, intents, today, said = run.stdout.split(" ", 4)
    assert int(movements) == len(library().movements) and int(types) >= 5 and int(intents) > 30
    assert said.startswith("<speak>Welcome to Recovery Coach")


def test_the_lambda_installs_only_what_it_needs():
    wanted = [
        line.split("=")[0].split(">")[0].strip().lower()
        for line in (ROOT / "deploy/lambda/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "ask-sdk-core" in wanted
    assert not [w for w in wanted if any(w.startswith(n) for n in LAMBDA_NEVER)], wanted
