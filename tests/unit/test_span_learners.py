"""The extraction learners without a model: the gazetteer baseline, the learners' copy of
the target encoding, and the token tagger's subtoken labelling and decoding."""

from __future__ import annotations

import doctest

import pytest

from taskfit.learners import gazetteer, token_tagger
from taskfit.learners.gazetteer import SpanGazetteer, decode_target, encode_target, span_shape
from taskfit.learners.token_tagger import TokenTagger, subtoken_labels, subtoken_spans
from taskfit.tasks.extraction.spans import Span, check_spans, decode_spans, encode_spans


def test_module_examples_hold() -> None:
    for mod in (gazetteer, token_tagger):
        assert doctest.testmod(mod).failed == 0, mod.__name__


@pytest.mark.parametrize(
    "spans",
    [
        [],
        [Span(10, 14, "ORG"), Span(0, 4, "PER"), Span(0, 4, "LOC"), Span(10, 14, "ORG")],
        [Span(0, 3, "Straße"), Span(5, 9, 'say "hi"')],
    ],
)
def test_the_learners_encode_targets_as_the_task_does(spans: list[Span]) -> None:
    triples = [(s.start, s.end, s.type) for s in spans]
    target = encode_spans(spans)
    assert encode_target(triples) == target
    assert decode_target(target) == [(s.start, s.end, s.type) for s in decode_spans(target)]
    assert decode_target("") == [] and decode_target("[]") == []
    with pytest.raises(ValueError, match="span 1 is not"):
        decode_target('[[0,"4","A"]]')
    with pytest.raises(ValueError, match="not JSON"):
        decode_target("[[0,4,")


@pytest.mark.parametrize(
    ("surface", "shape"),
    [
        ("NW-12345", r"[A-Z]+\-\d+"),
        ("$12.50", r"\$\d+\.\d+"),
        ("Acme", "[A-Z][a-z]+"),
        ("iPhone 15", r"[a-z][A-Z][a-z]+\ \d+"),
        ("A1", r"[A-Z]\d"),
        ("Zürich", "[A-Z]ü[a-z]+"),
    ],
)
def test_span_shapes(surface: str, shape: str) -> None:
    assert span_shape(surface) == shape


# A toy set: order ids, company names, and capitalised words that are not entities.
TRAIN = [
    ("Order NW-10001 from Acme Corp arrived", [(6, 14, "ORDER"), (20, 29, "ORG")]),
    ("Acme Corp lost order NW-20002", [(0, 9, "ORG"), (21, 29, "ORDER")]),
    ("Please check KX-55 for Bolt", [(13, 18, "ORDER"), (23, 27, "ORG")]),
    ("Monday was slow, Tuesday too", []),
    ("Bolt said Friday", [(0, 4, "ORG")]),
    ("Ask Acme", [(4, 8, "ORG")]),
]


@pytest.fixture(scope="module")
def fitted() -> SpanGazetteer:
    texts = [t for t, _ in TRAIN]
    for text, spans in TRAIN:
        assert check_spans(text, [Span(*s) for s in spans]) is None
    return SpanGazetteer().fit(texts, [encode_target(s) for _, s in TRAIN])


def _predict(model: SpanGazetteer, text: str) -> list[tuple[int, int, str, str]]:
    (target,) = model.predict([text])
    return [(s, e, t, text[s:e]) for s, e, t in decode_target(target)]


def test_the_gazetteer_learns_a_lexicon_and_shapes(fitted: SpanGazetteer) -> None:
    assert list(fitted.classes_) == ["ORDER", "ORG"]
    assert fitted.lexicon_["acme corp"] == "ORG" and fitted.lexicon_["bolt"] == "ORG"
    # NW-10001, NW-20002 and KX-55 share one shape, all ORDER, as do the two Acme Corp;
    # the shape of Bolt, Bolt and Acme ([A-Z][a-z]+) also matches Monday, Tuesday,
    # Friday, Order, ... in the training texts, so it is dropped
    assert fitted.patterns_ == {
        r"[A-Z]+\-\d+": "ORDER",
        r"[A-Z][a-z]+\ [A-Z][a-z]+": "ORG",
    }


def test_dictionary_matches_ignore_case_and_take_the_longest(fitted: SpanGazetteer) -> None:
    assert _predict(fitted, "ACME CORP and acme and Bolt.") == [
        (0, 9, "ORG", "ACME CORP"),
        (14, 18, "ORG", "acme"),
        (23, 27, "ORG", "Bolt"),
    ]


def test_dictionary_matches_stay_on_word_boundaries(fitted: SpanGazetteer) -> None:
    assert _predict(fitted, "Bolts and Acmeco and boltAcme") == []


def test_a_shape_generalises_to_unseen_ids(fitted: SpanGazetteer) -> None:
    assert _predict(fitted, "Where is NW-12345? And ZZ-9, not nw-1 or NW-12X.") == [
        (9, 17, "ORDER", "NW-12345"),
        (23, 27, "ORDER", "ZZ-9"),
    ]


def test_matches_never_overlap(fitted: SpanGazetteer) -> None:
    model = SpanGazetteer().fit(
        ["New York is big", "York is old", "New York Times", "the New York Times wrote"],
        [
            encode_target([(0, 8, "LOC")]),
            encode_target([(0, 4, "LOC")]),
            encode_target([(0, 14, "ORG")]),
            encode_target([(4, 18, "ORG")]),
        ],
    )
    got = _predict(model, "In New York the New York Times and York.")
    assert got == [
        (3, 11, "LOC", "New York"),
        (16, 30, "ORG", "New York Times"),
        (35, 39, "LOC", "York"),
    ]
    for learner, text in ((model, "New York York New York Times"), (fitted, "NW-1 Acme Corp")):
        (target,) = learner.predict([text])
        assert check_spans(text, decode_spans(target)) is None


def test_min_count_and_the_most_frequent_type() -> None:
    texts = ["Jordan plays", "Jordan plays", "Jordan is a country", "Nile"]
    targets = [
        encode_target([(0, 6, "PER")]),
        encode_target([(0, 6, "PER")]),
        encode_target([(0, 6, "LOC")]),
        encode_target([(0, 4, "LOC")]),
    ]
    model = SpanGazetteer().fit(texts, targets)
    assert model.lexicon_ == {"jordan": "PER", "nile": "LOC"}
    assert SpanGazetteer(min_count=2).fit(texts, targets).lexicon_ == {"jordan": "PER"}


def test_no_training_spans_predict_nothing() -> None:
    model = SpanGazetteer().fit(["a b", "c"], ["[]", ""])
    assert model.predict(["a b c", ""]) == ["[]", "[]"]
    assert list(model.classes_) == []
    with pytest.raises(ValueError, match="2 texts but 1 targets"):
        SpanGazetteer().fit(["a", "b"], ["[]"])


# --------------------------------------------------------------------------- token tagger


def test_subtoken_labels_from_character_spans() -> None:
    # [CLS] order nw - 123 ##45 for $ 12 . 50 [SEP] over "order NW-12345 for $12.50"
    offsets = [(0, 0), (0, 5), (6, 8), (8, 9), (9, 12), (12, 14), (15, 18),
               (19, 20), (20, 22), (22, 23), (23, 25), (0, 0)]  # fmt: skip
    special = [1] + [0] * 10 + [1]
    spans = [(6, 14, "ORDER"), (19, 25, "AMOUNT")]
    labels = subtoken_labels(offsets, special, spans)
    assert labels == [
        None, "O", "B-ORDER", "I-ORDER", "I-ORDER", "I-ORDER", "O",
        "B-AMOUNT", "I-AMOUNT", "I-AMOUNT", "I-AMOUNT", None,
    ]  # fmt: skip
    decoded = subtoken_spans(offsets, special, [lab or "O" for lab in labels])
    assert decoded == sorted(spans)


def test_subtoken_decoding_is_lenient_and_splits_on_b() -> None:
    offsets = [(0, 0), (0, 2), (3, 5), (6, 8), (9, 11), (12, 14), (0, 0)]
    special = [1, 0, 0, 0, 0, 0, 1]
    labels = ["B-X", "I-A", "I-A", "B-A", "I-B", "O", "I-A"]
    assert subtoken_spans(offsets, special, labels) == [(0, 5, "A"), (6, 8, "A"), (9, 11, "B")]


def test_a_tagger_without_training_spans_predicts_none() -> None:
    tagger = TokenTagger().fit(["nothing here", "nor here"], ["[]", ""])
    assert list(tagger.classes_) == [] and tagger.labels_ == ["O"]
    assert tagger.predict(["anything", "at all"]) == ["[]", "[]"]
