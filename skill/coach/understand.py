"""Understanding what a person typed or said, for every front end that hears words itself
(the chat simulator, the laptop listener, an Open Voice OS skill): Alexa does this for the
Echo, these do it here, from the same phrasebook.

It lives in the coach because it knows no platform: it is given the phrasebook (intent
name -> templates in the `(a|b)`, `[x]`, `{slot}` syntax, and each slot's type) and the
words of each slot type, and answers with an intent name, the words heard for each slot
and how sure it is. Two steps, in this order:

1. Strict: hassil (Home Assistant's intent parser) matches the templates exactly, with
   fillers ("ugh", "um", "please", "okay so") skipped.
2. Fuzzy (ours: hassil 3.12 ships no fuzzy matcher; the n-gram one its 3.1 added is not
   in the package): the templates, expanded by hassil with slots as placeholders, are the training
   sentences; the words said are compared with each (weighted by how rare a word is among
   them, and by their order), and the best intent wins if its score reaches THRESHOLD and
   no other intent scores as high. A sentence that negates ("not", "don't") never matches
   a template that does not, and the reverse, so "I'm not dizzy" stops nothing; nor does
   a question ("what does sharp pain mean") match a statement.

Below the threshold, one last look before the fallback: a word that only a warning sign
uses ("swelling", "dizzy"; the caller's `alarms`) raises that sign, unless the words ask or
deny. A sign must never go unheard; a false stop costs a "say start my leg recovery".
Below that, the answer is no intent: the front end's fallback.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # hassil (and the YAML it imports) loads with the first Matcher, not with this module
    from hassil import SlotList, TextSlotList

THRESHOLD = 0.62  # the fuzzy score below which nothing is understood (tests/alexa/test_held_out.py)
UNKNOWN = 1.0  # the weight of a word no template uses ("fire", "today")
MARGIN = 0.04  # the best intent must lead the next by this much, else nothing is understood
ANCHOR_INTENTS = 8  # a fuzzy match shares at least one word that at most this many intents use
# Said around a request and meaning nothing by themselves ("ugh, next please", "okay so what's next").
FILLERS = tuple("ugh ow ouch um umm uh er erm hmm oh ah whoa well so okay ok please hey".split())
SPOKEN = {"nope": "no", "nah": "no", "yep": "yes", "yup": "yes"}  # said for no and yes
# A word a sentence may open with that a phrasing does not ("and next", "then go back", or
# a listener's "for" heard before "go back"): the rest of the words are tried word for word.
LEADING = frozenset({"and", "then", "now", "for", "to", "the", "but"})
# Words that only soften or stress ("a bit", "really"): they never tell one intent from another.
HEDGES = frozenset({"a", "bit", "little", "really", "so", "very", "quite", "too", "just", "kind", "of", "sort"})
# Words that deny or reassure: a fuzzy match must agree on them ("my chest is fine" is no chest pain).
NEGATIONS = frozenset(
    {"not", "no", "dont", "doesnt", "isnt", "arent", "never", "nothing", "didnt", "wont", "nor", "cant", "cannot"}
    | {"couldnt", "havent", "hasnt", "wasnt", "aint"}
    | {"fine", "better", "good", "great", "alright", "gone"}
)
QUESTION_WORDS = frozenset(
    {"what", "whats", "why", "when", "how", "hows", "does", "do", "is", "should", "will", "where", "which"}
)
WILDCARD_TYPES = frozenset({"MovementType"})  # any words: an unknown movement still gets an answer


@dataclass(frozen=True)
class Heard:
    """What was understood: an intent name (None: nothing, the fallback), the words heard
    for each slot, how sure (1.0 for a strict match) and whether it was strict."""

    intent: str | None
    slots: dict[str, str] = field(default_factory=dict)
    confidence: float = 0.0
    strict: bool = False


def words(text: str) -> list[str]:
    """Text as the matcher compares it: lower case, no apostrophes, letters and digits, and
    the spoken forms of yes and no ("nope", "yep") as the words themselves."""
    kept = "".join(c if c.isalnum() else " " for c in text.lower().replace("'", "").replace("\u2019", ""))
    return [SPOKEN.get(w, w) for w in kept.split()]


class Matcher:
    """A phrasebook made ready to match: `intents` is {name: {"samples": [...], "slots":
    {slot: type}}}, `types` is {type: {value id: [words...]}}; `phrases` the words a slot of
    any other type accepts, by type (durations, times)."""

    def __init__(
        self, intents: Mapping[str, Mapping[str, object]], types: Mapping[str, Mapping[str, Sequence[str]]],
        phrases: Mapping[str, Iterable[str]], alarms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:  # fmt: skip
        """`alarms`: {intent name: word beginnings}, the warning signs heard by a word alone."""
        self._alarms = {name: tuple(stems) for name, stems in (alarms or {}).items() if name in intents}
        self._slot_types = _slot_types(intents)
        from hassil import Intents, TextSlotList, WildcardSlotList

        lists: dict[str, SlotList] = {}
        for slot, type_name in self._slot_types.items():
            if type_name in WILDCARD_TYPES:
                lists[slot] = WildcardSlotList(slot)
            else:
                said = types[type_name].values() if type_name in types else [phrases.get(type_name, ())]
                values = sorted({" ".join(words(w)) for ws in said for w in ws})
                lists[slot] = TextSlotList.from_strings(values, allow_template=False, name=slot)
        self._lists = lists
        # The values a wildcard slot knows ("pigeon pose"): a strict match naming one stands.
        self._known = {" ".join(words(w)) for t in WILDCARD_TYPES for ws in types.get(t, {}).values() for w in ws}
        templates = {name: [_template(s) for s in _samples(spec)] for name, spec in intents.items()}
        data = {name: {"data": [{"sentences": ts}]} for name, ts in templates.items() if ts}
        self._intents = Intents.from_dict({"language": "en", "intents": data})
        self._fuzzy = _Fuzzy(templates, {slot: lst for slot, lst in lists.items() if isinstance(lst, TextSlotList)})

    def __call__(self, text: str) -> Heard:
        said = " ".join(words(text))
        if not said:
            return Heard(None)
        strict = self._strict(said)
        opened = said.split()
        while strict is None and len(opened) > 1 and opened[0] in LEADING:
            opened = opened[1:]
            strict = self._strict(" ".join(opened))
        if strict is not None:
            return strict
        heard = self._fuzzy.best(said)
        return heard if heard.intent is not None else self._alarm(said.split()) or heard

    def _strict(self, said: str) -> Heard | None:
        """A phrasing's match, word for word (fillers aside), or None."""
        from hassil import recognize_best

        found = recognize_best(said, self._intents, slot_lists=self._lists, skip_words=FILLERS, language="en")
        if found is None:
            return None
        slots = {name: str(e.text).strip() for name, e in found.entities.items() if str(e.text).strip()}
        strict = Heard(found.intent.name, slots, 1.0, True)
        if all(not e.is_wildcard or " ".join(words(str(e.text))) in self._known for e in found.entities.values()):
            return strict
        # A wildcard took any words ("what are {we doing today}"): a fuzzy match of
        # another intent knows better; else the wildcard stands (an unknown movement).
        fuzzy = self._fuzzy.best(said)
        return fuzzy if fuzzy.intent not in (None, strict.intent) else strict

    def _alarm(self, tokens: list[str]) -> Heard | None:
        """The warning sign a word of it raises, when the words neither ask nor deny."""
        if _asks([t for t in tokens if t not in FILLERS]) or NEGATIONS & set(tokens):
            return None
        for name, stems in self._alarms.items():
            if any(t.startswith(stem) for t in tokens for stem in stems):
                return Heard(name, {}, THRESHOLD)
        return None


def _asks(tokens: Sequence[str]) -> bool:
    """Whether words are a question ("what does sharp pain mean" is not a sharp pain)."""
    return bool(tokens) and tokens[0] in QUESTION_WORDS


def _slot_types(intents: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """{slot name: type} across the phrasebook; a slot name means one type everywhere."""
    out: dict[str, str] = {}
    for name, spec in intents.items():
        slots = spec.get("slots") or {}
        assert isinstance(slots, dict)
        for slot, type_name in slots.items():
            if out.setdefault(slot, type_name) != type_name:
                raise ValueError(f"{name}: slot '{slot}' is {type_name} here and {out[slot]} elsewhere")
    return out


def _samples(spec: Mapping[str, object]) -> list[str]:
    samples = [*(spec.get("samples") or []), *(spec.get("understood") or [])]  # type: ignore[misc]
    return [s for s in samples if isinstance(s, str)]


def _template(sample: str) -> str:
    """A phrasebook line as hassil reads it: the same syntax, apostrophes dropped as `words` does."""
    return sample.lower().replace("'", "").replace("\u2019", "")


class _Fuzzy:
    """The fuzzy step: every template expanded, slots as placeholder words ("<area>")."""

    def __init__(self, templates: Mapping[str, list[str]], lists: Mapping[str, TextSlotList]) -> None:
        from hassil import parse_sentence, sample_expression

        self.sentences: list[tuple[str, tuple[str, ...]]] = []
        for name, ts in templates.items():
            for t in ts:
                for s in sample_expression(parse_sentence(t).expression, expand_lists=False):
                    tokens = tuple(re.sub(r"\{(\w+)\}", r"<\1>", s).split())
                    if tokens:
                        self.sentences.append((name, tokens))
        self.sentences = list(dict.fromkeys(self.sentences))
        # A word's weight: how few intents use it (a word of one intent says the most).
        counts = Counter(w for name, toks in set((n, w) for n, ts in self.sentences for w in ts) for w in [toks])
        n = len(templates)
        self.weight = {w: math.log(1 + n / c) for w, c in counts.items()}
        self.weight.update(dict.fromkeys(HEDGES, min(self.weight.values())))
        self.anchor = math.log(1 + n / ANCHOR_INTENTS)
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, (_, toks) in enumerate(self.sentences):
            for w in set(toks):
                self.index[w].append(i)
        # Slot values, longest first, to replace by their placeholder in what was said.
        phrases: dict[str, list[str]] = defaultdict(list)
        for slot, lst in lists.items():
            for v in lst.values:
                phrases[str(v.text_in.text)].append(slot)  # type: ignore[attr-defined]
        self.values = sorted(phrases.items(), key=lambda p: -len(p[0]))

    def best(self, said: str) -> Heard:
        """The best intent for the words with slot values read as slots; failing that, for
        the words as said ("is tomorrow a recovery day": not every "tomorrow" is a day)."""
        heard = self._best(self._readings(said))
        return heard if heard.intent is not None else self._best([(said.split(), {})])

    def _best(self, readings: list[tuple[list[str], dict[str, str]]]) -> Heard:
        scores: dict[str, tuple[float, dict[str, str]]] = {}
        for tokens, slots in readings:
            tokens = [t for t in tokens if t not in FILLERS] or tokens
            for i in {i for w in set(tokens) for i in self.index.get(w, ())}:
                name, cand = self.sentences[i]
                if (NEGATIONS & set(tokens)) != (NEGATIONS & set(cand)) or _asks(tokens) > _asks(cand):
                    continue
                score = self._score(tokens, cand)
                if score > scores.get(name, (0.0, {}))[0]:
                    scores[name] = score, {k: v for k, v in slots.items() if f"<{k}>" in cand}
        ranked = sorted(scores.items(), key=lambda p: -p[1][0])
        top = ranked[0][1][0] if ranked else 0.0
        if top < THRESHOLD or (len(ranked) > 1 and top - ranked[1][1][0] < MARGIN):
            return Heard(None, {}, top)
        return Heard(ranked[0][0], ranked[0][1][1], top)

    def _readings(self, said: str) -> list[tuple[list[str], dict[str, str]]]:
        """The words said with slot values as placeholders: one reading per slot a value
        may fill ("calves" is an area and a body part), at most a few."""
        readings: list[tuple[str, dict[str, str]]] = [(f" {said} ", {})]
        for value, slots in self.values:
            if f" {value} " not in readings[0][0]:
                continue
            filled = [
                (text.replace(f" {value} ", f" <{slot}> ", 1), {**got, slot: value})
                for text, got in readings
                for slot in slots
                if slot not in got
            ]
            readings = filled[:8] or readings
        return [(text.split(), got) for text, got in readings]

    def _score(self, said: list[str], cand: tuple[str, ...]) -> float:
        """Weighted overlap (an F-measure over rare words) times how much of the order agrees."""
        w = self.weight
        common = set(said) & set(cand)
        hit = sum(w.get(t, UNKNOWN) for t in common)
        recall = hit / sum(w.get(t, UNKNOWN) for t in set(cand))
        precision = hit / sum(w.get(t, UNKNOWN) for t in set(said))
        telling = max((w.get(t, 0.0) for t in common - NEGATIONS), default=0.0)
        if telling < self.anchor:
            return 0.0  # nothing in common that few intents use: "I feel great" is not "I feel pain"
        if max((w.get(t, 0.0) for t in set(said) - common), default=0.0) > telling:
            return 0.0  # the telling word said is not in it: "I don't want to stop" is no skip
        f = 2 * precision * recall / (precision + recall)
        order = SequenceMatcher(None, said, cand, autojunk=False).ratio()
        return 0.8 * f + 0.2 * order
