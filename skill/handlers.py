"""What the skill says: one function per intent, each answering in every state.

A turn is plain data in, plain data out (`turn()`), so the conversation logic is tested
and benchmarked without the SDK; skill/alexa.py adapts it to ask-sdk-core.

State lives in two places: session attributes (`pos`, the sequencer cursor; `ask`, the
question waiting for yes or no; `tips`, how many tips were given) and per-user saved
attributes (visits and the last place), so someone who walks away can come back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from content.library import library, normalize
from content.phrases import phrase
from content.planner import DEFAULT_MINUTES, clamp_minutes
from skill.model import slot_types
from speech import sequencer as seq
from speech.sequencer import Position
from speech.ssml import MAX_RESPONSE_SECONDS, prepend, render_part, speak, text
from speech.timing import estimate_seconds

SAVED_VERSION = 1


@dataclass(frozen=True)
class Slot:
    value: str | None = None  # what was heard ("ten minutes", "PT10M", "stretches")
    id: str | None = None  # the slot value id when Alexa resolved it to one of ours


@dataclass
class Ctx:
    """Everything a handler may look at or change during one turn."""

    pos: Position | None
    ask: str | None = None  # "start" | "resume" | "tip": what yes/no would answer
    tips: int = 0
    visits: int = 0
    slots: dict[str, Slot] = field(default_factory=dict)
    note: str = ""  # said first (e.g. that the saved place was lost)

    @property
    def state(self) -> str:
        return "ready" if self.pos is None or self.pos.state == "ready" else self.pos.state


@dataclass(frozen=True)
class Reply:
    ssml: str | None
    reprompt: str | None = None
    end: bool = False


@dataclass(frozen=True)
class TurnResult:
    reply: Reply
    session: dict
    saved: dict


def say(*sentences: str) -> str:
    return speak(text(" ".join(s for s in sentences if s)))


# ---- reading the request -------------------------------------------------------------

_ISO = re.compile(r"^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                  r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
NUMBER_WORDS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "a": 1, "an": 1})
_HALVES = {"half an hour": "thirty minutes", "an hour and a half": "ninety minutes",
           "a minute and a half": "ninety seconds"}
UNITS = {"second": 1, "seconds": 1, "sec": 1, "secs": 1, "minute": 60, "minutes": 60, "min": 60, "mins": 60,
          "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def duration_seconds(value: str) -> float | None:
    """Seconds in an AMAZON.DURATION value: ISO-8601 (PT15M) as Alexa sends it, or the
    raw words test tools send ("ten minutes", "15 min", "half an hour"). None if neither."""
    value = (value or "").strip()
    m = _ISO.match(value.upper())
    if m and value.upper() not in ("P", "PT") and not value.upper().endswith("T"):
        w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return w * 604800 + d * 86400 + h * 3600 + mi * 60 + s
    spoken = normalize(value.replace("-", " "))
    for words, plain in _HALVES.items():
        spoken = spoken.replace(words, plain)
    words = spoken.replace("ninety", "90").split()
    total, number = 0.0, None
    for word in words:
        if word in ("and", "of", "for"):
            continue
        if re.fullmatch(r"\d+(\.\d+)?", word):
            number = (number or 0) + float(word)
        elif word in NUMBER_WORDS:
            number = (number or 0) + NUMBER_WORDS[word]
        elif word in UNITS and number is not None:
            total += number * UNITS[word]
            number = None
        else:
            return None
    return total if number is None and words else None


def plan_minutes(slot: Slot) -> tuple[int, str]:
    """Minutes for the plan and what to say about the request, if anything."""
    if not slot.value:
        return DEFAULT_MINUTES, ""
    seconds = duration_seconds(slot.value)
    if seconds is None:
        return DEFAULT_MINUTES, phrase("skill.duration_unclear", minutes=DEFAULT_MINUTES)
    if seconds <= 0:
        return DEFAULT_MINUTES, phrase("skill.duration_zero", minutes=DEFAULT_MINUTES)
    minutes, note = clamp_minutes(max(1, round(seconds / 60)))
    return minutes, note or ""


def resolve(slot: Slot, type_name: str) -> str | None:
    """The value id a slot means: Alexa's resolution, or the heard words matched against
    the model's values and synonyms (test tools and the chat simulator send raw words)."""
    values = slot_types()[type_name]
    if slot.id in values:
        return slot.id
    heard = normalize(slot.value or "")
    for vid, words in values.items():
        if heard in {normalize(w) for w in words}:
            return vid
    return None


# ---- what to say --------------------------------------------------------------------

def _step_name(pos: Position, index: int | None = None) -> str:
    return pos.script.steps[pos.step if index is None else index].name


def reprompt_for(ctx: Ctx) -> str:
    if ctx.state == "ready":
        return phrase("skill.launch_reprompt")
    if ctx.state == "paused":
        return phrase("skill.paused_reprompt", name=_step_name(ctx.pos))
    if ctx.state == "finished":
        return phrase("skill.finished_reprompt")
    pos = ctx.pos
    if pos.part + 1 < len(seq.parts(pos)):
        return phrase("skill.part_reprompt", name=_step_name(pos))
    if pos.step + 1 >= pos.step_count:
        return phrase("skill.last_reprompt")
    return phrase("skill.active_reprompt", next=_step_name(pos, pos.step + 1))


def answer(ctx: Ctx, *sentences: str, end: bool = False) -> Reply:
    """Plain speech, with a reprompt that fits the state the turn leaves behind."""
    return Reply(say(ctx.note, *sentences), None if end else say(reprompt_for(ctx)), end)


def play(ctx: Ctx, pos: Position, *prefix: str) -> Reply:
    """Speak the current part of the current step, with its timing cues."""
    ctx.pos, ctx.ask = pos, None
    r = render_part(seq.current_part(pos))
    lead = " ".join(p for p in (ctx.note, *prefix) if p)
    ssml = r.ssml
    if lead and r.estimated_seconds + estimate_seconds(lead) <= MAX_RESPONSE_SECONDS:
        ssml = prepend(ssml, lead)
    return Reply(ssml, say(reprompt_for(ctx)))


def duration_words(seconds: float) -> str:
    if seconds < 55:
        return phrase("skill.seconds", count=int(round(seconds / 5) * 5) or 5)
    minutes = round(seconds / 60)
    return phrase("skill.one_minute") if minutes == 1 else phrase("skill.minutes", count=minutes)


def listing(items: list[str], joiner: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f", {joiner} " + items[-1]


def default_position() -> Position:
    return seq.start(DEFAULT_MINUTES)


# ---- the intents --------------------------------------------------------------------

def launch(ctx: Ctx) -> Reply:
    if ctx.pos is not None and ctx.state in ("active", "paused"):
        ctx.ask = "resume"
        return Reply(say(ctx.note, phrase("skill.launch_resume", name=_step_name(ctx.pos))),
                     say(phrase("skill.resume_reprompt")))
    ctx.pos, ctx.ask = None, "start"
    key = "skill.launch_again" if ctx.visits > 1 else "skill.launch_new"
    return answer(ctx, phrase(key, minutes=DEFAULT_MINUTES, disclaimer=library().disclaimer))


def start_routine(ctx: Ctx) -> Reply:
    minutes, minutes_note = plan_minutes(ctx.slots.get("duration", Slot()))
    focus_slot = ctx.slots.get("focus", Slot())
    focus = resolve(focus_slot, "FocusType") if focus_slot.value or focus_slot.id else "full"
    focus_note = "" if focus else phrase("skill.focus_unknown", spoken=focus_slot.value)
    roller_slot = ctx.slots.get("roller", Slot())
    roller = resolve(roller_slot, "RollerType") if roller_slot.value or roller_slot.id else None
    restarting = phrase("skill.new_routine") if ctx.state in ("active", "paused") else ""
    pos = seq.start(minutes, focus or "full", roller != "without")
    return play(ctx, pos, restarting, minutes_note, focus_note)


def not_started(ctx: Ctx) -> Reply:
    ctx.ask = "start"
    return answer(ctx, phrase("skill.not_started", minutes=DEFAULT_MINUTES))


def finished(ctx: Ctx) -> Reply:
    ctx.ask = "tip"
    return answer(ctx, phrase("skill.finished"))


def next_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        return not_started(ctx)
    if ctx.state == "finished":
        return answer(ctx, phrase("skill.last_step_done"))
    pos, outcome = seq.advance(ctx.pos)
    ctx.pos = pos
    return finished(ctx) if outcome == "finished" else play(ctx, pos)


def previous_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        return not_started(ctx)
    pos, outcome = seq.previous_step(ctx.pos)
    return play(ctx, pos, phrase("skill.first_step") if outcome == "at_start" else "")


def repeat_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        return not_started(ctx)
    if ctx.state == "finished":
        return finished(ctx)
    pos, _ = seq.repeat(ctx.pos)
    return play(ctx, pos)


def pause_intent(ctx: Ctx) -> Reply:
    if ctx.state == "paused":
        return answer(ctx, phrase("skill.already_paused", name=_step_name(ctx.pos)))
    if ctx.state != "active":
        return answer(ctx, phrase("skill.nothing_to_pause"), phrase(f"skill.help.{ctx.state}"))
    ctx.pos, _ = seq.pause(ctx.pos)
    return answer(ctx, phrase("skill.paused", name=_step_name(ctx.pos)))


def resume_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        ctx.ask = "start"
        return answer(ctx, phrase("skill.nothing_to_resume", minutes=DEFAULT_MINUTES))
    if ctx.state == "finished":
        return answer(ctx, phrase("skill.last_step_done"))
    pos, _ = seq.resume(ctx.pos)
    return play(ctx, pos)


def start_over_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        return play(ctx, default_position())
    pos, _ = seq.start_over(ctx.pos)
    return play(ctx, pos, phrase("skill.starting_over"))


def help_intent(ctx: Ctx) -> Reply:
    name = _step_name(ctx.pos) if ctx.state in ("active", "paused") else ""
    return answer(ctx, phrase(f"skill.help.{ctx.state}", name=name))


def stop_intent(ctx: Ctx) -> Reply:
    ctx.ask = None
    if ctx.state in ("active", "paused"):
        ctx.pos, _ = seq.pause(ctx.pos)
        return answer(ctx, phrase("skill.stop_saved", name=_step_name(ctx.pos)), end=True)
    return answer(ctx, phrase("skill.goodbye"), end=True)


def fallback_intent(ctx: Ctx) -> Reply:
    reply = help_intent(ctx)
    return Reply(prepend(reply.ssml, phrase("skill.fallback")), reply.reprompt, reply.end)


def yes_intent(ctx: Ctx) -> Reply:
    ask = ctx.ask
    if ask == "resume" and ctx.pos is not None:
        return resume_intent(ctx)
    if ask == "tip" or (ask is None and ctx.state == "finished"):
        return tip_intent(ctx)
    if ask == "start" or ctx.state == "ready":
        return play(ctx, default_position())
    return answer(ctx, phrase("skill.yes_unclear"))


def no_intent(ctx: Ctx) -> Reply:
    ask, ctx.ask = ctx.ask, None
    if ask == "resume":
        ctx.pos = None
        return _offer_start(ctx, phrase("skill.no_to_resume", minutes=DEFAULT_MINUTES))
    if ask == "start":
        return answer(ctx, phrase("skill.no_to_start"))
    if ask == "tip":
        return answer(ctx, phrase("skill.goodbye"), end=True)
    return help_intent(ctx)


def _offer_start(ctx: Ctx, sentence: str) -> Reply:
    ctx.ask = "start"
    return answer(ctx, sentence)


def how_to_intent(ctx: Ctx) -> Reply:
    slot = ctx.slots.get("movement", Slot())
    routine = (ctx.pos or default_position()).script.steps
    if not (slot.value or slot.id):
        return answer(ctx, phrase("skill.howto_missing", example=routine[0].name))
    movement = library().find(slot.value or "") or (
        library().get(slot.id) if slot.id in {m.id for m in library().movements} else None)
    if movement is None:
        examples = listing([s.name for s in routine[:3]], "or")
        return answer(ctx, phrase("skill.howto_unknown", spoken=slot.value, examples=examples))
    how = " ".join([movement.how_to, *movement.cautions])
    return answer(ctx, phrase("skill.howto", name=movement.name.capitalize(), how=how))


def whats_next_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        return answer(ctx, phrase("skill.next_first", next=_step_name(default_position(), 0)))
    if ctx.state == "finished":
        return answer(ctx, phrase("skill.next_none"))
    pos = ctx.pos
    if pos.step + 1 >= pos.step_count:
        return answer(ctx, phrase("skill.next_is_last", name=_step_name(pos).capitalize()))
    return answer(ctx, phrase("skill.next_is", name=_step_name(pos), next=_step_name(pos, pos.step + 1)))


def routine_intent(ctx: Ctx) -> Reply:
    pos = ctx.pos or default_position()
    steps = [phrase("skill.routine_step", name=s.name, duration=duration_words(s.seconds)) for s in pos.script.steps]
    where = (phrase("skill.routine_at", number=pos.step + 1, name=_step_name(pos))
             if ctx.state in ("active", "paused") else "")
    return answer(ctx, phrase("skill.routine", minutes=pos.minutes, steps=listing(steps)), where)


def time_left_intent(ctx: Ctx) -> Reply:
    if ctx.state == "ready":
        return answer(ctx, phrase("skill.left_not_started", minutes=DEFAULT_MINUTES))
    if ctx.state == "finished":
        return answer(ctx, phrase("skill.left_none"))
    left = duration_words(seq.remaining_seconds(ctx.pos))
    return answer(ctx, phrase("skill.left", left=left, name=_step_name(ctx.pos)))


def tip_intent(ctx: Ctx) -> Reply:
    tips = library().tips
    tip = tips[ctx.tips % len(tips)]
    ctx.tips += 1
    ctx.ask = "tip"
    return Reply(say(ctx.note, phrase("skill.tip", text=tip.text), phrase("skill.tip_more")),
                 say(phrase("skill.tip_reprompt")))


def safety_intent(ctx: Ctx) -> Reply:
    """A red flag from the source text: end the routine now and say to see a professional."""
    ctx.pos, ctx.ask = None, None
    flags = listing([f.text for f in library().red_flags], "or")
    return Reply(say(phrase("skill.safety", flags=flags, disclaimer=library().disclaimer)), None, True)


HANDLERS = {
    "LaunchRequest": launch,
    "StartRoutineIntent": start_routine,
    "HowToIntent": how_to_intent,
    "WhatsNextIntent": whats_next_intent,
    "RoutineIntent": routine_intent,
    "TimeLeftIntent": time_left_intent,
    "TipIntent": tip_intent,
    "SafetyIntent": safety_intent,
    "AMAZON.NextIntent": next_intent,
    "AMAZON.PreviousIntent": previous_intent,
    "AMAZON.RepeatIntent": repeat_intent,
    "AMAZON.PauseIntent": pause_intent,
    "AMAZON.ResumeIntent": resume_intent,
    "AMAZON.StartOverIntent": start_over_intent,
    "AMAZON.HelpIntent": help_intent,
    "AMAZON.StopIntent": stop_intent,
    "AMAZON.CancelIntent": stop_intent,
    "AMAZON.NavigateHomeIntent": stop_intent,
    "AMAZON.FallbackIntent": fallback_intent,
    "AMAZON.YesIntent": yes_intent,
    "AMAZON.NoIntent": no_intent,
}


# ---- one turn -----------------------------------------------------------------------

def _saved_position(saved: dict) -> Position | None:
    pos = seq.from_attributes(saved.get("pos"))
    if pos is None or pos.state not in ("active", "paused"):
        return None
    return replace(pos, state="paused")  # they walked away: wait for resume


def turn(name: str, slots: dict[str, Slot], new_session: bool, session: dict | None,
         saved: dict | None) -> TurnResult:
    """Answer one request. `name` is an intent name, "LaunchRequest" or
    "SessionEndedRequest"; unknown intents get the fallback answer."""
    garbled = session is not None and not isinstance(session, dict)
    session = session if isinstance(session, dict) else {}
    saved = saved if isinstance(saved, dict) and saved.get("v") == SAVED_VERSION else {}
    ctx = Ctx(pos=None, slots=slots)
    ctx.visits = _int(saved.get("visits")) + (1 if new_session and name != "SessionEndedRequest" else 0)
    ctx.tips = _int(session.get("tips", saved.get("tips")))
    ask = session.get("ask")
    ctx.ask = ask if ask in ("start", "resume", "tip") else None
    if "pos" in session:
        ctx.pos = seq.from_attributes(session["pos"])
        if ctx.pos is None:
            ctx.note = phrase("skill.lost_place")
    elif garbled:
        ctx.note = phrase("skill.lost_place")
    elif new_session:
        ctx.pos = _saved_position(saved)

    if name == "SessionEndedRequest":
        reply = Reply(None, None, True)
    else:
        reply = HANDLERS.get(name, fallback_intent)(ctx)

    new_session_attrs = {"tips": ctx.tips}
    if ctx.pos is not None:
        new_session_attrs["pos"] = seq.to_attributes(ctx.pos)
    if ctx.ask:
        new_session_attrs["ask"] = ctx.ask
    new_saved = {"v": SAVED_VERSION, "visits": ctx.visits, "tips": ctx.tips,
                 "pos": seq.to_attributes(ctx.pos) if ctx.pos is not None else None}
    return TurnResult(reply, new_session_attrs, new_saved)


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

