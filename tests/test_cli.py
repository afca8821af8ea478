"""The command line as a user runs it: a real subprocess, real output."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from speech.ssml import validate_ssml


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skill.cli", *args], capture_output=True, text=True, timeout=60)


def test_routine_prints_steps_and_total():
    out = run("routine", "--minutes", "20").stdout
    assert "brisk walking" in out and "Total 20:00" in out


def test_routine_json_matches_the_minutes_asked():
    plan = json.loads(run("routine", "--minutes", "15", "--json").stdout)
    assert abs(plan["total_seconds"] - 900) <= 45
    assert sum(s["seconds"] for s in plan["steps"]) == plan["total_seconds"]


def test_no_foam_roller_means_no_rolling():
    plan = json.loads(run("routine", "--no-foam-roller", "--json").stdout)
    assert all(s["category"] != "foam-rolling" for s in plan["steps"])


def test_out_of_range_minutes_are_clamped_and_explained():
    out = run("routine", "--minutes", "200").stdout
    assert "60-minute" in out and "longest routine" in out


def test_script_json_has_the_contracted_shape():
    doc = json.loads(run("script", "--minutes", "10", "--format", "json").stdout)
    assert doc["total_seconds"] == doc["plan"]["total_seconds"]
    assert {"id", "name", "category", "seconds"} <= set(doc["plan"]["steps"][0])
    assert [c["at"] for c in doc["cues"]] == sorted(c["at"] for c in doc["cues"])
    assert {"step", "ssml", "estimated_seconds"} <= set(doc["responses"][0])


def test_script_ssml_is_one_valid_response_per_line():
    lines = run("script", "--minutes", "20", "--format", "ssml").stdout.splitlines()
    assert len(lines) >= 13
    assert all(validate_ssml(line) == [] for line in lines)


@pytest.mark.parametrize(
    "args, says",
    [
        (["routine", "--minutes", "abc"], "whole number of minutes"),
        (["routine", "--focus", "legs"], "invalid choice"),
        (["script", "--format", "mp3"], "invalid choice"),
        (["routine", "--bogus"], "unrecognized arguments"),
        (["routine", "--cardio", "rowing"], "invalid choice"),
        (["script", "--target", "elbows"], "invalid choice"),
        (["routine", "--rotation", "9"], "invalid choice"),
    ],
)
def test_bad_options_exit_2_with_one_sentence(args, says):
    result = run(*args)
    assert result.returncode == 2
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cardio_choice_fills_a_cardio_focus():
    plan = json.loads(run("routine", "--cardio", "cycling", "--focus", "cardio", "--minutes", "20", "--json").stdout)
    assert [(s["id"], s["seconds"]) for s in plan["steps"]] == [("gentle-cycling", 1200)]
    assert plan["cardio"] == "cycling"


def test_targets_come_first_are_reported_and_every_step_names_its_areas():
    plan = json.loads(run("routine", "--target", "hamstrings", "--target", "calves", "--json").stdout)
    assert plan["targets"] == ["hamstrings", "calves"]
    rolls = [s for s in plan["steps"] if s["category"] == "foam-rolling"]
    assert {"hamstrings", "calves"} & set(rolls[0]["areas"])
    assert all(isinstance(s["areas"], list) for s in plan["steps"])
    assert any("Aimed at your hamstrings and calves" in n for n in plan["notes"])
    out = run("routine", "--target", "hamstrings").stdout
    assert "Aimed at: hamstrings" in out and "Variety: day 0" in out


@pytest.mark.parametrize("command", ["routine", "script", "play", "render"])
def test_every_plan_command_takes_cardio_and_targets(command):
    out = run(command, "--help").stdout
    assert "--cardio" in out and "--target AREA" in out


MISTAKES = yaml.safe_load((Path(__file__).parent / "data" / "cli_mistakes.yaml").read_text())


@pytest.mark.parametrize("case", MISTAKES, ids=[" ".join(c["args"]) for c in MISTAKES])
def test_a_mistake_gets_one_sentence_and_its_exit_status(case):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, never listening: connections are refused
        args = [a.format(closed=closed) for a in case["args"]]
        env = {k: v for k, v in os.environ.items() if k not in ("RECOVERY_COACH_SKILL_ID", "RECOVERY_COACH_DEV")}
        result = subprocess.run(
            [sys.executable, "-m", "skill.cli", *args],
            input=case.get("stdin", ""),
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    assert result.returncode == case["exit"], result.stderr
    shown = result.stdout if case["exit"] == 0 else result.stderr
    assert case["says"] in shown
    assert "Traceback" not in result.stderr
    if case["exit"]:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_render_help_shows_the_output_file_as_required():
    usage = run("render", "--help").stdout.splitlines()[0]
    assert usage == "usage: recovery-coach render -o FILE.wav|FILE.mp3 [options]"


def test_the_plan_shows_the_time_to_get_set_for_each_new_part():
    plan = json.loads(run("routine", "--minutes", "10", "--json").stdout)
    starts = [i for i, s in enumerate(plan["steps"]) if i and s["category"] != plan["steps"][i - 1]["category"]]
    assert [i for i, s in enumerate(plan["steps"]) if s["get_set_seconds"] == 10] == starts
    assert sum(s["get_set_seconds"] for s in plan["steps"]) == 10 * len(starts) > 0
    assert run("routine", "--minutes", "10").stdout.count("(first 10 s: get set)") == len(starts)
