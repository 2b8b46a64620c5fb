"""Exact and near duplicates within train and across train/test (leakage).

What counts as a duplicate
--------------------------
Texts are compared after :func:`normalise`: Unicode NFKC, casefold, apostrophes dropped
("hasn't" -> "hasnt"), every other punctuation character (Unicode category P*, including
"-" and "_") replaced by a space, whitespace collapsed. Symbols such as "$" or "€" are
kept, so "a $1 fee" and "a €1 fee" are near, not exact, duplicates.

- **Exact duplicates**: equal normalised texts, found by hashing (a dict keyed by the
  normalised text). A group of ``n`` equal rows is ``n * (n - 1) / 2`` pairs, counted
  arithmetically: a text repeated 500 times is one dict entry, not 124,750 pairs.
- **Near duplicates**: two different normalised texts that are either
  (a) at most two word edits apart (word-level Levenshtein distance: substituting,
  inserting or deleting a word is one edit), with at most ``(n - 1) // 2`` edits when the
  longer text has ``n`` words, so that half of a short text stays unchanged and one- or
  two-word texts are never near duplicates by this rule; or
  (b) similar by the Jaccard similarity of their sets of word uni-grams and bi-grams, at
  or above ``threshold``. ``DuplicatePair.similarity`` is this Jaccard, computed exactly.

Why two rules, and why the default threshold is 0.6
---------------------------------------------------
Support messages are short (5-30 words), and on short texts no set similarity separates
"two words edited" from "a paraphrase of the same request". Two substituted words in a
5-word message leave a uni+bigram Jaccard of 0.2-0.3 (word sets alone: 0.43), while
paraphrases of one intent share half their words. A Jaccard threshold low enough to catch
95% of two-word edits (about 0.4) therefore reports most paraphrases as well: on banking77,
68% of test rows reach a uni+bigram Jaccard of 0.4 against some train row, but 37% are
within two word edits of one. Rule (a) finds exactly the two-word edits, whatever the
length; rule (b) adds longer texts edited in more places - three substituted words give
0.63 in a 20-word message and 0.73 in a 30-word one - and reworded long messages that
keep most of their word pairs. Bi-grams keep word order, so reordered paraphrases score
lower. With 0.6, rule (b) adds 4 points to the 37% of banking77 test rows that rule (a)
flags (0.5 would add 14 points, mostly rephrased questions).

How candidates are found (never all pairs)
------------------------------------------
Each distinct normalised text gets a MinHash (``datasketch``, ``num_perm`` permutations)
of its word set. Locality-sensitive hashing cuts the signature into ``num_perm // 3``
bands of 3 values; texts equal on a band are candidates, so a pair with word-set
Jaccard ``s`` becomes one with probability ``1 - (1 - s**3) ** 42`` at 128 permutations:
0.68 at 0.3, 0.94 at 0.4, 0.996 at 0.5. Two word edits leave a word-set Jaccard of at least
``(n - 2) / (n + 2)`` (0.43 for 5 words, 0.5 for 6) and rule (b) implies about
``threshold`` (shared bi-grams need shared words), hence word sets for the hashing and
3-value bands. Bands are bucketed with numpy (sort, then group equal keys), which keeps
memory to a few integer arrays per band: ``datasketch.MinHashLSH`` keeps a Python set per
bucket, over 1.5 GB for 100k texts at 42 bands.

Candidate work is capped per row: inside a bucket, texts are ordered by two further
signature values and each is paired with its next ``BUCKET_WINDOW`` (10) texts only, so a
bucket of ``g`` texts yields at most ``10 * g`` candidates instead of ``g**2 / 2``. Large
buckets hold texts that share frequent words ("how do i ... my card"), rarely near
duplicates of each other; a near-duplicate pair agrees on most signature values, so it
shares many bands and sits next to each other in them. The price: for a cluster of more
than about 10 mutually near-identical (but not exactly equal) texts, near pair counts are
a lower bound. Candidates are then screened by the word-set Jaccard estimated from the
signatures (vectorised) and verified exactly on the uni+bigram sets and word sequences:
the sketches only decide what to check, never what is reported.

Counting
--------
Pairs count rows: a near pair of distinct texts seen ``a`` and ``b`` times in train is
``a * b`` train pairs. ``duplicate_rows_train`` counts train rows with an exact or near
duplicate elsewhere in train; ``leaked_test_rows`` counts test rows with an exact or near
duplicate in train.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

from taskfit.types import DuplicatePair, DuplicateReport

__all__ = [
    "BUCKET_WINDOW",
    "DEFAULT_THRESHOLD",
    "find_duplicates",
    "max_word_edits",
    "near_duplicate_pairs",
    "normalise",
    "shingles",
    "within_word_edits",
]

DEFAULT_THRESHOLD = 0.6
BAND_ROWS = 3  # MinHash values per LSH band; bands = num_perm // BAND_ROWS
BUCKET_WINDOW = 10  # candidates per text and band, at most
# Candidates whose estimated Jaccard is this far below the lowest similarity either rule
# could accept are dropped before the exact check (about 3 standard errors at 128 perms).
ESTIMATE_MARGIN = 0.15
# For texts without repeated words, a uni+bigram Jaccard of t implies a word-set Jaccard
# of at least t (shared bigrams need shared words); repeated words can bend this a little,
# so the candidate filter starts this much below t.
JACCARD_SLACK = 0.05
SHOWN_CHARS = 80
_MIX = np.uint64(0x9E3779B97F4A7C15)

_APOSTROPHES = re.compile(r"['\u2019\u02bc\u2018`]")
_NOT_WORD = re.compile(r"[^\w\s]|_")


@lru_cache(maxsize=4096)
def _replacement(ch: str) -> str:
    return " " if unicodedata.category(ch).startswith("P") else ch


def normalise(text: str) -> str:
    """The comparison form of ``text``: NFKC, casefold, apostrophes dropped, other
    punctuation replaced by a space, whitespace collapsed (symbols such as "$" stay).

    >>> normalise("  Why hasn't my TOP-UP   worked?! A $5 fee (again)...")
    'why hasnt my top up worked a $5 fee again'
    """
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _APOSTROPHES.sub("", t)
    return " ".join(_NOT_WORD.sub(lambda m: _replacement(m.group()), t).split())


def shingles(words: Sequence[str]) -> set[str]:
    """Word uni-grams and bi-grams of a normalised, split text.

    >>> sorted(shingles("my card".split()))
    ['card', 'my', 'my card']
    """
    out = set(words)
    out.update(f"{a} {b}" for a, b in pairwise(words))
    return out


def max_word_edits(n_words: int) -> int:
    """Word edits allowed between two texts whose longer one has ``n_words`` words:
    two, but never more than leaves half of the text unchanged."""
    return max(0, min(2, (n_words - 1) // 2))


def within_word_edits(a: Sequence[str], b: Sequence[str], k: int) -> bool:
    """Whether word sequences ``a`` and ``b`` are at most ``k`` edits apart (Levenshtein
    over words: substitute, insert or delete one word).

    >>> within_word_edits("i lost my card".split(), "i lost my new card".split(), 1)
    True
    """
    if abs(len(a) - len(b)) > k:
        return False
    # Edits are usually local: compare only what lies between the common prefix and suffix.
    i, n = 0, min(len(a), len(b))
    while i < n and a[i] == b[i]:
        i += 1
    j = 0
    while j < n - i and a[-1 - j] == b[-1 - j]:
        j += 1
    a, b = a[i : len(a) - j], b[i : len(b) - j]
    if not a or not b:
        return max(len(a), len(b)) <= k
    # Banded dynamic programme: only cells with |row - col| <= k can stay within k.
    big = k + 1
    prev = [c if c <= k else big for c in range(len(b) + 1)]
    for r in range(1, len(a) + 1):
        cur = [big] * (len(b) + 1)
        if r <= k:
            cur[0] = r
        lo, hi = max(1, r - k), min(len(b), r + k)
        for c in range(lo, hi + 1):
            cost = prev[c - 1] + (a[r - 1] != b[c - 1])
            cost = min(cost, prev[c] + 1, cur[c - 1] + 1)
            cur[c] = cost if cost <= k else big
        if min(cur) > k:
            return False
        prev = cur
    return prev[-1] <= k


def _shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 3].rstrip() + "..."


@dataclass
class _Distinct:
    """The distinct normalised texts and where each occurs."""

    texts: list[str]
    n_train: np.ndarray  # occurrences in train per distinct text
    n_test: np.ndarray
    first_train: np.ndarray  # first train row (-1 when none)
    first_test: np.ndarray
    second_train: np.ndarray  # second train row (-1 when fewer than two)


def _distinct(train: Sequence[str], test: Sequence[str]) -> _Distinct:
    index: dict[str, int] = {}
    counts: list[list[int]] = []  # [n_train, n_test, first_train, first_test, second_train]
    for split, rows in ((0, train), (1, test)):
        for row, text in enumerate(rows):
            key = normalise(text)
            k = index.get(key)
            if k is None:
                k = index[key] = len(counts)
                counts.append([0, 0, -1, -1, -1])
            c = counts[k]
            c[split] += 1
            if c[2 + split] < 0:
                c[2 + split] = row
            elif split == 0 and c[4] < 0:
                c[4] = row
    arr = np.array(counts, dtype=np.int64).reshape(-1, 5)
    return _Distinct(list(index), arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4])


def _signatures(texts: list[str], num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (``datasketch``) of each text's word set, and the set sizes."""
    from datasketch import MinHash

    sig = np.empty((len(texts), num_perm), dtype=np.uint32)
    sizes = np.empty(len(texts), dtype=np.int64)
    # One sketch, reset per text: MinHash.bulk copies (and re-validates) the permutation
    # parameters for every text, which costs more than hashing a short text.
    # crc32 is a stable 32-bit input hash; datasketch mixes it (MurmurHash3 finalizer)
    # before permuting, so a fast non-cryptographic hash suffices.
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
    for i, text in enumerate(texts):
        words = set(text.split())
        sizes[i] = len(words)
        m.clear()
        m.update_batch([zlib.crc32(w.encode()) for w in words])
        sig[i] = m.hashvalues
    return sig, sizes


def _band_candidates(sig: np.ndarray, eligible: np.ndarray, window: int) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of eligible rows of ``sig`` equal on at least one band,
    at most ``window`` bucket neighbours per row and band, as sorted codes ``i * n + j``."""
    n, num_perm = sig.shape
    rows_idx = np.flatnonzero(eligible)
    if len(rows_idx) < 2:
        return np.empty(0, dtype=np.int64)
    codes: list[np.ndarray] = []
    for start in range(0, num_perm - BAND_ROWS + 1, BAND_ROWS):
        key = sig[rows_idx, start].astype(np.uint64)
        for c in range(start + 1, start + BAND_ROWS):
            key = key * _MIX + sig[rows_idx, c]  # wraps around: a 64-bit bucket hash
        # Within a bucket, order texts by two more signature values so that texts equal
        # on those too (the likely near duplicates) sit next to each other.
        nxt = start + BAND_ROWS
        order = np.lexsort(
            (sig[rows_idx, (nxt + 1) % num_perm], sig[rows_idx, nxt % num_perm], key)
        )
        k_sorted = key[order]
        new = np.r_[True, k_sorted[1:] != k_sorted[:-1]]
        group_end = np.r_[np.flatnonzero(new)[1:], len(order)]
        room = group_end[np.cumsum(new) - 1] - np.arange(len(order)) - 1
        for off in range(1, window + 1):
            ok = np.flatnonzero(room >= off)
            if len(ok) == 0:
                break
            a = rows_idx[order[ok]]
            b = rows_idx[order[ok + off]]
            codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not codes:
        return np.empty(0, dtype=np.int64)
    # Sorting is several times faster than np.unique's hashing on millions of codes.
    flat = np.sort(np.concatenate(codes))
    return flat[np.r_[True, flat[1:] != flat[:-1]]]


def _screen(
    codes: np.ndarray,
    sig: np.ndarray,
    sizes: np.ndarray,
    relevant: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates worth an exact check: at least one side seen in train, and a word-set
    Jaccard estimated from the signatures that either rule could accept."""
    n, num_perm = sig.shape
    keep_a: list[np.ndarray] = []
    keep_b: list[np.ndarray] = []
    step = 65_536  # bounds the (step, num_perm) comparison matrix to a few MB
    for s in range(0, len(codes), step):
        a, b = np.divmod(codes[s : s + step], n)
        rel = relevant[a] | relevant[b]
        a, b = a[rel], b[rel]
        # Two word edits change at most two words of each side's set, leaving a word-set
        # Jaccard of at least (n - 2) / (n + 2); rule (b) needs about the threshold.
        big = np.maximum(sizes[a], sizes[b])
        floor = np.minimum(threshold - JACCARD_SLACK, (big - 2) / (big + 2)) - ESTIMATE_MARGIN
        matches = (sig[a] == sig[b]).sum(axis=1)
        ok = matches >= floor * num_perm
        keep_a.append(a[ok])
        keep_b.append(b[ok])
    if not keep_a:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(keep_a), np.concatenate(keep_b)


def _near_pairs(
    texts: list[str], relevant: np.ndarray, threshold: float, num_perm: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Verified near-duplicate pairs ``(a, b, similarity)`` of distinct texts, ``a < b``;
    only pairs with at least one ``relevant`` side (a text seen in train) are returned."""
    sig, sizes = _signatures(texts, num_perm, seed)
    # One-word texts are never near duplicates (see max_word_edits; a set of one word
    # reaches the threshold only against itself).
    codes = _band_candidates(sig, sizes > 1, BUCKET_WINDOW)
    a, b = _screen(codes, sig, sizes, relevant, threshold)
    del sig, codes

    words: dict[int, list[str]] = {}
    sets: dict[int, set[str]] = {}
    for i in np.union1d(a, b).tolist():
        words[i] = texts[i].split()
        sets[i] = shingles(words[i])
    out_a: list[int] = []
    out_b: list[int] = []
    out_s: list[float] = []
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        si, sj = sets[i], sets[j]
        inter = len(si & sj)
        sim = inter / (len(si) + len(sj) - inter)
        if sim < threshold:
            wi, wj = words[i], words[j]
            k = max_word_edits(max(len(wi), len(wj)))
            # Each word edit changes at most three uni+bigrams of either side.
            if max(len(si), len(sj)) - inter > 3 * k or not within_word_edits(wi, wj, k):
                continue
        out_a.append(i)
        out_b.append(j)
        out_s.append(sim)
    return (
        np.array(out_a, dtype=np.int64),
        np.array(out_b, dtype=np.int64),
        np.array(out_s, dtype=np.float64),
    )


def find_duplicates(
    train: Sequence[str],
    test: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = 128,
    seed: int = 0,
    max_examples: int = 10,
) -> DuplicateReport:
    """Exact and near duplicates within ``train`` and between ``test`` and ``train``.

    See the module docstring for the definitions, the threshold and the cost. Time and
    memory grow about linearly with the number of rows (about 8 s and 250 MB for 100k
    short texts on 2 CPU cores; see ``benchmarks/bench_duplicates.py``). ``examples``
    lists at most ``max_examples`` pairs, leakage first, texts shortened to 80 characters.

    >>> r = find_duplicates(
    ...     ["Where is my card?", "where is my card", "How do I top up my account?"],
    ...     ["How do I top up my new account?", "Can I get a refund?"],
    ... )
    >>> r.exact_pairs_train, r.near_pairs_cross, r.leaked_test_rows, r.leaked_share
    (1, 1, 1, 0.5)
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if num_perm < BAND_ROWS * 2:
        raise ValueError(f"num_perm must be at least {BAND_ROWS * 2}, got {num_perm}")
    d = _distinct(train, test)
    tr, te = d.n_train, d.n_test
    exact_train = int((tr * (tr - 1) // 2).sum())
    exact_cross = int((tr * te).sum())

    na, nb, sims = _near_pairs(d.texts, tr > 0, threshold, num_perm, seed)
    near_train = int((tr[na] * tr[nb]).sum())
    near_cross = int((tr[na] * te[nb] + te[na] * tr[nb]).sum())
    train_partner = np.zeros(len(d.texts), dtype=bool)  # has a near duplicate in train
    train_partner[na[tr[nb] > 0]] = True
    train_partner[nb[tr[na] > 0]] = True

    dup_rows = int(tr[(tr >= 2) | ((tr > 0) & train_partner)].sum())
    leaked = int(te[(te > 0) & ((tr > 0) | train_partner)].sum())
    examples = _examples(d, train, test, na, nb, sims, max_examples)
    return DuplicateReport(
        exact_pairs_train=exact_train,
        near_pairs_train=near_train,
        exact_pairs_cross=exact_cross,
        near_pairs_cross=near_cross,
        duplicate_rows_train=dup_rows,
        leaked_test_rows=leaked,
        leaked_share=leaked / len(test) if len(test) else 0.0,
        threshold=threshold,
        num_perm=num_perm,
        examples=examples,
    )


def near_duplicate_pairs(
    texts: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = 128,
    seed: int = 0,
) -> list[tuple[int, int, float]]:
    """The near-duplicate pairs among ``texts`` as ``(i, j, similarity)``, ``i < j``, by
    the rules and the search of :func:`find_duplicates`.

    Rows with equal normalised texts are exact duplicates, not near ones; each distinct
    text is represented by its first row, so the list stays as short as the set of
    distinct texts allows.

    >>> near_duplicate_pairs(["I lost my card", "i lost my card!", "I lost my new card"])
    [(0, 2, 0.6)]
    """
    d = _distinct(texts, ())
    na, nb, sims = _near_pairs(
        d.texts, np.ones(len(d.texts), dtype=bool), threshold, num_perm, seed
    )
    rows = d.first_train
    pairs = [
        (int(min(rows[i], rows[j])), int(max(rows[i], rows[j])), round(float(s), 4))
        for i, j, s in zip(na.tolist(), nb.tolist(), sims.tolist(), strict=True)
    ]
    return sorted(pairs)


def _examples(
    d: _Distinct,
    train: Sequence[str],
    test: Sequence[str],
    na: np.ndarray,
    nb: np.ndarray,
    sims: np.ndarray,
    limit: int,
) -> tuple[DuplicatePair, ...]:
    """Up to ``limit`` pairs, taking in turn from exact leakage, near leakage, exact train
    and near train duplicates; exact ones in row order, near ones most similar first."""
    if limit <= 0:
        return ()
    tr, te = d.n_train, d.n_test

    def pair(sa: str, ra: int, sb: str, rb: int, sim: float, exact: bool) -> DuplicatePair:
        ra, rb = int(ra), int(rb)
        ta = train[ra] if sa == "train" else test[ra]
        tb = train[rb] if sb == "train" else test[rb]
        return DuplicatePair(
            sa, ra, sb, rb, round(float(sim), 4), exact, _shorten(ta), _shorten(tb)
        )

    def exact_cross() -> list[DuplicatePair]:
        ks = np.flatnonzero((tr > 0) & (te > 0))
        ks = ks[np.argsort(d.first_test[ks], kind="stable")][:limit]
        return [pair("train", d.first_train[k], "test", d.first_test[k], 1.0, True) for k in ks]

    def exact_train() -> list[DuplicatePair]:
        ks = np.flatnonzero(tr >= 2)
        ks = ks[np.argsort(d.first_train[ks], kind="stable")][:limit]
        return [pair("train", d.first_train[k], "train", d.second_train[k], 1.0, True) for k in ks]

    def near(cross: bool) -> list[DuplicatePair]:
        out: list[DuplicatePair] = []
        order = np.lexsort((nb, na, -sims))
        for i, j, s in zip(
            na[order].tolist(), nb[order].tolist(), sims[order].tolist(), strict=True
        ):
            if len(out) >= limit:
                break
            if not cross and tr[i] > 0 and tr[j] > 0:
                lo, hi = sorted((int(d.first_train[i]), int(d.first_train[j])))
                out.append(pair("train", lo, "train", hi, s, False))
            elif cross and tr[i] > 0 and te[j] > 0:
                out.append(pair("train", d.first_train[i], "test", d.first_test[j], s, False))
            elif cross and te[i] > 0 and tr[j] > 0:
                out.append(pair("train", d.first_train[j], "test", d.first_test[i], s, False))
        return out

    kinds = [exact_cross(), near(True), exact_train(), near(False)]
    chosen: list[DuplicatePair] = []
    for r in range(limit):
        for kind in kinds:
            if r < len(kind) and len(chosen) < limit:
                chosen.append(kind[r])
    return tuple(chosen)
