"""Every question the coach asks accepts its natural answers (utterances/answers.yaml): for
each question, the lines that lead to it, then each answer, and what the person notices."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skill.sim.chat import ssml_to_text

TABLE = yaml.safe_load((Path(__file__).parent / "utterances" / "answers.yaml").read_text())
CASES = [
    (question, outcome, answer)
    for question, spec in TABLE.items()
    for outcome, result in spec["outcomes"].items()
    for answer in result["answers"]
]


def test_every_outcome_has_eight_answers():
    assert {q for q, _, _ in CASES} >= {"start", "resume", "pain", "skip", "tip", "forget", "target"}
    for question, spec in TABLE.items():
        for outcome, result in spec["outcomes"].items():
            assert len(set(result["answers"])) >= 8, f"{question}: {outcome}"


@pytest.mark.parametrize("question, outcome, answer", CASES, ids=[f"{q}-{o}-{a}" for q, o, a in CASES])
def test_a_natural_answer_does_what_it_means(question, outcome, answer, talk):
    for line in TABLE[question]["ask"]:
        talk.say(line)
    assert talk.attributes.get("ask") or question == "start", f"no question waiting after {TABLE[question]['ask']}"
    talk.say(answer)
    expect = TABLE[question]["outcomes"][outcome]["expect"]
    heard = ssml_to_text(talk.speech)
    assert expect.get("says", "").lower() in heard.lower(), heard
    assert talk.ended == expect.get("ends", False), heard
    if "state" in expect:
        assert (talk.attributes.get("pos") or {}).get("state", "ready") == expect["state"], heard
