"""What a person can ask the coach, in the coach's own words.

Every front end maps what it heard (an Alexa intent, a typed or spoken sentence, an Open
Voice OS intent) to one `Ask`; the conversation never sees a platform's names.
"""

from __future__ import annotations

from enum import StrEnum


class Ask(StrEnum):
    """One thing a person asks; the value is the name a phrasebook may use for it."""

    LAUNCH = "Launch"  # the coach was opened without a request
    START_ROUTINE = "StartRoutine"
    HOW_TO = "HowTo"
    CURRENT_MOVEMENT = "CurrentMovement"
    WHATS_NEXT = "WhatsNext"
    ROUTINE = "Routine"
    TIME_LEFT = "TimeLeft"
    TIP = "Tip"
    TOO_HARD = "TooHard"
    SKIP = "Skip"
    SORENESS = "Soreness"
    PAIN = "Pain"
    SHARP_PAIN = "SharpPain"
    LASTING_PAIN = "LastingPain"
    SWELLING = "Swelling"
    CANNOT_BEAR_WEIGHT = "CannotBearWeight"
    WORSENING_PAIN = "WorseningPain"
    # Warning signs beyond the source text (content/data/advice.yaml, warning_signs).
    DIZZY = "Dizzy"
    CHEST_PAIN = "ChestPain"
    FAINT = "Faint"
    BREATHLESS = "Breathless"
    NUMBNESS = "Numbness"
    SWOLLEN_CALF = "SwollenCalf"
    # Questions the source text answers (content/data/advice.yaml, answers).
    ABOUT_DOMS = "AboutDoms"
    WHY_RECOVERY = "WhyRecovery"
    WHEN_TO_RECOVER = "WhenToRecover"
    HOW_LONG_HARD = "HowLongHard"
    WATER = "Water"
    SLEEP_FOOD = "SleepFood"
    SORENESS_OR_INJURY = "SorenessOrInjury"
    ITS_FINE = "ItsFine"  # "no, it's fine": an answer to the coach's questions
    # Changing the routine while in it (skill/coach/changes.py).
    SHORTER = "Shorter"
    SKIP_PART = "SkipPart"
    WHICH_SIDE = "WhichSide"
    SAME_AS_LAST_TIME = "SameAsLastTime"
    EASIER = "Easier"
    SLOWER = "Slower"
    SAY_AGAIN = "SayAgain"  # "wait, what?": the last cue, where REPEAT is the whole part
    NO_FOAM_ROLLER = "NoFoamRoller"
    HAVE_FOAM_ROLLER = "HaveFoamRoller"
    PREFER_CARDIO = "PreferCardio"
    PREFER_FOCUS = "PreferFocus"
    PREFER_MINUTES = "PreferMinutes"
    FORGET_ME = "ForgetMe"
    WEEK_HISTORY = "WeekHistory"
    STEP_BY_STEP = "StepByStep"
    STRAIGHT_THROUGH = "StraightThrough"
    NEXT = "Next"
    PREVIOUS = "Previous"
    REPEAT = "Repeat"
    PAUSE = "Pause"
    RESUME = "Resume"
    START_OVER = "StartOver"
    HELP = "Help"
    STOP = "Stop"
    CANCEL = "Cancel"
    HOME = "Home"
    YES = "Yes"
    NO = "No"
    LOOP_ON = "LoopOn"
    LOOP_OFF = "LoopOff"
    SHUFFLE_ON = "ShuffleOn"
    SHUFFLE_OFF = "ShuffleOff"
    REMIND_ME = "RemindMe"  # "remind me tomorrow", "remind me on Saturday at ten"
    REMIND_WEEKLY = "RemindWeekly"  # "remind me every Tuesday at seven"
    DID_LEGS = "DidLegs"  # "I did legs today": offers a reminder for the rest day
    REMINDER_ALLOWED = "ReminderAllowed"  # the person allowed reminders when asked (slot "reminder")
    REMINDER_REFUSED = "ReminderRefused"  # ... or did not
    UNCLEAR = "Unclear"  # heard, but not understood: the fallback answer
    GONE_QUIET = "GoneQuiet"  # the conversation ended without a word (or by an error)


RED_FLAGS = (Ask.SHARP_PAIN, Ask.LASTING_PAIN, Ask.SWELLING, Ask.CANNOT_BEAR_WEIGHT, Ask.WORSENING_PAIN)
# Each ends the routine in any state, as a red flag does, with its own advice from the data.
WARNING_SIGNS = (Ask.DIZZY, Ask.CHEST_PAIN, Ask.FAINT, Ask.BREATHLESS, Ask.NUMBNESS, Ask.SWOLLEN_CALF)
STOPS_THE_ROUTINE = (*RED_FLAGS, *WARNING_SIGNS)
