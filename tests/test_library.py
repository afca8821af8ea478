"""The movement library: everything in the source text is there, and broken data fails
with a message that names the file, the movement and the field."""

import shutil
from pathlib import Path

import pytest
import yaml

from content.library import DATA_DIR, LibraryError, library, load_library

BROKEN = yaml.safe_load((Path(__file__).parent / "data" / "broken_library.yaml").read_text())


def test_every_movement_in_the_source_text_is_in_the_library():
    lib = library()
    counts = {c: len(lib.by_category(c)) for c in ("cardio", "stretching", "foam-rolling", "yoga")}
    assert counts == {"cardio": 4, "stretching": 5, "foam-rolling": 5, "yoga": 5}
    assert len(lib.tips) == 5 and len(lib.red_flags) == 5 and len(lib.warning_signs) == 6
    assert "not medical advice" in lib.disclaimer


def test_it_band_is_marked_with_caution():
    it_band = library().get("it-band-roll")
    assert it_band.cautions and "caution" in it_band.cautions[0].lower()


@pytest.mark.parametrize(
    "spoken, movement",
    [
        ("pigeon", "pigeon-pose"),
        ("Pigeon Pose", "pigeon-pose"),
        ("childs pose", "childs-pose"),
        ("child's pose", "childs-pose"),
        ("IT band", "it-band-roll"),
        ("cat cow", "cat-cow"),
        ("down dog", "downward-dog"),
        ("quads", "quads-roll"),
        ("legs up the wall", "legs-up-the-wall"),
    ],
)
def test_spoken_names_and_synonyms_find_their_movement(spoken, movement):
    assert library().find(spoken).id == movement


def test_an_unknown_name_finds_nothing():
    assert library().find("bench press") is None


def test_foam_rolling_needs_a_roller_and_per_side_moves_say_which():
    lib = library()
    assert all("foam roller" in m.equipment for m in lib.by_category("foam-rolling"))
    assert lib.get("pigeon-pose").per_side == "side" and lib.get("leg-swings").per_side == "leg"


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: f"{c['movement']}")
def test_broken_data_names_file_movement_and_field(tmp_path, case):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / case["file"]
    doc = yaml.safe_load(path.read_text())
    movement = next(m for m in doc["movements"] if m["id"] == case["movement"])
    movement.update(case.get("set", {}))
    movement.pop(case.get("delete", ""), None)
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(LibraryError) as err:
        load_library(data)
    for words in case["says"]:
        assert words in str(err.value)


def test_invalid_yaml_and_missing_files_name_the_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "yoga.yaml").write_text("movements: [unclosed")
    with pytest.raises(LibraryError, match="yoga.yaml: not valid YAML"):
        load_library(data)
    (data / "advice.yaml").unlink()
    (data / "yoga.yaml").write_text((DATA_DIR / "yoga.yaml").read_text())
    with pytest.raises(LibraryError, match="advice.yaml: file is missing"):
        load_library(data)


def test_every_question_the_text_answers_has_a_short_answer_and_an_ask():
    from content.answers import MAX_WORDS, answers
    from skill.coach.asks import Ask

    found = answers()
    assert len(found) == 7
    assert all(len(a.text.split()) <= MAX_WORDS for a in found.values())
    assert set(found) <= {a.value for a in Ask}
