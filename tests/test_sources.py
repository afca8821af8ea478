"""Data files are read from their compiled JSON twins when those are current, so a cold start
neither imports PyYAML nor parses YAML; a stale or missing twin falls back to the YAML."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from content import sources
from skill.alexa.model import data_sources


def test_every_twin_in_the_repository_is_current():
    assert sources.stale_twins(data_sources()) == []


def test_a_twin_compiled_from_other_bytes_is_not_used(tmp_path):
    path = tmp_path / "tips.yaml"
    path.write_text("greeting: hello\n")
    sources.write_twins([path])
    assert sources.load(path) == {"greeting": "hello"}
    path.write_text("greeting: good morning\n")  # edited, twin not rebuilt
    assert sources.load(path) == {"greeting": "good morning"}
    assert sources.stale_twins([path]) == ["tips.yaml.json is not compiled from tips.yaml as it is now"]
    sources.twin(path).write_text("{not json")
    assert sources.load(path) == {"greeting": "good morning"}


def test_a_document_json_cannot_hold_gets_no_twin(tmp_path):
    path = tmp_path / "keys.yaml"
    path.write_text("1: one\n")  # a number as a key would come back a string
    with pytest.raises(sources.SourceError, match="JSON cannot hold"):
        sources.compiled(path)


def test_broken_yaml_names_its_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("a: [unclosed\n")
    with pytest.raises(sources.SourceError, match="broken.yaml: not valid YAML"):
        sources.load(path)


def test_a_cold_start_answers_its_first_request_without_importing_yaml():
    code = textwrap.dedent(
        """
        import sys
        from skill.alexa.adapter import Skill
        from skill.sim.chat import envelope
        from skill.store.base import MemoryStore
        doc = envelope({"type": "LaunchRequest"}, session_id="s", new=True, attributes=None, user_id="u")
        out = Skill(store=MemoryStore()).respond(doc)
        assert "Recovery Coach" in out["response"]["outputSpeech"]["ssml"]
        print("yaml" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
