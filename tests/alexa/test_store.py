"""The store contract, the same tests against both backends: the SQLite file and DynamoDB
(moto's server, a real HTTP process, reached through boto3's AWS_ENDPOINT_URL_DYNAMODB).
Each says what a user would notice: what they told the skill is there next time, a
routine left partway is offered and carries on in the right place, forgetting forgets,
and nothing said or queued before a forget brings anything back."""

from __future__ import annotations

import pytest
from storekit import AWS_ENV, ROUTINE, USER, heard, talk_to

from skill.sim.chat import ssml_to_text
from skill.store.base import Outcome, body, token

KEPT = {
    "v": 2,
    "visits": 3,
    "tips": 1,
    "prefs": {"roller": False, "minutes": 15, "cardio": "cycling"},
    "pos": {"v": 1, "plan": [10, "full", 1], "at": [2, 0], "state": "paused"},
    "pos_at": 1_790_000_000,
    "history": [["2026-11-20", 10, "full"], ["2026-11-21", 15, "yoga"]],
    "ratio": 0.5,
}


def test_a_new_user_has_nothing_kept(backend):
    store, _ = backend
    assert store.get("amzn1.ask.account.new") == {}


def test_kept_data_comes_back_as_it_was_saved_with_plain_numbers(backend):
    store, _ = backend
    store.put("amzn1.ask.account.a", KEPT)
    back = store.get("amzn1.ask.account.a")
    assert body(back) == KEPT and token(back) == (1, 0)  # version 1, never forgotten
    assert type(back["visits"]) is int and type(back["history"][0][1]) is int and type(back["ratio"]) is float


def test_users_are_kept_apart_and_forgetting_one_keeps_the_other(backend):
    store, _ = backend
    store.put("amzn1.ask.account.a", KEPT)
    store.put("amzn1.ask.account.b", {**KEPT, "visits": 9})
    store.delete("amzn1.ask.account.a")
    store.delete("amzn1.ask.account.never-seen")
    assert body(store.get("amzn1.ask.account.a")) == {} and token(store.get("amzn1.ask.account.a")) == (2, 2)
    assert store.get("amzn1.ask.account.b")["visits"] == 9
    assert body(store.get("amzn1.ask.account.never-seen")) == {}


def concat(stored, incoming):
    """A merge that shows what it was given."""
    return {"said": stored.get("said", []) + incoming["said"]}


def test_a_write_is_conditional_on_the_version_it_read_and_a_refused_one_is_merged(backend):
    store, _ = backend
    first = store.get(USER)
    second = store.get(USER)  # another device read the same version
    assert store.save(USER, {**first, "said": ["cycling"]}, concat).rev == (1, 0)
    saved = store.save(USER, {**second, "said": ["fifteen minutes"]}, concat)  # refused, read again, merged
    assert saved.outcome == Outcome.WRITTEN and saved.rev == (2, 0)
    assert store.get(USER)["said"] == ["cycling", "fifteen minutes"]
    again = store.get(USER)
    assert store.save(USER, {**again, "said": ["only this"]}, concat).rev == (token(again)[0] + 1, 0)
    assert store.get(USER)["said"] == ["only this"], "not refused, so not merged"


@pytest.mark.parametrize("read", ["before the forget", "for a user never seen before"])
def test_a_save_read_before_a_forget_never_brings_anything_back(backend, read):
    store, _ = backend
    if read == "before the forget":
        store.put(USER, {"prefs": {"cardio": "cycling"}})
    stale = store.get(USER)
    store.delete(USER)
    for attempt in range(2):  # a queued save, then its retry
        assert store.save(USER, {**stale, "prefs": {"minutes": 15}}, concat).outcome == Outcome.FORGOTTEN, attempt
    assert body(store.get(USER)) == {}
    after = store.get(USER)  # a new session, after the forget, starts fresh and is kept
    assert store.save(USER, {**after, "prefs": {"minutes": 20}}, concat).outcome == Outcome.WRITTEN
    assert body(store.get(USER)) == {"prefs": {"minutes": 20}}


def test_forgetting_on_one_device_wins_over_a_session_open_on_another(backend):
    _, db_path = backend
    heard(talk_to(db_path), ["open recovery coach", "I prefer cycling"])
    kitchen = talk_to(db_path)
    heard(kitchen, ["open recovery coach", "start a ten minute recovery", "next"])
    said = heard(talk_to(db_path), ["open recovery coach", "forget my data", "yes"])
    assert "I've deleted everything" in said[-1]
    said = heard(kitchen, ["next", "stop"])  # this session read before the forget: none of it is kept
    assert "I couldn't save your place this time" in said[-1]
    said = heard(talk_to(db_path), ["open recovery coach", "what have I done this week", "start my leg recovery"])
    assert said[0].startswith("Welcome to Recovery Coach.") and "partway" not in said[0]
    assert "cycling" not in said[2] and "brisk walking" in said[2]


def test_a_routine_left_after_two_movements_carries_on_in_the_right_place(backend):
    _, db_path = backend
    conv = talk_to(db_path)
    said = heard(conv, ["open recovery coach", "start a ten minute recovery", "next", "next", "", ""])
    assert said[3].startswith("Now, hip circles.")  # brisk walking and leg swings are done
    assert conv.ended
    conv = talk_to(db_path)  # another day, another process
    said = heard(conv, ["open recovery coach", "yes"])
    # hip circles was heard to the end before the user went quiet, so the offer is the movement after it
    assert "You were partway through your routine earlier today. Shall we carry on with quad roll?" in said[0]
    assert "quad roll" in said[1]
    assert conv.attributes["pos"]["at"] == [3, 0]


def test_preferences_survive_to_the_next_session_and_forgetting_forgets(backend):
    _, db_path = backend
    heard(
        talk_to(db_path), ["open recovery coach", "I don't have a foam roller", "make it fifteen minutes from now on"]
    )
    said = heard(talk_to(db_path), ["open recovery coach", "yes", "what's in my routine"])
    assert "Shall I start your 15-minute routine?" in said[0]
    assert "roll" not in said[2].lower()
    said = heard(talk_to(db_path), ["open recovery coach", "forget my data", "yes", "open recovery coach"])
    assert said[-1].startswith("Welcome to Recovery Coach.")


def test_odd_cardio_gets_a_spoken_answer_and_nothing_is_kept(backend):
    _, db_path = backend
    conv = talk_to(db_path)
    conv.say("open recovery coach")
    slot = {"name": "cardio", "value": "rowing", "confirmationStatus": "NONE"}
    conv.request({"type": "IntentRequest", "intent": {"name": "PreferCardioIntent", "slots": {"cardio": slot}}})
    said = ssml_to_text(conv.speech)
    assert "I can't plan rowing for your cardio. I can plan walking, cycling, swimming, or the elliptical" in said
    assert conv.attributes["kept"]["prefs"] == {}


def test_a_missing_dynamodb_table_coaches_as_usual(moto, monkeypatch, tmp_path):
    for k, v in AWS_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto.url)
    monkeypatch.delenv("RECOVERY_COACH_DYNAMODB_TABLE", raising=False)
    healthy = heard(talk_to(tmp_path / "coach.sqlite3"), ROUTINE)
    monkeypatch.setenv("RECOVERY_COACH_DYNAMODB_TABLE", "no-such-table")
    said = heard(talk_to(None), ROUTINE)
    assert said[:-1] == healthy[:-1]
    assert "saved your place" in healthy[-1] and "I couldn't save your place this time" in said[-1]
