"""Shortcut probes: which training words predict a label on their own, and masking them.

Fine-tuned models latch on to spurious tokens: a word that happens to occur in most
training examples of one label (a signature, a template, a source tag) becomes the
feature the model relies on, and accuracy falls when it is absent (remark 8(2) of the
practical LLM guide). :func:`top_tokens` lists, per label, the words most predictive of
it in the training data; :func:`mask_examples` removes them from a split, so a model can
be scored with and without them.

Tokens are lowercase word tokens (:func:`tokenize`): maximal runs of ASCII letters and
digits, joined by single inner apostrophes (``don't`` is one token, quotes around a word
are not part of it). Anything else, including non-ASCII letters, separates tokens.

Predictiveness is pointwise mutual information on document frequency, a token counted
once per example (over ``text`` and ``text_pair`` together):
``PMI(token, label) = log(P(label | token) / P(label))`` with
``P(label | token) = (n(token, label) + 0.5) / (n(token) + 0.5 * L)`` (add-0.5 smoothing of
the joint count over the ``L`` labels, so a rare token seen only with one label does not
reach the maximum) and ``P(label) = n(label) / N``.

>>> from taskfit.types import Example
>>> train = [Example("refund my order zxq", "refund"), Example("refund please zxq", "refund"),
...          Example("refund it now zxq", "refund"), Example("refund status of my order", "track"),
...          Example("track my order now", "track"), Example("where is it", "track")]
>>> [t.token for t in top_tokens(train, k=2, min_count=3)["refund"]]
['zxq', 'refund']
>>> mask_tokens("Refund my order, ZXQ!", ["zxq", "refund"])
'my order, !'
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from taskfit.types import Example

__all__ = [
    "STOPWORDS",
    "TokenScore",
    "mask_examples",
    "mask_tokens",
    "tokenize",
    "top_tokens",
]

# Word tokens of lowercased text: letters and digits, with single inner apostrophes.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
# Add-alpha smoothing of the joint (token, label) count.
_ALPHA = 0.5

# A small English stopword list: function words that occur everywhere and carry no label
# signal of their own (articles, pronouns, auxiliaries, prepositions, conjunctions).
_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i i'm if
    in into is it it's its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves
    """
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class TokenScore:
    """How strongly ``token`` predicts ``label`` in the training data.

    ``count`` is the number of training examples (of any label) containing the token;
    ``precision`` the share of those whose label is ``label``; ``pmi`` the smoothed
    pointwise mutual information described in the module docstring.
    """

    token: str
    label: str
    pmi: float
    count: int
    precision: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of ``text``: runs of ``[a-z0-9]`` joined by inner apostrophes.

    >>> tokenize("Don't CHARGE me twice: order #A12, 'now'!")
    ["don't", 'charge', 'me', 'twice', 'order', 'a12', 'now']
    """
    return _TOKEN.findall(text.lower())


def _example_tokens(ex: Example) -> set[str]:
    toks = set(tokenize(ex.text))
    if ex.text_pair is not None:
        toks.update(tokenize(ex.text_pair))
    return toks


def top_tokens(
    examples: Sequence[Example],
    *,
    k: int = 5,
    min_count: int = 3,
    stopwords: bool = True,
) -> dict[str, list[TokenScore]]:
    """The ``k`` tokens most predictive of each label, by smoothed PMI (module docstring).

    Only tokens in at least ``min_count`` examples count, and only those more likely under
    the label than overall (PMI > 0); :data:`STOPWORDS` are left out when ``stopwords``.
    Ties are broken by the larger ``count``, then the token alphabetically. Every label of
    ``examples`` is a key (sorted), with an empty list when no token qualifies.

    >>> from taskfit.types import Example
    >>> train = [Example("the cat", "a"), Example("the cat", "a"), Example("the dog", "b")]
    >>> scores = top_tokens(train, min_count=2)
    >>> [(s.token, s.count, s.precision, round(s.pmi, 4)) for s in scores["a"]], scores["b"]
    ([('cat', 2, 1.0, 0.2231)], [])
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")
    n = len(examples)
    label_count = Counter(ex.label for ex in examples)
    labels = sorted(label_count)
    df: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    for ex in examples:
        for tok in _example_tokens(ex):
            df[tok] += 1
            joint[tok, ex.label] += 1
    n_labels = len(labels)
    out: dict[str, list[TokenScore]] = {}
    for lab in labels:
        prior = label_count[lab] / n
        scores = []
        for tok, c in df.items():
            if c < min_count or (stopwords and tok in STOPWORDS):
                continue
            c_joint = joint[tok, lab]
            p_cond = (c_joint + _ALPHA) / (c + _ALPHA * n_labels)
            pmi = math.log(p_cond / prior)
            if pmi > 0:
                scores.append(TokenScore(tok, lab, pmi, c, c_joint / c))
        scores.sort(key=lambda s: (-s.pmi, -s.count, s.token))
        out[lab] = scores[:k]
    return out


def _token_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, token)`` of every token of ``text``, as offsets into ``text``.

    Lowercasing can change a string's length (``"İ".lower()`` is two characters), so
    matches on the lowercased text are mapped back character by character.
    """
    lowered = [c.lower() for c in text]
    if all(len(c) == 1 for c in lowered):
        for m in _TOKEN.finditer("".join(lowered)):
            yield m.start(), m.end(), m.group()
        return
    owner = [i for i, c in enumerate(lowered) for _ in c]
    for m in _TOKEN.finditer("".join(lowered)):
        yield owner[m.start()], owner[m.end() - 1] + 1, m.group()


def mask_tokens(text: str, tokens: Collection[str]) -> str:
    """``text`` without whole-word, case-insensitive occurrences of ``tokens``.

    Word boundaries are those of :func:`tokenize` (``zxq`` is removed from ``zxq-1`` but
    not from ``zxqa``); whitespace is collapsed afterwards. A text with no occurrence, or
    one that would keep no word token at all, is returned unchanged.

    >>> mask_tokens("Call  ZXQ now, zxqa stays", {"zxq"})
    'Call now, zxqa stays'
    >>> mask_tokens("zxq zxq", {"zxq"})
    'zxq zxq'
    """
    wanted = {t.lower() for t in tokens}
    if not wanted:
        return text
    pieces: list[str] = []
    pos = 0
    matched = kept_any = False
    for start, end, tok in _token_spans(text):
        if tok in wanted:
            pieces.append(text[pos:start])
            pos = end
            matched = True
        else:
            kept_any = True
    if not (matched and kept_any):
        return text
    pieces.append(text[pos:])
    return " ".join("".join(pieces).split())


def mask_examples(
    examples: Sequence[Example], tokens: Collection[str]
) -> tuple[tuple[Example, ...], int]:
    """Copies of ``examples`` with ``tokens`` masked in ``text`` and ``text_pair``
    (:func:`mask_tokens`; label and other fields kept) and how many examples changed.

    >>> from taskfit.types import Example
    >>> masked, changed = mask_examples([Example("hi zxq", "a"), Example("hi", "b")], ["zxq"])
    >>> [e.text for e in masked], changed
    (['hi', 'hi'], 1)
    """
    out = []
    changed = 0
    for ex in examples:
        text = mask_tokens(ex.text, tokens)
        pair = None if ex.text_pair is None else mask_tokens(ex.text_pair, tokens)
        if text != ex.text or pair != ex.text_pair:
            changed += 1
            ex = replace(ex, text=text, text_pair=pair)
        out.append(ex)
    return tuple(out), changed
