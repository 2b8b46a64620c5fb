"""Retrieval without a real model: chunking and corpus loading (every error a user can
cause), BM25 on a toy corpus with known answers, dense retrieval with a hashing
bag-of-words embedder, reciprocal rank fusion and recall@k against values worked out by
hand."""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from taskfit.errors import DataError, UsageError
from taskfit.retrieval import (
    RETRIEVERS,
    BM25Retriever,
    DenseRetriever,
    HybridRetriever,
    build_retriever,
    chunk_words,
    load_corpus,
    mean_recall,
    recall_at_k,
    rrf_fuse,
)
from taskfit.retrieval import dense as dense_module
from taskfit.retrieval.chunk import window_starts
from taskfit.retrieval.corpus import available_memory, index_bytes
from taskfit.types import Passage


class HashingEmbedder:
    """Bag of words hashed into 256 dimensions, L2-normalised: texts that share words are
    close, texts that share none are orthogonal. Counts its calls and texts."""

    dim = 256

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def words(n: int, first: int = 1) -> str:
    return " ".join(f"w{i}" for i in range(first, first + n))


# --------------------------------------------------------------------------- chunking


def test_window_starts_by_hand() -> None:
    # max 120, overlap 30: a window every 90 words until one reaches the end
    assert window_starts(120, 120, 30) == [0]
    assert window_starts(121, 120, 30) == [0, 90]
    assert window_starts(210, 120, 30) == [0, 90]
    assert window_starts(211, 120, 30) == [0, 90, 180]
    assert window_starts(10, 4, 0) == [0, 4, 8]


def test_chunk_words_windows_and_last_window() -> None:
    # 10 words, 4 per window, overlap 1: starts 0, 3, 6; the last ends at w10
    assert chunk_words(words(10), 4, 1) == ["w1 w2 w3 w4", "w4 w5 w6 w7", "w7 w8 w9 w10"]
    # 11 words: a fourth window starting at word 10 holds the last two words only
    assert chunk_words(words(11), 4, 1)[-1] == "w10 w11"
    assert len(chunk_words(words(11), 4, 1)) == 4
    # no overlap: consecutive windows
    assert chunk_words(words(5), 2, 0) == ["w1 w2", "w3 w4", "w5"]


def test_chunk_words_leaves_a_short_text_untouched() -> None:
    text = "one  two\nthree"
    assert chunk_words(text, 3, 1) == [text]
    # a long one is re-joined with single spaces
    assert chunk_words("a\nb  c d", 3, 1) == ["a b c", "c d"]


@pytest.mark.parametrize(("max_words", "overlap"), [(4, 4), (4, 5), (4, -1), (0, 0)])
def test_chunk_words_rejects_a_bad_overlap(max_words: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        chunk_words(words(10), max_words, overlap)


# --------------------------------------------------------------------------- loading


def write_csv(path: Path, rows: list[dict[str, str]], sep: str = ",") -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, sep=sep)
    return path


def test_csv_with_ids_titles_and_a_chunked_row(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "c.csv",
        [
            {"id": "a", "title": "Alpha", "text": "short text"},
            {"id": "b", "title": "Beta", "text": words(10)},
        ],
    )
    ps = load_corpus(f, max_words=4, overlap=1)
    assert [p.id for p in ps] == ["a", "b#1", "b#2", "b#3"]
    assert ps[0] == Passage("a", "short text", "Alpha", "a")
    assert ps[2] == Passage("b#2", "w4 w5 w6 w7", "Beta", "b")
    assert {p.doc for p in ps[1:]} == {"b"}
    assert {p.title for p in ps[1:]} == {"Beta"}


def test_default_ids_and_column_aliases(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", [{"passage": "first"}, {"passage": "second"}])
    ps = load_corpus(f)
    assert [(p.id, p.text, p.doc, p.title) for p in ps] == [
        ("p2", "first", "p2", ""),  # row numbers are file lines: the header is row 1
        ("p3", "second", "p3", ""),
    ]
    g = write_csv(tmp_path / "d.csv", [{"doc_id": "x", "body": "b", "content": "c"}])
    # "content" comes before "body" in the defaults
    assert load_corpus(g) == (Passage("x", "c", "", "x"),)


def test_named_columns_tsv(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "c.tsv", [{"key": "k1", "head": "H", "words": "a, b; c", "text": "no"}], "\t"
    )
    ps = load_corpus(f, text_col="words", id_col="key", title_col="head")
    assert ps == (Passage("k1", "a, b; c", "H", "k1"),)
    assert ps[0].indexed == "H. a, b; c"


def test_jsonl_numbers_keep_their_spelling(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    rows = [{"id": 7, "text": "seven", "title": None}, {"id": "x", "text": "NA"}]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert load_corpus(f) == (Passage("7", "seven", "", "7"), Passage("x", "NA", "", "x"))


def test_parquet(tmp_path: Path) -> None:
    f = tmp_path / "c.parquet"
    pd.DataFrame({"id": [1, 2], "text": ["one", "two"]}).to_parquet(f)
    assert [(p.id, p.text) for p in load_corpus(f)] == [("1", "one"), ("2", "two")]


def test_txt_documents_separated_by_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "c.txt"
    f.write_text("\n\nfirst doc\nstill first\n  \nsecond\n\n\n" + words(5) + "\n", "utf-8")
    ps = load_corpus(f, max_words=3, overlap=0)
    assert [(p.id, p.doc) for p in ps] == [
        ("d1#1", "d1"),
        ("d1#2", "d1"),
        ("d2", "d2"),
        ("d3#1", "d3"),
        ("d3#2", "d3"),
    ]
    assert ps[0].text == "first doc still"
    assert ps[2].text == "second"
    assert ps[4].text == "w4 w5"


# --------------------------------------------------------------------------- errors


def error_of(path: Path, **kwargs: object) -> DataError:
    with pytest.raises(DataError) as e:
        load_corpus(path, **kwargs)  # type: ignore[arg-type]
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return e.value


def test_missing_file_and_bad_format(tmp_path: Path) -> None:
    assert "file not found" in str(error_of(tmp_path / "nope.csv"))
    odd = tmp_path / "c.xlsx"
    odd.write_bytes(b"x")
    assert "unsupported corpus format ('.xlsx')" in str(error_of(odd))
    bad = tmp_path / "c.jsonl"
    bad.write_text('{"text": "ok"}\n{"text": oops}\n', encoding="utf-8")
    e = error_of(bad)
    assert e.row == 2
    assert "not valid JSON" in str(e)
    latin = tmp_path / "l.csv"
    latin.write_bytes(b"text\ncaf\xe9\n")
    assert "not valid UTF-8" in str(error_of(latin))


def test_unknown_column_names_it_and_lists_the_columns(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", [{"id": "a", "text": "x"}])
    e = error_of(f, text_col="body")
    assert e.column == "body"
    assert "no text column 'body'; the columns are: id, text" in str(e)
    assert "no id column 'key'" in str(error_of(f, id_col="key"))
    assert "no title column 'head'" in str(error_of(f, title_col="head"))
    g = write_csv(tmp_path / "g.csv", [{"question": "x"}])
    assert "no text column (looked for text, passage, content, body)" in str(error_of(g))


def test_empty_text_names_the_row(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text('title,text\nA,x\nB,"  "\nC,y\n', encoding="utf-8")
    e = error_of(f)
    assert e.row == 3
    assert str(e) == f"{f}, row 3, column 'text': the text is empty"
    g = write_csv(tmp_path / "g.csv", [{"id": "", "text": "x"}])
    assert "row 2, column 'id': the id is empty" in str(error_of(g))


def test_duplicate_id_names_the_row(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "c.csv", [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}, {"id": "a"}]
    )
    f.write_text("id,text\na,x\nb,y\na,z\n", encoding="utf-8")
    e = error_of(f)
    assert e.row == 4
    assert "duplicate id 'a' (first at row 2)" in str(e)
    # a chunk id that equals another row's id
    g = tmp_path / "g.csv"
    g.write_text(f"id,text\nb#2,x\nb,{words(6)}\n", encoding="utf-8")
    e = error_of(g, max_words=4, overlap=0)
    assert e.row == 3
    assert "duplicate passage id 'b#2' (also made by row 2" in str(e)


def test_empty_corpus(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("id,text\n", encoding="utf-8")
    assert str(error_of(f)) == f"{f}: the corpus has no passages"
    g = tmp_path / "g.txt"
    g.write_text("\n  \n\n", encoding="utf-8")
    assert "the corpus has no passages" in str(error_of(g))
    h = tmp_path / "h.jsonl"
    h.write_bytes(b"")
    assert "the corpus has no passages" in str(error_of(h))


def test_too_large_for_memory_before_and_after_reading(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", [{"text": "x" * 50}, {"text": "y" * 50}])
    size = f.stat().st_size
    before = str(error_of(f, max_bytes=size - 1))
    assert f"the corpus file is {size} bytes, more than the {size - 1} bytes of memory" in before
    assert "split the corpus into smaller files, or pass fewer documents" in before
    # the file fits, indexing does not: 3 x (100 text bytes + 2 x 384 x 4) = 9,516 bytes
    assert index_bytes([Passage("a", "x" * 50), Passage("b", "y" * 50)]) == 9516
    after = str(error_of(f, max_bytes=9000))
    assert "indexing its 2 passages needs about 9.5 KB, more than the 9.0 KB" in after
    assert "split the corpus" in after
    assert len(load_corpus(f, max_bytes=9516)) == 2


def test_available_memory_is_read() -> None:
    mem = available_memory()
    assert mem is not None
    assert mem > 10_000_000


def test_bad_chunking_options_are_a_usage_error(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", [{"text": "x"}])
    with pytest.raises(UsageError, match="0 <= overlap < max_words; got max_words 30"):
        load_corpus(f, max_words=30, overlap=30)


# --------------------------------------------------------------------------- BM25

TOY = (
    Passage("paris", "Paris is the capital and largest city of France.", "Paris"),
    Passage("volcano", "A volcano erupts when molten magma rises through the crust."),
    Passage("insulin", "Insulin is a hormone made by the pancreas that lowers blood sugar."),
    Passage("everest", "Mount Everest, on the border of Nepal and China, is the highest peak."),
    Passage("python", "Python is a programming language created by Guido van Rossum."),
    Passage("photo", "Photosynthesis lets plants turn sunlight, water and CO2 into sugar."),
    Passage("tokyo", "Tokyo is the capital of Japan and its most populous city."),
    Passage("bridge", "The Golden Gate Bridge spans the strait at San Francisco."),
)
QUESTIONS = {
    "What is the capital of France?": "paris",
    "Which organ makes insulin?": "insulin",
    "Who created the Python programming language?": "python",
    "What is the highest peak on the Nepal China border?": "everest",
    "How do plants use sunlight?": "photo",
    "What city is the capital of Japan?": "tokyo",
    "When does a volcano erupt?": "volcano",
}


def test_bm25_finds_the_right_passage_first() -> None:
    r = BM25Retriever(TOY)
    hits = r.search(list(QUESTIONS), k=3)
    assert [TOY[h[0][0]].id for h in hits] == list(QUESTIONS.values())
    for h in hits:
        scores = [s for _, s in h]
        assert scores == sorted(scores, reverse=True)
        assert all(s > 0 for s in scores)
    assert r.name == "bm25"
    assert r.build_seconds > 0


def test_bm25_indexes_the_title() -> None:
    ps = (Passage("a", "the city of light", "Paris"), Passage("b", "a city of canals"))
    # Lucene BM25 by hand: N = 2, df = 1 -> idf = ln(1 + 1.5 / 1.5) = ln 2; "a" indexes
    # "paris city light" (3 words, stop words dropped), "b" "city canals" (2): avglen
    # 2.5, tf part = 1 / (1 + 1.5 * (0.25 + 0.75 * 3 / 2.5)) = 1 / 2.725
    expected = math.log(2) / 2.725
    assert BM25Retriever(ps).search(["paris"], k=2) == [[(0, pytest.approx(expected, rel=1e-5))]]


def test_bm25_query_without_known_words_and_k_beyond_the_corpus() -> None:
    r = BM25Retriever(TOY)
    # stop words only, unknown words only, empty
    assert r.search(["what is the", "zebra quokka", ""], k=5) == [[], [], []]
    # k larger than the corpus: every passage that shares a word, none twice
    (hits,) = r.search(["capital city"], k=100)
    assert sorted(TOY[i].id for i, _ in hits) == ["paris", "tokyo"]
    assert r.search(["capital"], k=0) == [[]]
    assert r.search([], k=3) == []


# --------------------------------------------------------------------------- dense


def test_dense_with_a_hashing_embedder() -> None:
    emb = HashingEmbedder()
    r = DenseRetriever(TOY, emb)
    assert r.kind == "flat"
    assert emb.texts == len(TOY)  # the passages, encoded once
    hits = r.search(list(QUESTIONS), k=2)
    assert emb.texts == len(TOY) + len(QUESTIONS)
    assert [TOY[h[0][0]].id for h in hits] == list(QUESTIONS.values())
    # scores are cosines, best first
    for h in hits:
        assert 0 < h[0][1] <= 1.0 + 1e-6
        assert h[0][1] >= h[1][1]
    # k beyond the corpus: every passage once
    (every,) = r.search(["capital"], k=50)
    assert sorted(i for i, _ in every) == list(range(len(TOY)))
    assert r.build_seconds >= r.encode_seconds > 0


def test_dense_flat_and_hnsw_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    vocab = [f"v{i}" for i in range(400)]
    ps = [Passage(f"x{i}", " ".join(rng.choice(vocab, 12))) for i in range(300)]
    queries = [" ".join(p.text.split()[:6]) for p in ps[:20]]
    flat = DenseRetriever(ps, HashingEmbedder(), index="flat")
    hnsw = DenseRetriever(ps, HashingEmbedder(), index="hnsw")
    assert (flat.kind, hnsw.kind) == ("flat", "hnsw")
    top_flat = [h[0][0] for h in flat.search(queries, k=1)]
    assert top_flat == list(range(20))  # the passage the query was cut from
    assert [h[0][0] for h in hnsw.search(queries, k=1)] == top_flat
    # "auto" switches to HNSW above FLAT_MAX
    monkeypatch.setattr(dense_module, "FLAT_MAX", 299)
    assert DenseRetriever(ps, HashingEmbedder()).kind == "hnsw"
    monkeypatch.setattr(dense_module, "FLAT_MAX", 300)
    assert DenseRetriever(ps, HashingEmbedder()).kind == "flat"


def test_dense_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown index 'ivf'"):
        DenseRetriever(TOY, HashingEmbedder(), index="ivf")
    with pytest.raises(ValueError, match="no passages"):
        DenseRetriever([], HashingEmbedder())

    class Short(HashingEmbedder):
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return super().encode(texts)[:-1]

    with pytest.raises(ValueError, match="returned 7 vectors for 8 texts"):
        DenseRetriever(TOY, Short())


# --------------------------------------------------------------------------- hybrid


def test_rrf_by_hand() -> None:
    # A = [0, 1, 2], B = [2, 0, 3], rrf_k 60:
    # 0: 1/61 + 1/62, 2: 1/63 + 1/61, 1: 1/62, 3: 1/63
    fused = rrf_fuse([[0, 1, 2], [2, 0, 3]], rrf_k=60)
    assert [i for i, _ in fused] == [0, 2, 1, 3]
    assert [s for _, s in fused] == pytest.approx(
        [1 / 61 + 1 / 62, 1 / 63 + 1 / 61, 1 / 62, 1 / 63]
    )
    # equal fused scores: the smaller index first
    assert [i for i, _ in rrf_fuse([[5], [4]])] == [4, 5]
    # rrf_k 0: ranks 1 and 2 weigh 1 and 1/2
    assert rrf_fuse([[1, 0], [0]], rrf_k=0) == [(0, 1.5), (1, 1.0)]


class Fixed:
    """A retriever that returns a fixed ranking and records the depth asked for."""

    def __init__(self, name: str, ranking: list[int]) -> None:
        self.name = name
        self.ranking = ranking
        self.build_seconds = 1.5
        self.asked: list[int] = []

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        self.asked.append(k)
        return [[(i, 10.0 - r) for r, i in enumerate(self.ranking[:k])] for _ in queries]


def test_hybrid_fuses_the_two_rankings() -> None:
    sparse, dense = Fixed("bm25", [0, 1, 2]), Fixed("dense", [2, 0, 3])
    h = HybridRetriever(sparse, dense)
    assert h.build_seconds == 3.0
    assert [[i for i, _ in q] for q in h.search(["q1", "q2"], k=3)] == [[0, 2, 1], [0, 2, 1]]
    assert sparse.asked == dense.asked == [20]  # max(4k, 20)
    h.search(["q"], k=7)
    assert sparse.asked[-1] == 28
    HybridRetriever(sparse, dense, depth=2).search(["q"], k=3)
    assert dense.asked[-1] == 2
    # one side empty (no known word): the other's ranking
    assert [i for i, _ in HybridRetriever(Fixed("b", []), dense).search(["q"], 2)[0]] == [2, 0]


def test_hybrid_on_the_toy_corpus() -> None:
    r = build_retriever("hybrid", TOY, HashingEmbedder())
    assert r.name == "hybrid"
    hits = r.search(list(QUESTIONS), k=2)
    assert [TOY[h[0][0]].id for h in hits] == list(QUESTIONS.values())


# --------------------------------------------------------------------------- recall


def test_recall_by_hand() -> None:
    ps = (
        Passage("a", "x", doc="a"),
        Passage("b#1", "y", doc="b"),
        Passage("b#2", "z", doc="b"),
        Passage("c", "w", doc="c"),
    )
    hits = [[0, 2, 3], [3, 0], [1], [], [0]]
    gold: list[str | None] = ["b", "a | b#2", "c", "a", None]
    # q1: top-1 is "a", gold doc "b" -> 0 at k=1; "b#2" (doc b) is 2nd -> 1 at k=2
    assert recall_at_k(hits, gold, ps, k=1) == [0.0, 0.0, 0.0, 0.0, None]
    assert recall_at_k(hits, gold, ps, k=2) == [1.0, 1.0, 0.0, 0.0, None]
    # k larger than the hits: the hits there are
    assert recall_at_k(hits, gold, ps, k=10) == [1.0, 1.0, 0.0, 0.0, None]
    assert mean_recall(recall_at_k(hits, gold, ps, k=2)) == 0.5
    assert recall_at_k([[0]], ["  | "], ps, k=1) == [None]
    assert mean_recall([None]) is None
    with pytest.raises(ValueError, match="2 hit lists for 1 questions"):
        recall_at_k([[0], [1]], ["a"], ps, k=1)


# --------------------------------------------------------------------------- building


def test_build_retriever() -> None:
    assert RETRIEVERS == ("bm25", "dense", "hybrid")
    assert isinstance(build_retriever("bm25", TOY), BM25Retriever)
    dense = build_retriever("dense", TOY, HashingEmbedder())
    assert isinstance(dense, DenseRetriever)
    assert dense.name == "dense"
    with pytest.raises(ValueError, match="unknown retriever 'tfidf': use one of bm25, dense"):
        build_retriever("tfidf", TOY)
    for kind in ("dense", "hybrid"):
        with pytest.raises(ValueError, match=f"the {kind} retriever needs an embedder"):
            build_retriever(kind, TOY)
