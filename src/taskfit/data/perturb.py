"""Seeded perturbations of test texts, for robustness tests.

Each perturbation rewrites one text; labels are never touched. The output depends only
on ``(text, kind, seed)``: a :class:`random.Random` is seeded from the sha256 of the
three (not from Python's per-process salted ``hash()``), so a text is perturbed the same
way in every run and whatever other texts share its test set, in whatever order.
No perturbation returns an empty text: when one would, the original text is returned.
A perturbation can leave a text unchanged (e.g. ``entity-swap`` on a text without
numbers or names); callers count how many texts changed.

The perturbations (``PERTURBATIONS``; one line each in ``DESCRIPTIONS``):

``typos``
    Character noise. Candidates are runs of 4 or more letters (digits, ``_`` and
    punctuation end a run, so "don't" holds no candidate); each is picked with
    probability 1/6, and one at random is picked when none was (a text with a candidate
    always gets at least one typo). A picked word gets one edit, never on its first
    letter: swap two adjacent different letters, drop a letter, duplicate a letter, or
    replace a letter with a neighbour on a QWERTY keyboard (case kept). Each edit
    changes the word's length by at most one; shorter words, whitespace, digits and
    punctuation are left alone.
``casing``
    The whole text in lower case, or in UPPER CASE for about one text in three. When the
    chosen case would leave the text unchanged (it is already all lower case, say), the
    other case is used.
``no-punct``
    Every Unicode punctuation character (categories P*: ``. , ; : ! ? ' " ( ) [ ] { } #
    @ & * % …``) is removed; dashes, underscores and slashes become spaces first
    ("state-of-the-art" becomes "state of the art", "don't" becomes "dont"). Symbols
    such as ``$ + = < > | ~`` are kept. Runs of whitespace (newlines included) are then
    collapsed to one space and the ends stripped.
``word-dropout``
    The text is split on whitespace and each word is dropped with probability 0.1; at
    least one word is always kept and a text of one word is unchanged. When a word is
    dropped the remaining words are joined by single spaces, in their original order.
``distractor``
    One sentence drawn from ``DISTRACTORS`` (22 neutral sentences about the weather,
    greetings and sign-offs, free of sentiment words, that name no label) is appended
    after a space; the original text is kept verbatim as the prefix.
``entity-swap``
    Every run of ASCII digits becomes a different run of the same length (a leading
    non-zero digit stays non-zero), so numbers keep their digit count and codes like
    ``NW-48213`` keep their letters but get new digits. Capitalised whole-word
    occurrences of the built-in first names (``FIRST_NAMES``, 42) and city names
    (``CITIES``, 22) are swapped for another name of the same list that does not already
    occur in the text. The same number or name is replaced the same way throughout a
    text. Texts with no digits and none of these names are unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from taskfit.errors import UsageError
from taskfit.types import Example

__all__ = [
    "CITIES",
    "DESCRIPTIONS",
    "DISTRACTORS",
    "FIRST_NAMES",
    "PERTURBATIONS",
    "export_perturbed",
    "parse_perturbations",
    "perturb",
    "perturb_examples",
]

PERTURBATIONS: tuple[str, ...] = (
    "typos",
    "casing",
    "no-punct",
    "word-dropout",
    "distractor",
    "entity-swap",
)

DESCRIPTIONS: dict[str, str] = {
    "typos": (
        "character noise: in about 1 word in 6 (words of 4+ letters; at least one per text "
        "that has one), swap two adjacent letters, drop, duplicate or replace a letter with "
        "a keyboard neighbour"
    ),
    "casing": "all lower case, or ALL UPPER CASE for one text in three",
    "no-punct": (
        "punctuation removed (dashes, underscores and slashes become spaces), whitespace collapsed"
    ),
    "word-dropout": (
        "each word dropped with probability 0.1 (at least one word kept; texts of one word "
        "unchanged)"
    ),
    "distractor": (
        "an irrelevant sentence appended, drawn from a fixed list of 22 neutral sentences "
        "(weather, greetings, sign-offs) that name no label"
    ),
    "entity-swap": (
        "numbers replaced by different numbers with the same digit count, codes like "
        "NW-48213 get new digits, capitalised names from a built-in list of 42 common first "
        "names and 22 city names swapped for others from the same list; texts with none are "
        "unchanged"
    ),
}

#: Sentences appended by ``distractor``: neutral, no sentiment words, no label names.
DISTRACTORS: tuple[str, ...] = (
    "It was cloudy this morning.",
    "The forecast says it may rain later.",
    "It is a bit windy outside today.",
    "The temperature is about the same as yesterday.",
    "There was some fog early in the day.",
    "The sky was grey this afternoon.",
    "It snowed a little last night.",
    "The sun set at the usual time.",
    "Hello.",
    "Hi there.",
    "Hello again.",
    "Hello from the office.",
    "Just a note before the weekend.",
    "Writing this on a Tuesday.",
    "I am typing this on a laptop.",
    "Sent from my phone.",
    "Regards.",
    "Talk later.",
    "See you.",
    "That is all for now.",
    "More details to follow.",
    "Bye for now.",
)

#: First names swapped by ``entity-swap`` (no names that are also common words).
FIRST_NAMES: tuple[str, ...] = (
    "James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas",
    "Daniel", "Matthew", "Anthony", "Steven", "Paul", "Andrew", "Joshua", "Kevin",
    "Brian", "George", "Edward", "Peter", "Mary", "Patricia", "Jennifer", "Linda",
    "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Nancy", "Lisa",
    "Emily", "Laura", "Anna", "Maria", "Sophie", "Olivia", "Emma", "Hannah",
    "Rachel", "Chloe",
)  # fmt: skip

#: City names swapped by ``entity-swap``.
CITIES: tuple[str, ...] = (
    "London", "Paris", "Berlin", "Madrid", "Rome", "Tokyo", "Sydney", "Toronto",
    "Chicago", "Boston", "Dublin", "Vienna", "Prague", "Lisbon", "Amsterdam", "Seattle",
    "Denver", "Mumbai", "Cairo", "Oslo", "Warsaw", "Athens",
)  # fmt: skip

_TYPO_RATE = 1 / 6
_UPPER_RATE = 1 / 3
_DROPOUT_RATE = 0.1

_KEYBOARD = {
    "q": "wa", "w": "qeas", "e": "wrsd", "r": "etdf", "t": "ryfg", "y": "tugh",
    "u": "yihj", "i": "uojk", "o": "ipkl", "p": "ol", "a": "qwsz", "s": "awedxz",
    "d": "serfcx", "f": "drtgvc", "g": "ftyhbv", "h": "gyujnb", "j": "huikmn",
    "k": "jiolm", "l": "kop", "z": "asx", "x": "zsdc", "c": "xdfv", "v": "cfgb",
    "b": "vghn", "n": "bhjm", "m": "njk",
}  # fmt: skip

_LETTER_RUN = re.compile(r"[^\W\d_]{4,}")
_WHITESPACE = re.compile(r"\s+")
_ENTITY = re.compile(
    r"(?P<num>[0-9]+)"
    r"|\b(?P<name>" + "|".join(FIRST_NAMES) + r")\b"
    r"|\b(?P<city>" + "|".join(CITIES) + r")\b"
)


def _rng(text: str, kind: str, seed: int) -> random.Random:
    blob = json.dumps([seed, kind, text], ensure_ascii=False).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(blob).digest()[:8], "big"))


# --- the perturbations ------------------------------------------------------------------


def _typo(word: str, rng: random.Random) -> str:
    """One edit of ``word`` (4+ letters), never on its first letter."""
    op = rng.choice(("swap", "drop", "duplicate", "replace"))
    if op == "swap":
        spots = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
        if spots:
            i = rng.choice(spots)
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        op = "duplicate"
    if op == "replace":
        spots = [i for i in range(1, len(word)) if word[i].lower() in _KEYBOARD]
        if spots:
            i = rng.choice(spots)
            new = rng.choice(_KEYBOARD[word[i].lower()])
            return word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]
        op = "drop"
    i = rng.randrange(1, len(word))
    if op == "drop":
        return word[:i] + word[i + 1 :]
    return word[: i + 1] + word[i:]  # duplicate


def _typos(text: str, rng: random.Random) -> str:
    spans = [m.span() for m in _LETTER_RUN.finditer(text)]
    if not spans:
        return text
    picked = [s for s in spans if rng.random() < _TYPO_RATE] or [rng.choice(spans)]
    out, last = [], 0
    for start, end in picked:
        out += [text[last:start], _typo(text[start:end], rng)]
        last = end
    out.append(text[last:])
    return "".join(out)


def _casing(text: str, rng: random.Random) -> str:
    first, other = (text.upper(), text.lower())
    if rng.random() >= _UPPER_RATE:
        first, other = other, first
    return first if first != text else other


def _no_punct(text: str, rng: random.Random) -> str:
    chars = []
    for c in text:
        cat = unicodedata.category(c)
        if cat in ("Pd", "Pc") or c == "/":
            chars.append(" ")
        elif not cat.startswith("P"):
            chars.append(c)
    return _WHITESPACE.sub(" ", "".join(chars)).strip()


def _word_dropout(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 2:
        return text
    kept = [w for w in words if rng.random() >= _DROPOUT_RATE] or [rng.choice(words)]
    return text if len(kept) == len(words) else " ".join(kept)


def _distractor(text: str, rng: random.Random) -> str:
    sep = "" if text[-1:].isspace() else " "
    return text + sep + rng.choice(DISTRACTORS)


def _new_number(digits: str, rng: random.Random) -> str:
    if len(digits) == 1:
        return rng.choice([d for d in "0123456789" if d != digits])
    while True:
        head = "0" if digits[0] == "0" else rng.choice("123456789")
        new = head + "".join(rng.choice("0123456789") for _ in digits[1:])
        if new != digits:
            return new


def _entity_swap(text: str, rng: random.Random) -> str:
    present = {m.group() for m in _ENTITY.finditer(text)}
    mapping: dict[str, str] = {}

    def swap(m: re.Match[str]) -> str:
        old = m.group()
        if old not in mapping:
            if m.group("num") is not None:
                mapping[old] = _new_number(old, rng)
            else:
                pool = FIRST_NAMES if m.group("name") is not None else CITIES
                taken = present | set(mapping.values())
                choices = [x for x in pool if x not in taken] or [x for x in pool if x != old]
                mapping[old] = rng.choice(choices)
        return mapping[old]

    return _ENTITY.sub(swap, text)


_FUNCS = {
    "typos": _typos,
    "casing": _casing,
    "no-punct": _no_punct,
    "word-dropout": _word_dropout,
    "distractor": _distractor,
    "entity-swap": _entity_swap,
}


# --- public API -------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in _FUNCS:
        raise ValueError(f"unknown perturbation {kind!r}; valid: {', '.join(PERTURBATIONS)}")


def perturb(text: str, kind: str, seed: int) -> str:
    """``text`` with the perturbation ``kind`` applied; the same for the same arguments.

    Never returns an empty text (the original is returned instead). An unknown ``kind``
    raises :class:`ValueError`.

    >>> perturb("Call me at 555-0199", "entity-swap", 0) != "Call me at 555-0199"
    True
    >>> perturb("Hello, world!", "no-punct", 0)
    'Hello world'
    >>> perturb("hello", "typos", 7) == perturb("hello", "typos", 7)
    True
    """
    _check_kind(kind)
    out = _FUNCS[kind](text, _rng(text, kind, seed))
    return out if out.strip() else text


def perturb_examples(examples: Sequence[Example], kind: str, seed: int) -> tuple[Example, ...]:
    """``examples`` with ``text`` and ``text_pair`` (when set) perturbed; labels and every
    other field kept.

    >>> ex = perturb_examples([Example("Good, thanks!", "pos")], "no-punct", 0)
    >>> ex[0].text, ex[0].label
    ('Good thanks', 'pos')
    """
    _check_kind(kind)
    return tuple(
        replace(
            e,
            text=perturb(e.text, kind, seed),
            text_pair=None if e.text_pair is None else perturb(e.text_pair, kind, seed),
        )
        for e in examples
    )


def parse_perturbations(text: str | Sequence[str]) -> tuple[str, ...]:
    """Perturbation names from a comma-separated string (or several); ``all`` is every
    kind. Names are case-insensitive, ``_`` may stand for ``-`` and duplicates are
    dropped. An unknown name raises :class:`~taskfit.errors.UsageError`.

    >>> parse_perturbations("typos, casing")
    ('typos', 'casing')
    >>> parse_perturbations("all") == PERTURBATIONS
    True
    """
    items = [text] if isinstance(text, str) else list(text)
    names = [part.strip().lower().replace("_", "-") for item in items for part in item.split(",")]
    names = [n for n in names if n]
    valid = ", ".join(PERTURBATIONS)
    if not names:
        raise UsageError(f"no perturbation given; valid: all, {valid}")
    unknown = [n for n in names if n != "all" and n not in _FUNCS]
    if unknown:
        raise UsageError(
            f"unknown perturbation{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(n) for n in unknown)}; valid: all, {valid}"
        )
    if "all" in names:
        return PERTURBATIONS
    return tuple(dict.fromkeys(names))


def export_perturbed(path: Path, rows: Sequence[tuple[str, int, Example, Example]]) -> None:
    """Write ``(kind, row, original, perturbed)`` rows to ``path`` as CSV (``.csv``) or
    JSON Lines (``.jsonl``), UTF-8.

    Columns: ``kind, row, label, original, perturbed, changed`` and, when any row has a
    pair text, ``original_pair, perturbed_pair``. ``label`` is the original's label;
    ``changed`` is whether the perturbation changed the example (``true``/``false`` in
    CSV, a boolean in JSON Lines). A missing pair text is empty in CSV and ``null`` in
    JSON Lines. Any other suffix raises :class:`~taskfit.errors.UsageError`. Missing
    parent directories are created.

    >>> import tempfile
    >>> a = Example("Hi, Anna", "x")
    >>> out = Path(tempfile.mkdtemp()) / "p.csv"
    >>> export_perturbed(out, [("no-punct", 0, a, perturb_examples([a], "no-punct", 0)[0])])
    >>> out.read_text(encoding="utf-8").splitlines()[1]
    'no-punct,0,x,"Hi, Anna",Hi Anna,true'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise UsageError(
            f"cannot export perturbed texts to {path.name!r}: use a .csv or .jsonl file"
        )
    has_pair = any(a.text_pair is not None or b.text_pair is not None for _, _, a, b in rows)
    records: list[dict[str, Any]] = []
    for kind, row, original, perturbed in rows:
        rec: dict[str, Any] = {
            "kind": kind,
            "row": row,
            "label": original.label,
            "original": original.text,
            "perturbed": perturbed.text,
            "changed": original != perturbed,
        }
        if has_pair:
            rec["original_pair"] = original.text_pair
            rec["perturbed_pair"] = perturbed.text_pair
        records.append(rec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        if suffix == ".jsonl":
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            return
        columns = ["kind", "row", "label", "original", "perturbed", "changed"]
        if has_pair:
            columns += ["original_pair", "perturbed_pair"]
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for rec in records:
            rec["changed"] = "true" if rec["changed"] else "false"
            if has_pair:
                rec["original_pair"] = rec["original_pair"] or ""
                rec["perturbed_pair"] = rec["perturbed_pair"] or ""
            writer.writerow(rec)
