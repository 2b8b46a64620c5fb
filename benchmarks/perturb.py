"""Large synthetic support corpora made by perturbing banking77 train rows.

``make_corpus(n)`` returns ``n`` ``(text, label)`` rows. Every row starts from a banking77
train text and keeps its intent. Three kinds of rows, at fixed shares and seeded positions:

- ``EXACT_SHARE`` (2%): a copy of an earlier row that differs only in case, spacing or
  punctuation, so it is an exact duplicate after normalisation;
- ``NEAR_SHARE`` (5%): a copy of an earlier row with one or two words substituted, inserted
  or deleted (a planted near duplicate);
- the rest: a random train text with word-level noise - each word is substituted (by a word
  of the same intent or of the whole corpus), deleted, given a typo or followed by an
  inserted word with fixed probabilities, and the case may change - so that the ~10 rows
  built from one train text at 100k rows are not copies of each other.

``make_corpus_with_plan`` also returns the planted pairs ``(kind, row, source_row)``; the
background rows can still be near duplicates of each other by chance (banking77 holds many
short texts that differ by a word or two), so a detector finds at least the planted pairs.

Usage: python benchmarks/perturb.py --n 100000 --out /tmp/corpus100k.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"

EXACT_SHARE = 0.02
NEAR_SHARE = 0.05
# Background noise, per word (applied independently; a word gets at most one of them).
P_SUBSTITUTE = 0.30
P_DELETE = 0.06
P_TYPO = 0.06
P_INSERT = 0.08
P_INTENT_VOCAB = 0.6  # a substitute comes from the same intent's words with this probability

_WORD = re.compile(r"[A-Za-z']+")


def load_banking77(path: Path = BANKING77) -> list[tuple[str, str]]:
    """The banking77 train rows ``(text, category)``; ``FileNotFoundError`` when absent."""
    f = path / "train.csv"
    if not f.exists():
        raise FileNotFoundError(f"{f} not found (benchmarks need ../shared/data/banking77)")
    with f.open(newline="", encoding="utf-8") as fh:
        return [(r["text"], r["category"]) for r in csv.DictReader(fh)]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(len(word) - 1)
    op = rng.randrange(3)
    if op == 0:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 1:  # drop one letter
        return word[:i] + word[i + 1 :]
    return word[: i + 1] + word[i] + word[i + 1 :]  # double one letter


def _recase(text: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.1:
        return text.lower()
    if r < 0.13:
        return text.upper()
    if r < 0.2:
        return text.capitalize()
    return text


def _noisy(text: str, words: list[str], vocab: list[str], rng: random.Random) -> str:
    out: list[str] = []
    for w in text.split():
        r = rng.random()
        if r < P_SUBSTITUTE:
            out.append(rng.choice(words if rng.random() < P_INTENT_VOCAB else vocab))
        elif r < P_SUBSTITUTE + P_DELETE:
            continue
        elif r < P_SUBSTITUTE + P_DELETE + P_TYPO:
            out.append(_typo(w, rng))
        else:
            out.append(w)
        if rng.random() < P_INSERT:
            out.append(rng.choice(vocab))
    return _recase(" ".join(out) or text, rng)


def edit_words(text: str, k: int, vocab: list[str], rng: random.Random) -> str:
    """``text`` with ``k`` word edits, each a substitution, an insertion or a deletion."""
    words = text.split()
    for _ in range(k):
        op = rng.randrange(3) if len(words) > 2 else 1
        if op == 0:
            i = rng.randrange(len(words))
            new = rng.choice(vocab)
            while new.casefold() == words[i].casefold():
                new = rng.choice(vocab)
            words[i] = new
        elif op == 1:
            words.insert(rng.randrange(len(words) + 1), rng.choice(vocab))
        else:
            del words[rng.randrange(len(words))]
    return " ".join(words)


def _surface_change(text: str, rng: random.Random) -> str:
    """Same text after normalisation: case, spacing and end punctuation change."""
    t = text.rstrip("?.!")
    t = t.lower() if rng.random() < 0.5 else t.upper()
    return "  ".join(t.split(" ")) + rng.choice(["", "?", "!!", " ."])


def make_corpus_with_plan(
    n: int, seed: int = 0, path: Path = BANKING77
) -> tuple[list[tuple[str, str]], list[tuple[str, int, int]]]:
    """``n`` rows and the planted duplicates ``(kind, row, source_row)``, kind "exact" or
    "near" (``source_row < row``)."""
    base = load_banking77(path)
    rng = random.Random(seed)
    by_label: dict[str, set[str]] = defaultdict(set)
    for text, label in base:
        by_label[label].update(w.lower() for w in _WORD.findall(text))
    intent_words = {lab: sorted(ws) for lab, ws in by_label.items()}
    vocab = sorted({w for ws in by_label.values() for w in ws})
    rows: list[tuple[str, str]] = []
    plan: list[tuple[str, int, int]] = []
    for i in range(n):
        r = rng.random()
        if i > 0 and r < EXACT_SHARE:
            j = rng.randrange(i)
            rows.append((_surface_change(rows[j][0], rng), rows[j][1]))
            plan.append(("exact", i, j))
        elif i > 0 and r < EXACT_SHARE + NEAR_SHARE:
            j = rng.randrange(i)
            rows.append((edit_words(rows[j][0], rng.choice((1, 2)), vocab, rng), rows[j][1]))
            plan.append(("near", i, j))
        else:
            text, label = base[rng.randrange(len(base))]
            rows.append((_noisy(text, intent_words[label], vocab, rng), label))
    return rows, plan


def make_corpus(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` ``(text, label)`` rows made by perturbing banking77 train rows (see module doc).

    Raises ``FileNotFoundError`` when ``../shared/data/banking77`` is absent.
    """
    return make_corpus_with_plan(n, seed)[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    try:
        rows = make_corpus(args.n, seed=args.seed)
    except FileNotFoundError as e:
        print(f"skipped: {e}", file=sys.stderr)
        return 1
    with args.out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)
    print(f"wrote {len(rows):,} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
