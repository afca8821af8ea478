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


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory) -> Path:
    """A new venv with the wheel installed by pip. Its dependencies come from the test's own
    environment through a .pth line, so no index is needed; the project's sources are not
    on the path."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    ours = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "deps.pth").write_text(ours + "\n")
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, env={**CLEAN_ENV, "PYTHONPATH": ours})
    return venv


CLEAN_ENV = {"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1", "HOME": "/nonexistent"}


@pytest.mark.slow
def test_the_coach_runs_from_the_installed_wheel(fresh_venv, tmp_path):
    """Installed in a fresh venv, the wheel's own data loads: the library, the phrases, the
    coach's vocabulary and the Alexa model's source, a first turn, and the command line."""
    code = (
        "import sys, content, skill.coach.turn as t; from content.library import library;"
        "from content.phrases import phrase; from skill.alexa import model;"
        "from skill.coach.vocabulary import slot_types; from skill.coach.asks import Ask;"
        "assert content.__file__.startswith(sys.prefix), content.__file__;"
        "print(len(library().movements), len(slot_types()), len(model.intents()), phrase('memory.today'),"
        " t.turn(Ask.LAUNCH, {}, True, None, {}).reply.ssml[:33])"
    )
    run = subprocess.run(
        [str(fresh_venv / "bin/python"), "-c", code], cwd=tmp_path, capture_output=True, text=True, env=CLEAN_ENV
    )
    assert run.returncode == 0, run.stderr[-2000:]
    movements, types, intents, today, said = run.stdout.split(" ", 4)
    assert int(movements) == len(library().movements) and int(types) >= 5 and int(intents) > 30
    assert said.startswith("<speak>Welcome to Recovery Coach")
    routine = subprocess.run(
        [str(fresh_venv / "bin/recovery-coach"), "routine", "--minutes", "10"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=CLEAN_ENV,
    )
    assert routine.returncode == 0, routine.stderr[-2000:]
    assert "10-minute full leg recovery" in routine.stdout and "Total 10:00" in routine.stdout


def test_the_lambda_installs_only_what_it_needs():
    wanted = [
        line.split("=")[0].split(">")[0].strip().lower()
        for line in (ROOT / "deploy/lambda/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "ask-sdk-core" in wanted
    assert not [w for w in wanted if any(w.startswith(n) for n in LAMBDA_NEVER)], wanted
