"""The coach on Open Voice OS, through ovoscope's minicroft: the skill loads through its
entry point, a routine runs as bus messages (lines handed to OVOS's scheduler, said at
their moment, cancelled by what the person says), and a red flag ends it in any state."""

from __future__ import annotations

import os
from pathlib import Path

from ovos_bus_client.message import Message
from ovos_bus_client.session import Session
from ovoscope import End2EndTest
from ovoskit import SKILL_ID, Talk, later, spoken

from skill.ovos.skill import RecoveryCoachSkill
from skill.store.sqlite import SQLiteStore


def kinds(messages) -> list[str]:
    return [m.msg_type for m in messages]


def test_the_skill_loads_through_its_entry_point_and_needs_no_network(croft):
    assert SKILL_ID in croft.plugin_skills
    assert isinstance(croft.plugin_skills[SKILL_ID].instance, RecoveryCoachSkill)
    needs = RecoveryCoachSkill.runtime_requirements
    assert not (needs.requires_internet or needs.requires_network or needs.internet_before_load)


# "start my leg recovery", then "I have a sharp pain": what OVOS's bus carries, in order
# (without the session's bookkeeping and the fake TTS's start and end, on a timer of its own).
SAFETY_REPLY = (
    "That sounds like sharp or sudden pain. Stop now; I've ended the routine. Please consult a healthcare "
    "professional. Recovery Coach is for typical muscle soreness and is not medical advice."
)
EXPECTED = [
    ("recognizer_loop:utterance", {"utterances": ["start my leg recovery"]}),
    (f"{SKILL_ID}.activate", {}),
    (f"{SKILL_ID}:StartRoutine.intent", {"utterance": "start my leg recovery"}),
    ("mycroft.skill.handler.start", {}),
    ("speak", {"expect_response": False}),
    *[("mycroft.scheduler.schedule_event", {})] * 8,  # the part's later lines, each at its moment
    ("mycroft.skill.handler.complete", {}),
    ("ovos.utterance.handled", {}),
    ("recognizer_loop:utterance", {"utterances": ["I have a sharp pain"]}),
    (f"{SKILL_ID}.converse.ping", {}),
    ("skill.converse.pong", {"can_handle": True}),
    (f"{SKILL_ID}.activate", {}),
    ("converse:skill", {"skill_id": SKILL_ID}),
    (f"{SKILL_ID}.converse.request", {}),
    *[("mycroft.scheduler.remove_event", {})] * 8,  # none of the part's lines is said now
    ("speak", {"utterance": SAFETY_REPLY, "expect_response": False}),
    ("intent.service.skills.deactivate", {"skill_id": SKILL_ID}),
    ("intent.service.skills.deactivated", {"skill_id": SKILL_ID}),
    (f"{SKILL_ID}.deactivate", {}),
    ("skill.converse.response", {"skill_id": SKILL_ID, "result": True}),
    ("ovos.utterance.handled", {}),
]
UNCOUNTED = ["ovos.skills.settings_changed", "ovos.session.update_default"]
UNCOUNTED += ["recognizer_loop:audio_output_start", "recognizer_loop:audio_output_end"]


def test_start_my_leg_recovery_then_a_sharp_pain_ends_it_with_the_safety_reply(croft):
    session = Session("done-when", site_id="done-when")
    context = {"session": session.serialize(), "source": "user", "destination": "skills"}
    said = [
        Message("recognizer_loop:utterance", {"utterances": [words], "lang": "en-US"}, context if i == 0 else {})
        for i, words in enumerate(["start my leg recovery", "I have a sharp pain"])
    ]
    test = End2EndTest(
        skill_ids=[SKILL_ID],
        minicroft=croft,
        source_message=said,
        expected_messages=[Message(kind, data) for kind, data in EXPECTED],
        ignore_messages=UNCOUNTED,
        test_routing=False,
        verbose=False,
    )
    messages = test.execute()
    assert "Let's start your 20-minute leg recovery" in spoken(messages)[0]
    assert later(messages)[-1] == "Say continue to keep going."
    assert not croft.plugin_skills[SKILL_ID].instance.coach.in_conversation("done-when")


def test_a_short_routine_cues_on_schedule_next_pause_resume_and_a_red_flag_while_paused(croft):
    talk = Talk(croft)
    first = talk.say("start a five minute recovery")
    assert "Let's start your 5-minute leg recovery" in spoken(first)[0]
    assert later(first) == [
        "Halfway there.",
        "Ten seconds left.",
        "Well done. Next up, leg swings. Say next when you're ready.",
    ]
    times = [m.data["time"] for m in first if m.msg_type == "mycroft.scheduler.schedule_event"]
    assert times == sorted(times) and times[-1] - times[0] > 20  # each line at its own moment

    assert spoken(talk.tick()) == ["Halfway there."]  # the clock reaches the first cue
    # A question leaves the part's lines waiting; its answer is said at once, of the movement
    # whose lines are being said (halfway through brisk walking, not after it).
    assert "seconds left in brisk walking" in spoken(talk.say("how much is left"))[0]
    assert len(talk.scheduled) == 2
    assert spoken(talk.tick()) == ["Ten seconds left."]

    paused = talk.say("pause")
    assert kinds(paused).count("mycroft.scheduler.remove_event") == 1
    assert "Paused during brisk walking" in spoken(paused)[0] and talk.scheduled == []
    assert talk.skill.coach.state(talk.sid) == "paused"
    resumed = talk.say("resume")
    assert "brisk walking" in spoken(resumed)[0] and talk.skill.coach.state(talk.sid) == "active"

    stale = talk.scheduled[0]
    moved = talk.say("next")
    assert "Next, leg swings" in later(moved)[0]
    # A line of an answer that has been replaced is never said, even if its event comes.
    assert spoken(talk.emit(type(stale)(stale.data["event"], stale.data["data"], stale.context))) == []

    assert "Is it a sharp pain" in spoken(talk.say("it hurts"))[0]
    assert talk.skill.coach.state(talk.sid) == "paused"
    ended = talk.say("I have a sharp pain")
    assert "Stop now; I've ended the routine" in spoken(ended)[0]
    assert not talk.skill.coach.in_conversation(talk.sid) and talk.scheduled == []


def test_stop_goes_through_ovos_stop_and_saves_the_place_for_next_time(croft):
    talk = Talk(croft)
    talk.say("start my leg recovery")
    stopped = talk.say("stop")
    assert f"{SKILL_ID}.stop.response" in kinds(stopped)
    assert any("saved your place" in s for s in spoken(stopped)), spoken(stopped)
    assert not talk.skill.coach.in_conversation(talk.sid)
    # Kept in SQLite under OVOS's data directory, in the skill's own folder.
    db = Path(os.environ["XDG_DATA_HOME"]) / "mycroft" / "filesystem" / "skills" / SKILL_ID / "recovery-coach.sqlite3"
    kept = SQLiteStore(db).get(f"ovos:{talk.site}")
    assert kept is not None and kept["pos"]["state"] == "paused"
    again = talk.say("open recovery coach")
    assert "carry on with brisk walking" in spoken(again)[0]


def test_words_the_coach_does_not_know_are_left_to_other_skills(croft):
    talk = Talk(croft)
    talk.say("start my leg recovery")
    heard = talk.say("turn on the kitchen lights")
    assert spoken(heard) == [] or all("Recovery" not in s for s in spoken(heard))
    assert "skill.converse.pong" in kinds(heard)
    assert [m.data.get("can_handle") for m in heard if m.msg_type == "skill.converse.pong"] == [False]
    assert talk.skill.coach.state(talk.sid) == "active"
