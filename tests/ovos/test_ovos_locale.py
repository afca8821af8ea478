"""The OVOS skill's locale files come from the coach's phrasebook: `model --write` writes
them, and `model --check` fails when one has drifted."""

from __future__ import annotations

from skill.coach.asks import Ask
from skill.ovos import locale


def test_the_committed_files_match_the_phrasebook():
    assert locale.drift() == []


def test_an_edited_or_stray_locale_file_is_reported(tmp_path):
    generated = locale.generated()
    locale.write(generated, tmp_path)
    assert locale.drift(generated, tmp_path) == []
    intent = tmp_path / "locale" / "en-us" / "StartRoutine.intent"
    intent.write_text(intent.read_text() + "start my jogging\n")
    (tmp_path / "locale" / "en-us" / "Dance.intent").write_text("dance\n")
    assert locale.drift(generated, tmp_path) == [
        "skill/ovos/locale/en-us/StartRoutine.intent differs from its source; run recovery-coach model --write",
        "skill/ovos/locale/en-us/Dance.intent is not generated; run recovery-coach model --write",
    ]
    locale.write(generated, tmp_path)  # --write puts it right and removes what is not generated
    assert locale.drift(generated, tmp_path) == []


def test_every_ask_is_heard_on_ovos_or_left_out_with_a_reason():
    heard = set(locale.phrasebook()["intents"])
    never = {Ask.GONE_QUIET, Ask.REMINDER_ALLOWED, Ask.REMINDER_REFUSED}  # no words: OVOS events or Alexa's answers
    assert {a.value for a in Ask} - heard - {a.value for a in never} == {a.value for a in locale.LEFT_OUT}
    stems = {p.stem for p in locale.LOCALE.glob("*.intent")}
    assert stems == {"Launch", "StartRoutine", "warning_signs"}
