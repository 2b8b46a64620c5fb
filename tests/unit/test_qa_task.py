"""QA: answers read from replies, SQuAD scores by hand, prompts with documents, the corpus
joined to the data, retrieval-augmented units on a scripted LLM, and the retrieval
section's recall and gain worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.data import write_csv as _write

from taskfit import approaches
from taskfit.backends.fake import FakeBackend
from taskfit.config import DataSource
from taskfit.errors import UsageError
from taskfit.learners.embed import Embedder
from taskfit.metrics.retrieval import retrieval_section
from taskfit.run.rag_unit import RAG_PROMPTED, documents
from taskfit.run.runners import UnitEnv
from taskfit.tasks import get_task
from taskfit.tasks.qa import NO_ANSWER, is_no_answer, parse_answer
from taskfit.tasks.scores import exact_match_scores, token_f1_scores
from taskfit.types import Passage, Unit, UnitResult
from taskfit.workflows.context import load_source


def test_answers_are_read_from_the_first_line() -> None:
    assert parse_answer("Answer: 14 days.\nBecause the policy says so.") == "14 days"
    assert parse_answer("The answer is Pro") == "Pro"
    assert parse_answer("  \n ") is None
    for said in ("Not in the documents.", "The documents do not mention it.", "Unknown"):
        assert parse_answer(said) == NO_ANSWER, said
    assert not is_no_answer("It is not free.")


def test_squad_scores_by_hand() -> None:
    truth = ["14 days", "the Pro plan", NO_ANSWER, NO_ANSWER, "blinking amber"]
    pred = ["within 14 days", "Pro", "not in the documents", "14 days", "amber"]
    # 14 days vs within 14 days: P 2/3, R 1 -> 0.8; "pro plan" vs "pro": P 1, R 1/2 -> 2/3
    f1 = token_f1_scores(truth, pred)
    assert f1 == pytest.approx([0.8, 2 / 3, 1.0, 0.0, 2 / 3])
    assert exact_match_scores(truth, pred) == [0.0, 0.0, 1.0, 0.0, 0.0]


def test_prompts_show_documents_before_the_question() -> None:
    t = get_task("qa").prompt.for_task(variant="grounded")
    turns = t.chat("How long?", documents([Passage("r", "Free for 30 days.", "Returns")]))
    assert turns[0][0] == "system" and "only the documents" in turns[0][1]
    assert turns[-1] == (
        "user",
        "Documents:\n[1] Returns: Free for 30 days.\n\nQuestion: How long?",
    )
    assert t.chat("How long?", None)[-1] == ("user", "Question: How long?")


FACTS = [
    ("returns", "Returns", "Returns are accepted within 30 days of delivery.", "30 days"),
    ("warranty", "Warranty", "The hub carries a warranty of 2 years.", "2 years"),
    ("led", "Status light", "A red light means the hub is offline.", "offline"),
    ("plans", "Plans", "The Plus plan costs 9 dollars a month.", "9 dollars"),
]
QUESTIONS = [
    ("How many days do I have to return an item?", "30 days", "returns"),
    ("How long is the hub's warranty?", "2 years", "warranty"),
    ("What does a red light mean?", "offline", "led"),
    ("How much does the Plus plan cost?", "9 dollars", "plans"),
    ("Who founded the company?", NO_ANSWER, ""),
]


@pytest.fixture
def qa_files(tmp_path: Path) -> tuple[Path, Path]:
    rows = [[q, a, g] for _ in range(6) for q, a, g in QUESTIONS]
    data = _write(tmp_path / "qa.csv", ["question", "answer", "passage_id"], rows)
    corpus = _write(tmp_path / "corpus.csv", ["id", "title", "text"], [list(f[:3]) for f in FACTS])
    return data, corpus


def _source(corpus: Path | None, **kw: object) -> DataSource:
    return DataSource(
        text="question", label="answer", task="qa", corpus=corpus, evidence="passage_id", **kw
    )


def test_the_corpus_joins_the_data_and_its_hash(qa_files, tmp_path: Path) -> None:
    data, corpus = qa_files
    ds = load_source(data, _source(corpus), seed=0)
    assert [p.id for p in ds.corpus] == ["returns", "warranty", "led", "plans"]
    assert {e.evidence for e in ds.train} == {"returns", "warranty", "led", "plans", None}
    other = _write(tmp_path / "c2.csv", ["id", "title", "text"], [list(f[:3]) for f in FACTS[:3]])
    bare = load_source(data, DataSource(text="question", label="answer", task="qa"), seed=0)
    assert bare.data_hash != ds.data_hash and not bare.corpus
    with pytest.raises(Exception, match="'plans'"):  # a gold id the corpus lacks
        load_source(data, _source(other), seed=0)
    with pytest.raises(UsageError, match="--corpus"):
        load_source(data, _source(None), seed=0)


def test_retrieval_approaches_need_the_corpus() -> None:
    assert approaches.for_task(("zero-shot", "rag-bm25"), "qa", named=False, corpus=False) == (
        "zero-shot",
    )
    with pytest.raises(UsageError, match="--corpus"):
        approaches.for_task(("rag-bm25",), "qa", named=True, corpus=False)


def _oracle(prompt: str) -> str:
    """Answers when the prompt's documents hold the question's passage, as a careful
    reader would; else says the documents do not."""
    passage = {pid: text for pid, _, text, _ in FACTS}
    question = prompt.split("Question:")[-1]
    for q, answer, gold in QUESTIONS:
        if q in question and gold and passage[gold] in prompt:
            return answer
    return "The documents do not say."


def test_a_retrieval_augmented_unit_on_a_scripted_llm(qa_files) -> None:
    data, corpus = qa_files
    ds = load_source(data, _source(corpus), seed=0)
    fb = FakeBackend(responder=_oracle)
    env = UnitEnv(ds, Embedder(), lambda spec: fb, lambda n: None, fitted={})
    unit = Unit(
        "rag-bm25",
        "prompt",
        "fake",
        ds.data_hash,
        tuple(range(len(ds.test))),
        params=(("retriever", "bm25"), ("top_k", 2), ("dev_size", 0)),
    )
    result = RAG_PROMPTED.run(unit, env)
    rec = result.prompting["retrieval"]
    assert rec["retriever"] == "bm25" and rec["k"] == 2 and len(rec["hits"]) == len(ds.test)
    for ex, hits, got, recall in zip(
        ds.test, rec["hits"], result.predictions, rec["recall"], strict=True
    ):
        if ex.evidence:
            assert recall == float(ex.evidence in hits)
            if recall:
                assert got == ex.target  # the scripted reader found its passage
        else:
            assert recall is None and got == NO_ANSWER
    assert any(n.startswith("bm25 retrieval of the top 2 of 4 passages") for n in result.notes)


def _result(name: str, family: str, preds: list[str], retrieval: dict | None = None) -> UnitResult:
    return UnitResult(
        unit_key=name,
        name=name,
        family=family,  # type: ignore[arg-type]
        model="m",
        labels=(),
        test_indices=tuple(range(len(preds))),
        predictions=tuple(preds),
        probabilities=(),
        latency_ms=(1.0,) * len(preds),
        n_train_labels=0,
        train_seconds=0.0,
        prompting={"retrieval": retrieval} if retrieval else {},
    )


def test_retrieval_section_by_hand(qa_files) -> None:
    data, corpus = qa_files
    ds = load_source(data, _source(corpus), seed=0)
    truth = [e.target for e in ds.test]
    n = len(truth)
    rag_preds = list(truth)
    rag_preds[0] = "wrong"  # right on n - 1
    closed = ["wrong"] * n
    closed[1] = truth[1]  # right on 1
    record = {
        "retriever": "bm25",
        "k": 2,
        "build_seconds": 0.5,
        "query_ms": 0.2,
        "hits": [["returns", "led"]] * n,
        "recall": [1.0, 0.0] + [None] * (n - 2),
        "passages": 4,
    }
    doc = retrieval_section(
        ds,
        [
            _result("zero-shot@m", "prompt", closed),
            _result("rag-bm25@m", "prompt", rag_preds, record),
        ],
        "exact_match",
    )
    assert doc is not None
    (r,) = doc["retrievers"]
    assert r["recall"]["value"] == 0.5 and r["n_gold"] == 2
    (g,) = doc["gain"]
    assert g["closed_book"] == "zero-shot@m"
    assert g["difference"]["value"] == pytest.approx((n - 1 - 1) / n)
    assert doc["hits"][0]["retrieved"]["rag-bm25@m"]["passages"] == ["returns", "led"]
    assert retrieval_section(ds, [_result("zero-shot@m", "prompt", closed)], "exact_match") is None
