"""The language the listener expects: a small bigram model, written as ARPA text, in which
a command is the wake word and a phrase from the coach's phrasebook, and anything else is
everyday English.

Why a model of both: a grammar of commands alone forces every sound into a command ("the
weather is nice today" became "repeat"), and a grammar with a loop of filler words made the
decoder hundreds of times slower than real time. A bigram model over the wake word, the
command phrases and the most common English words (from the general model that ships with
the recognizer) decodes faster than real time and lets speech that is not a command come
out as the everyday words it is, which the gate then ignores.

Must stay true: every word in the model is in the recognizer's dictionary (the caller
passes the dictionary's words); half the start-of-sentence mass goes to the wake word,
so a command is likely but never forced.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

WAKE = "coach"
DISCOUNT = 0.7  # absolute discount of every seen bigram; what it frees backs off to the unigrams
COMMAND_SHARE = 0.5  # of sentence starts, the share that is the wake word
EXPANSIONS = 40  # at most this many sentences from one template (slots and alternatives multiply)
_TOKEN = re.compile(r"\(|\)|\[|\]|\||\{\w+\}|[a-z']+")


def expand(template: str, slots: Mapping[str, Sequence[str]], limit: int = EXPANSIONS) -> list[str]:
    """The sentences a template says, `(a|b)` and `[x]` spelled out and each `{slot}` one of
    its values, at most `limit` of them, evenly spaced (so each alternative has its turn)."""
    tokens = _TOKEN.findall(template.lower())
    out, _ = _sequence(tokens, 0, slots, limit)
    said = [" ".join(s.split()) for s in out if s.strip()]
    return said[:: max(1, len(said) // limit)][:limit]


def _sequence(tokens: list[str], i: int, slots: Mapping[str, Sequence[str]], limit: int) -> tuple[list[str], int]:
    """Sentences of tokens[i:] up to a closing bracket or `|`; returns them and where it stopped."""
    said = [""]
    while i < len(tokens) and tokens[i] not in (")", "]", "|"):
        tok = tokens[i]
        if tok in "([":
            options, i = _choice(tokens, i + 1, slots, limit)
            if tok == "[":
                options = ["", *options]
        else:
            options = list(slots.get(tok[1:-1], ())) if tok.startswith("{") else [tok]
            i += 1
        said = _product(said, options, limit)
    return said, i


def _choice(tokens: list[str], i: int, slots: Mapping[str, Sequence[str]], limit: int) -> tuple[list[str], int]:
    options: list[str] = []
    while True:
        part, i = _sequence(tokens, i, slots, limit)
        options += part
        if i >= len(tokens) or tokens[i] in (")", "]"):
            return options, i + 1
        i += 1  # past "|"


def _product(heads: list[str], tails: list[str], limit: int) -> list[str]:
    """Every head with every tail; past a few times `limit`, evenly spaced ones of them."""
    out = list(dict.fromkeys(f"{h} {t}" for h in heads for t in tails))
    step = max(1, len(out) // (limit * 4))
    return out[::step]


def arpa(commands: Mapping[str, Sequence[str]], everyday: Sequence[tuple[str, float]]) -> str:
    """A bigram model in ARPA text: `commands` (for each intent, the sentences said after
    the wake word) and `everyday` words with their unigram probabilities (sentences of any
    of them). Each intent weighs the same, however many ways it can be said: "next" is as
    likely as all the ways of naming a sharp pain together."""
    bigrams: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    unigrams: dict[str, float] = defaultdict(float)
    said = {name: list(dict.fromkeys(s)) for name, s in commands.items() if s}
    for sentences in said.values():
        weight = 1.0 / len(said) / len(sentences)  # together, the intents make one sentence start
        for sentence in sentences:
            seq = ["<s>", WAKE, *sentence.split(), "</s>"]
            for a, b in zip(seq, seq[1:]):
                bigrams[a][b] += weight
                unigrams[b] += weight
    total_everyday = sum(p for _, p in everyday) or 1.0
    for word, p in everyday:  # as much everyday speech as commands, spread by how common a word is
        share = p / total_everyday
        bigrams["<s>"][word] += share * COMMAND_SHARE / (1 - COMMAND_SHARE)
        unigrams[word] += share * 4  # everyday words run on for a few words a sentence
    unigrams["</s>"] += 1.0
    uni_total = sum(unigrams.values())
    p_uni = {w: c / uni_total for w, c in unigrams.items()}
    lines_1 = [f"-99.0000 <s> {_backoff(bigrams['<s>'], p_uni):.4f}"]
    lines_2 = []
    for w in sorted(p_uni):
        bow = f" {_backoff(bigrams[w], p_uni):.4f}" if w in bigrams else ""
        lines_1.append(f"{math.log10(p_uni[w]):.4f} {w}{bow}")
    for a in sorted(bigrams):
        seen = bigrams[a]
        total = sum(seen.values())
        for b in sorted(seen):
            lines_2.append(f"{math.log10(max(seen[b] - DISCOUNT * min(seen[b], 1), 1e-9) / total):.4f} {a} {b}")
    head = f"\\data\\\nngram 1={len(lines_1)}\nngram 2={len(lines_2)}\n"
    return head + "\n\\1-grams:\n" + "\n".join(lines_1) + "\n\n\\2-grams:\n" + "\n".join(lines_2) + "\n\n\\end\\\n"


def _backoff(seen: Mapping[str, float], p_uni: Mapping[str, float]) -> float:
    """log10 of the weight that makes a word's bigrams and its backed-off unigrams sum to one."""
    total = sum(seen.values())
    kept = sum(max(c - DISCOUNT * min(c, 1), 1e-9) for c in seen.values()) / total
    covered = sum(p_uni.get(w, 0.0) for w in seen)
    return math.log10(max(1 - kept, 1e-9) / max(1 - covered, 1e-9))


def fsg(sentences: Sequence[str], name: str = "commands") -> str:
    """A finite-state grammar (pocketsphinx's FSG text) of the wake word followed by exactly
    one of `sentences`: a tree of their words, each branch as likely as its siblings, with
    the states whose futures are the same merged (sentences ending alike share their ends),
    which leaves the sentences and their probabilities as they were and the search smaller."""
    children: dict[int, dict[str, int]] = defaultdict(dict)
    ends: set[int] = set()
    count = 2  # state 0 the start, 1 after the wake word
    for sentence in dict.fromkeys(sentences):
        at = 1
        for word in sentence.split():
            if word not in children[at]:
                children[at][word], count = count, count + 1
            at = children[at][word]
        ends.add(at)
    merged: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
    same: dict[int, int] = {}
    for state in range(count - 1, 0, -1):  # children are numbered after their parents
        future = (state in ends, tuple(sorted((w, same[c]) for w, c in children.get(state, {}).items())))
        same[state] = merged.setdefault(future, len(merged) + 1)
    final = len(merged) + 1
    lines = [f"TRANSITION 0 {same[1]} 1.0 {WAKE}"]
    for (is_end, out_words), state in sorted(merged.items(), key=lambda kv: kv[1]):
        out = [(f" {word}", to) for word, to in out_words] + ([("", final)] if is_end else [])
        lines += [f"TRANSITION {state} {to} {1 / len(out):.6f}{word}" for word, to in out]
    head = [f"FSG_BEGIN {name}", f"NUM_STATES {final + 1}", "START_STATE 0", f"FINAL_STATE {final}"]
    return "\n".join([*head, *lines, "FSG_END", ""])
