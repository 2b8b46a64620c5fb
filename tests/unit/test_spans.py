"""Extraction spans: encoding, records, checks, BIO, mention placement, CoNLL files and the
entity-level metrics (against hand counts and seqeval)."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
from seqeval.metrics import f1_score, precision_score, recall_score

from taskfit.errors import DataError
from taskfit.metrics import spans as span_metrics
from taskfit.metrics.quality import CORPUS, METRICS, metric_interval
from taskfit.metrics.spans import (
    entity_f1,
    entity_precision,
    entity_recall,
    per_type,
    prf,
    span_counts,
)
from taskfit.tasks.extraction import conll, spans
from taskfit.tasks.extraction.conll import read_conll, write_conll
from taskfit.tasks.extraction.spans import (
    Span,
    bio_to_spans,
    check_spans,
    decode_spans,
    encode_spans,
    locate,
    spans_from_records,
    spans_to_bio,
    token_offsets,
)


def test_module_examples_hold() -> None:
    for mod in (spans, conll, span_metrics):
        assert doctest.testmod(mod).failed == 0, mod.__name__


# --------------------------------------------------------------------------- encoding


def test_encoding_is_canonical_and_round_trips() -> None:
    given: list[Span | tuple[int, int, str]] = [
        Span(10, 14, "ORG"),
        (0, 4, "PER"),
        Span(0, 4, "LOC"),
        Span(10, 14, "ORG"),
    ]
    target = encode_spans(given)
    assert target == '[[0,4,"LOC"],[0,4,"PER"],[10,14,"ORG"]]'
    assert decode_spans(target) == (Span(0, 4, "LOC"), Span(0, 4, "PER"), Span(10, 14, "ORG"))
    assert encode_spans(decode_spans(target)) == target
    assert encode_spans(reversed(given)) == target
    assert encode_spans([Span(0, 1, "Straße")]) == '[[0,1,"Straße"]]'


@pytest.mark.parametrize("empty", ["", "  ", "[]"])
def test_no_spans_decode_to_an_empty_tuple(empty: str) -> None:
    assert decode_spans(empty) == ()
    assert encode_spans([]) == "[]"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("[[0,4,", "not JSON"),
        ('{"start": 0}', "not a JSON list"),
        ("[[0,4]]", "span 1 is not [start, end, type]"),
        ('[[0,4,"A"],["0",4,"B"]]', "span 2"),
        ('[[0,4,""]]', "span 1"),
        ('[[true,4,"A"]]', "span 1"),
    ],
)
def test_bad_targets_raise_a_short_value_error(target: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        decode_spans(target)


def test_records_take_objects_and_triples() -> None:
    got = spans_from_records(
        [
            {"start": 0, "end": 4, "label": "ORG"},
            {"start": 5, "end": 9, "type": "LOC"},
            {"start": 10, "end": 12.0, "entity_group": "PER", "score": 0.9},
            [13, 15, " MISC "],
            (16, 18, "X"),
        ]
    )
    assert got == [
        Span(0, 4, "ORG"),
        Span(5, 9, "LOC"),
        Span(10, 12, "PER"),
        Span(13, 15, "MISC"),
        Span(16, 18, "X"),
    ]
    assert spans_from_records([]) == []


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ("0-4 ORG", "must be a list"),
        ([{"start": 0, "end": 4, "label": "A"}, {"start": 5, "label": "B"}], "span 2 has no end"),
        ([{"end": 4, "label": "A"}], "span 1 has no start"),
        ([{"start": 0, "end": 4}], "span 1 has no label"),
        ([[0, 4]], "span 1 is neither an object nor"),
        ([["a", 4, "X"]], "span 1 has a start or end that is not an integer"),
        ([[0, 4.5, "X"]], "not an integer"),
        ([[0, 4, ""]], "span 1 has an empty or non-text type"),
        ([[0, 4, 7]], "non-text type"),
    ],
)
def test_bad_records_name_the_span(obj: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        spans_from_records(obj)
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- checks

TEXT = "Acme Ltd ships NW-12 today"  # 26 characters


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ([], None),
        ([Span(0, 8, "ORG"), Span(15, 20, "ORDER")], None),
        ([Span(0, 4, "ORG"), Span(4, 8, "ORG")], None),  # touching is fine
        ([Span(4, 9, "ORG")], None),  # starting in whitespace is allowed
        ([Span(20, 27, "DATE")], "DATE span 20-27 runs outside the text (26 characters)"),
        ([Span(-1, 3, "ORG")], "runs outside the text"),
        ([Span(5, 5, "ORG")], "ORG span 5-5 is empty"),
        ([Span(6, 5, "ORG")], "is empty"),
        (
            [Span(15, 20, "ORDER"), Span(0, 8, "ORG"), Span(5, 14, "ORG")],
            "ORG span 0-8 'Acme Ltd' and ORG span 5-14 'Ltd ships' overlap",
        ),
        (
            [Span(0, 26, "X"), Span(2, 3, "Y"), Span(10, 12, "Z")],
            "X span 0-26 'Acme Ltd ships NW-12 today' and Y span 2-3 'm' overlap",
        ),
        ([Span(0, 4, "A"), Span(0, 4, "B")], "A span 0-4 'Acme' and B span 0-4 'Acme' overlap"),
    ],
)
def test_check_spans(given: list[Span], problem: str | None) -> None:
    found = check_spans(TEXT, given)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


# --------------------------------------------------------------------------- BIO


def test_tokens_are_words_and_single_other_characters() -> None:
    text = "Hi, NW-12345 (¥500)!"
    expected = ["Hi", ",", "NW", "-", "12345", "(", "¥", "500", ")", "!"]
    assert [text[s:e] for s, e in token_offsets(text)] == expected


@pytest.mark.parametrize(
    ("text", "given", "tags"),
    [
        (
            "Acme Ltd ships NW-12 today",
            [Span(0, 8, "ORG"), Span(15, 20, "ORDER")],
            ["B-ORG", "I-ORG", "O", "B-ORDER", "I-ORDER", "I-ORDER", "O"],
        ),
        # adjacent entities of one type stay two entities
        ("Paris London Rome", [Span(0, 5, "LOC"), Span(6, 12, "LOC")], ["B-LOC", "B-LOC", "O"]),
        # adjacent entities without a space between them
        ("Acme/Bolt", [Span(0, 4, "ORG"), Span(5, 9, "ORG")], ["B-ORG", "O", "B-ORG"]),
        (
            "I paid $12.50, thanks.",
            [Span(7, 13, "AMOUNT")],
            ["O", "O", "B-AMOUNT", "I-AMOUNT", "I-AMOUNT", "I-AMOUNT", "O", "O", "O"],
        ),
        ("(Bolt)", [Span(1, 5, "ORG")], ["O", "B-ORG", "O"]),
        ("nothing here", [], ["O", "O"]),
        ("", [], []),
    ],
)
def test_bio_round_trip(text: str, given: list[Span], tags: list[str]) -> None:
    tokens, got = spans_to_bio(text, given)
    assert got == tags
    assert tokens == [text[s:e] for s, e in token_offsets(text)]
    assert bio_to_spans(token_offsets(text), got) == sorted(given)


def test_spans_off_token_boundaries_widen_to_whole_tokens() -> None:
    text = "Acmeco ships"
    _, tags = spans_to_bio(text, [Span(0, 4, "ORG")])
    assert tags == ["B-ORG", "O"]
    assert bio_to_spans(token_offsets(text), tags) == [Span(0, 6, "ORG")]
    # a token overlapping two spans belongs to the first
    _, tags = spans_to_bio(text, [Span(0, 3, "A"), Span(3, 12, "B")])
    assert tags == ["B-A", "B-B"]


def test_bio_decoding_is_lenient_like_seqeval() -> None:
    offsets = [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    # an I- without a B- of its type starts an entity; a type change splits one
    assert bio_to_spans(offsets, ["I-A", "I-A", "I-B", "O", "I-B"]) == [
        Span(0, 3, "A"),
        Span(4, 5, "B"),
        Span(8, 9, "B"),
    ]
    assert bio_to_spans(offsets, ["B-A", "B-A", "I-A", "O", "O"]) == [
        Span(0, 1, "A"),
        Span(2, 5, "A"),
    ]
    with pytest.raises(ValueError, match="'X-A' is not O"):
        bio_to_spans(offsets[:1], ["X-A"])
    with pytest.raises(ValueError, match="2 tokens but 1 tags"):
        bio_to_spans(offsets[:2], ["O"])


# --------------------------------------------------------------------------- locate


def test_locate_places_mentions_left_to_right_without_overlap() -> None:
    text = "Acme sold Acme shares to acme."
    placed, missing = locate(text, [("Acme", "ORG"), ("Acme", "ORG"), ("Acme", "ORG")])
    assert placed == [Span(0, 4, "ORG"), Span(10, 14, "ORG"), Span(25, 29, "ORG")]
    assert missing == 0
    # a fourth mention has no free occurrence left
    placed, missing = locate(text, [("Acme", "ORG")] * 4)
    assert len(placed) == 3 and missing == 1


def test_locate_prefers_exact_then_whole_words_then_case() -> None:
    text = "USB stick shipped to the US; us too"
    assert locate(text, [("US", "LOC")]) == ([Span(25, 27, "LOC")], 0)  # not inside "USB"
    assert locate(text, [("us", "X")]) == ([Span(29, 31, "X")], 0)  # exact case first
    assert locate("Use it", [("us", "X")]) == ([Span(0, 2, "X")], 0)  # any case, any place
    assert locate(text, [("  stick ", "P")]) == ([Span(4, 9, "P")], 0)


def test_locate_counts_what_it_cannot_place() -> None:
    text = "Order NW-12 from Acme"
    placed, missing = locate(
        text, [("NW-12", "ORDER"), ("Bolt", "ORG"), ("", "ORG"), ("ACME", "ORG")]
    )
    assert placed == [Span(6, 11, "ORDER"), Span(17, 21, "ORG")]
    assert missing == 2
    # an overlapping mention is not placed over an earlier one
    placed, missing = locate(text, [("Order NW", "X"), ("NW-12", "ORDER")])
    assert placed == [Span(0, 8, "X")] and missing == 1
    assert locate("", [("a", "X")]) == ([], 1)


# --------------------------------------------------------------------------- CoNLL


def test_conll_round_trip(tmp_path: Path) -> None:
    examples = [
        ("Acme Ltd ships NW-12 today", (Span(0, 8, "ORG"), Span(15, 20, "ORDER"))),
        ("Paris London", (Span(0, 5, "LOC"), Span(6, 12, "LOC"))),
        ("nothing here", ()),
    ]
    path = tmp_path / "train.conll"
    write_conll(path, examples)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("Acme B-ORG\nLtd I-ORG\nships O\nNW B-ORDER\n- I-ORDER\n12 I-ORDER\n")
    back = read_conll(path)
    # the text comes back tokenised, with the spans on the same tokens
    assert back == [
        ("Acme Ltd ships NW - 12 today", (Span(0, 8, "ORG"), Span(15, 22, "ORDER"))),
        ("Paris London", (Span(0, 5, "LOC"), Span(6, 12, "LOC"))),
        ("nothing here", ()),
    ]
    again = tmp_path / "again.conll"
    write_conll(again, back)
    assert read_conll(again) == back


def test_conll_reads_columns_docstart_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "eng.conll"
    path.write_text(
        "-DOCSTART- -X- -X- O\n\n"
        "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n\n"
        "Peter\tI-PER\nBlackburn\tI-PER\n",
        encoding="utf-8",
    )
    assert read_conll(path) == [
        ("EU rejects German", (Span(0, 2, "ORG"), Span(11, 17, "MISC"))),
        ("Peter Blackburn", (Span(0, 15, "PER"),)),
    ]


@pytest.mark.parametrize(
    ("content", "row", "message"),
    [
        ("Acme B-ORG\nships\n", 2, "one column"),
        ("Acme B-ORG\n\nships O\nNW B_ORDER\n", 4, "tag 'B_ORDER' is not O, B-TYPE or I-TYPE"),
        ("Acme B-\n", 1, "tag 'B-' is not O"),
        ("Acme ORG\n", 1, "tag 'ORG'"),
    ],
)
def test_malformed_conll_names_the_file_and_line(
    tmp_path: Path, content: str, row: int, message: str
) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        read_conll(path)
    assert err.value.file == str(path) and err.value.row == row
    assert f"row {row}" in str(err.value)


def test_empty_or_unreadable_conll_is_a_data_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.conll"
    empty.write_text("\n-DOCSTART- O\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="no tokens"):
        read_conll(empty)
    with pytest.raises(DataError, match="no such file"):
        read_conll(tmp_path / "missing.conll")
    latin = tmp_path / "latin.conll"
    latin.write_bytes("Müller B-PER\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        read_conll(latin)


def test_write_conll_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="example 2 has no token"):
        write_conll(tmp_path / "x.conll", [("a", ()), ("  ", ())])
    with pytest.raises(ValueError, match="whitespace"):
        write_conll(tmp_path / "x.conll", [("a b", (Span(0, 1, "NEW ORG"),))])


# --------------------------------------------------------------------------- metrics

# Three examples, worked by hand:
#   1: ORG 0-4 right; ORDER 9-17 predicted 9-16 (one fp, one fn)
#   2: nothing true; ORG 2-5 predicted (fp)
#   3: LOC 0-5 and LOC 6-12 true; LOC 0-5 right, LOC 6-12 predicted as ORG (fp + fn)
Y_TRUE = ['[[0,4,"ORG"],[9,17,"ORDER"]]', "[]", '[[0,5,"LOC"],[6,12,"LOC"]]']
Y_PRED = ['[[0,4,"ORG"],[9,16,"ORDER"]]', '[[2,5,"ORG"]]', '[[0,5,"LOC"],[6,12,"ORG"]]']


def test_span_counts_by_hand() -> None:
    counts = span_counts(Y_TRUE, Y_PRED)
    assert counts.shape == (3, 3) and counts.dtype == np.int64
    assert counts.tolist() == [[1, 1, 1], [0, 1, 0], [1, 1, 1]]
    # tp 2, fp 3, fn 2: P 2/5, R 2/4, F1 4/9
    assert entity_precision(Y_TRUE, Y_PRED) == pytest.approx(2 / 5)
    assert entity_recall(Y_TRUE, Y_PRED) == pytest.approx(2 / 4)
    assert entity_f1(Y_TRUE, Y_PRED) == pytest.approx(4 / 9)


def test_prf_is_zero_when_undefined() -> None:
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert prf(0, 3, 0) == (0.0, 0.0, 0.0)
    assert prf(0, 0, 2) == (0.0, 0.0, 0.0)
    assert prf(3, 1, 0) == (0.75, 1.0, pytest.approx(6 / 7))


def test_per_type_by_hand() -> None:
    got = per_type(Y_TRUE, Y_PRED)
    assert list(got) == ["LOC", "ORDER", "ORG"]
    assert got["LOC"] == {
        "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
        "support": 2, "tp": 1, "fp": 0, "fn": 1,
    }  # fmt: skip
    assert got["ORDER"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "tp": 0, "fp": 1, "fn": 1,
    }  # fmt: skip
    assert got["ORG"] == {
        "precision": pytest.approx(1 / 3), "recall": 1.0, "f1": 0.5,
        "support": 1, "tp": 1, "fp": 2, "fn": 0,
    }  # fmt: skip
    assert sum(v["tp"] for v in got.values()) == span_counts(Y_TRUE, Y_PRED)[:, 0].sum()


def test_duplicates_count_once_and_bad_predictions_count_as_none() -> None:
    assert span_counts(['[[0,1,"A"]]'], ['[[0,1,"A"],[0,1,"A"]]']).tolist() == [[1, 0, 0]]
    assert span_counts(['[[0,1,"A"]]'], ["I found Acme"]).tolist() == [[0, 0, 1]]
    with pytest.raises(ValueError, match="reference 1: spans target is not JSON"):
        span_counts(["Acme"], ["[]"])
    with pytest.raises(ValueError, match="y_pred has 2"):
        span_counts(["[]"], ["[]", "[]"])
    with pytest.raises(ValueError, match="zero examples"):
        entity_f1([], [])
    assert span_counts(["[]"], ["[]"]).tolist() == [[0, 0, 0]]
    assert entity_f1(["[]"], ["[]"]) == 0.0


# BIO sentences (tokens at offsets 0, 2, 4, ... of single-character tokens) scored by
# seqeval and by the span metrics on the spans decoded from the same tags.
BIO_TRUE = [
    ["B-PER", "I-PER", "O", "B-LOC", "O"],
    ["B-ORG", "I-ORG", "I-ORG", "O", "B-MISC", "I-MISC"],
    ["O", "O", "O"],
    ["B-LOC", "B-LOC", "I-LOC", "O", "B-PER"],
    ["I-ORG", "I-ORG", "O", "B-PER", "I-PER", "I-PER"],
]
BIO_PRED = [
    ["B-PER", "I-PER", "O", "B-ORG", "O"],
    ["B-ORG", "I-ORG", "O", "O", "I-MISC", "I-MISC"],
    ["O", "B-LOC", "O"],
    ["B-LOC", "I-LOC", "I-LOC", "O", "B-PER"],
    ["B-ORG", "I-ORG", "O", "I-PER", "I-PER", "B-PER"],
]


def _encoded(rows: list[list[str]]) -> list[str]:
    return [
        encode_spans(bio_to_spans([(2 * i, 2 * i + 1) for i in range(len(t))], t)) for t in rows
    ]


def test_the_span_metrics_equal_seqeval_on_bio_data() -> None:
    y_true, y_pred = _encoded(BIO_TRUE), _encoded(BIO_PRED)
    assert entity_f1(y_true, y_pred) == pytest.approx(f1_score(BIO_TRUE, BIO_PRED))
    assert entity_precision(y_true, y_pred) == pytest.approx(precision_score(BIO_TRUE, BIO_PRED))
    assert entity_recall(y_true, y_pred) == pytest.approx(recall_score(BIO_TRUE, BIO_PRED))
    assert 0.0 < entity_f1(y_true, y_pred) < 1.0
    # per type too
    from seqeval.metrics import classification_report

    report = classification_report(BIO_TRUE, BIO_PRED, output_dict=True, zero_division=0)
    for kind, row in per_type(y_true, y_pred).items():
        assert row["f1"] == pytest.approx(report[kind]["f1-score"]), kind
        assert row["support"] == report[kind]["support"], kind


def test_the_metrics_are_registered_as_corpus_metrics() -> None:
    y_true, y_pred = _encoded(BIO_TRUE) * 4, _encoded(BIO_PRED) * 4
    for name in ("entity_f1", "entity_precision", "entity_recall"):
        assert name in METRICS and name in CORPUS
        stats, score = CORPUS[name]
        assert score(stats(y_true, y_pred).sum(axis=0)) == METRICS[name](y_true, y_pred)
    # the interval is the micro F1's (resampled count rows), not a mean over texts
    interval = metric_interval("entity_f1", y_true, y_pred, n_boot=300, seed=1)
    assert interval.value == pytest.approx(entity_f1(y_true, y_pred))
    assert interval.ci_low <= interval.value <= interval.ci_high
    assert interval.ci_low < interval.ci_high
    again = metric_interval("entity_f1", y_true, y_pred, n_boot=300, seed=1)
    assert again == interval
    recall = metric_interval("entity_recall", y_true, y_pred, n_boot=300)
    assert recall.value == pytest.approx(entity_recall(y_true, y_pred))
