"""Extraction end to end on a scripted LLM: prompts list the types and carry the reply
schema, demonstrations show spans as JSON, replies become spans, the entity metrics and
the entities section are worked out by hand, CoNLL files load like JSON Lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from taskfit.backends.fake import FakeBackend
from taskfit.config import CompareOptions, DataSource
from taskfit.metrics.entities import entities_section
from taskfit.tasks import get_task
from taskfit.tasks.extraction import parse_entities, prompt_fields, read_target
from taskfit.tasks.extraction.conll import write_conll
from taskfit.tasks.extraction.spans import Span, decode_spans
from taskfit.types import Example
from taskfit.workflows.compare import compare_dataset
from taskfit.workflows.context import load_source


def _messages(n: int) -> list[dict]:
    out = []
    for i in range(n):
        text = f"Order NW-{10000 + i} cost ${i}.99 and the Hub Mini is broken"
        a, b = text.index("NW-"), text.index("$")
        c = text.index("Hub Mini")
        spans = [
            {"start": a, "end": a + 8, "label": "ORDER_ID"},
            {"start": b, "end": text.index(" and"), "label": "AMOUNT"},
            {"start": c, "end": c + 8, "label": "PRODUCT"},
        ]
        out.append({"text": text, "spans": spans})
    return out


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_targets_are_checked_and_canonical() -> None:
    text = "Order NW-1 for $5"
    assert read_target(text, '[{"start": "6", "end": "10", "type": "ID"}]') == '[[6,10,"ID"]]'
    assert read_target(text, "") == "[]"
    with pytest.raises(ValueError, match="outside"):
        read_target(text, '[[6, 40, "ID"]]')


def test_prompt_lists_the_types_and_demos_reply_in_json() -> None:
    train = [Example("Order NW-1 for $5", '[[6,10,"ID"],[15,17,"AMOUNT"]]')]
    fields = prompt_fields(train)
    assert fields == {"types": ["AMOUNT", "ID"], "max_items": 6}
    t = get_task("extraction").prompt.for_task(**fields)
    assert "AMOUNT, ID" in t.instruction
    schema = json.loads(t.json_schema or "")
    items = schema["properties"]["entities"]
    assert items["maxItems"] == 6 and items["items"]["properties"]["type"]["enum"] == [
        "AMOUNT",
        "ID",
    ]
    turns = t.chat("Where is NW-2?", None, [(train[0].text, None, train[0].target)])
    reply = json.loads(turns[2][1])
    assert reply == {"entities": [{"text": "NW-1", "type": "ID"}, {"text": "$5", "type": "AMOUNT"}]}


def test_replies_become_spans() -> None:
    text = "NW-1 and NW-1 again"
    twice = '{"entities": [{"text": "NW-1", "type": "ID"}, {"text": "NW-1", "type": "ID"}]}'
    assert decode_spans(parse_entities(twice, {"text": text}) or "") == (
        Span(0, 4, "ID"),
        Span(9, 13, "ID"),
    )
    # text around the JSON is tolerated; a mention the text lacks is dropped
    chatty = 'Sure: {"entities": [{"text": "NW-9", "type": "ID"}]} done'
    assert parse_entities(chatty, {"text": text}) == "[]"
    # a reply cut at the token cap keeps the entities it completed; prose is a failure
    cut = '{"entities": [{"text": "NW-1", "type": "ID"}, {"text": "NW'
    assert parse_entities(cut, {"text": text}) == '[[0,4,"ID"]]'
    assert parse_entities("I found an order id.", {"text": text}) is None


def _ids_only(prompt: str) -> str:
    """Finds order ids in the last message, and nothing else."""
    last = prompt.rsplit("Text:", 1)[-1]
    found = [{"text": m, "type": "ORDER_ID"} for m in re.findall(r"NW-\d+", last)]
    return json.dumps({"entities": found})


def test_compare_on_a_scripted_llm(tmp_path: Path, monkeypatch) -> None:
    from taskfit.workflows import context

    monkeypatch.setattr(
        context, "make_backend", lambda spec, **kw: FakeBackend(responder=_ids_only)
    )
    data = _jsonl(tmp_path / "m.jsonl", _messages(40))
    ds = load_source(
        data, DataSource(text="text", label="spans", task="extraction", test_size=0.25), seed=0
    )
    opts = CompareOptions(
        approaches=("zero-shot", "gazetteer"),
        llms=("smollm2",),
        dev_size=0,
        home=str(tmp_path / "home"),
        out=str(tmp_path / "out"),
        plots=False,
    )
    compare_dataset(ds, opts)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    rows = {a["name"].split("@")[0]: a for a in doc["approaches"]}
    # the scripted model finds every order id and nothing else: precision 1, recall 1/3
    zs = rows["zero-shot"]["metrics"]
    assert zs["entity_precision"]["value"] == 1.0
    assert zs["entity_recall"]["value"] == pytest.approx(1 / 3)
    assert zs["entity_f1"]["value"] == pytest.approx(0.5)
    per = doc["entities"]["per_type"]
    zs_name = next(n for n in per if n.startswith("zero-shot"))
    assert per[zs_name]["ORDER_ID"]["f1"] == 1.0 and per[zs_name]["AMOUNT"]["recall"] == 0.0
    errors = doc["entities"]["errors"][zs_name]["by_type"]
    assert errors["AMOUNT"]["missed"] == errors["PRODUCT"]["missed"] == len(ds.test)
    assert rows["gazetteer"]["metrics"]["entity_f1"]["value"] > 0.9
    assert doc["task"]["metrics"][0]["name"] == "entity_f1"


def test_conll_files_load_like_json_lines(tmp_path: Path) -> None:
    records = _messages(20)
    examples = [
        (r["text"], tuple(Span(s["start"], s["end"], s["label"]) for s in r["spans"]))
        for r in records
    ]
    write_conll(tmp_path / "m.conll", examples)
    ds = load_source(
        tmp_path / "m.conll", DataSource(text="text", label="spans", task="extraction"), seed=0
    )
    got = sorted((e.text, e.target) for e in (*ds.train, *ds.test))
    # CoNLL joins tokens by single spaces: "$ 0 . 99" holds the same spans, re-offset
    assert len(got) == 20
    for text, target in got:
        spans = decode_spans(target)
        assert [s.type for s in spans] == ["ORDER_ID", "AMOUNT", "PRODUCT"]
        assert text[spans[2].start : spans[2].end] == "Hub Mini"


def test_error_kinds_in_the_section() -> None:
    from taskfit.types import Dataset, UnitResult

    test = (Example("Order NW-1 for $5", '[[6,10,"ID"],[15,17,"AMOUNT"]]'),)
    ds = Dataset((), test, (), "h", "s", "text", "spans", task="extraction")
    pred = '[[6,9,"ID"],[15,17,"ID"],[0,5,"ID"]]'  # boundary, wrong type, spurious
    r = UnitResult("k", "x", "prompt", "m", (), (0,), (pred,), (), (1.0,), 0, 0.0)
    sec = entities_section(ds, [r])
    assert sec["errors"]["x"]["by_type"]["ID"]["boundary"] == 1
    assert sec["errors"]["x"]["by_type"]["AMOUNT"]["wrong_type"] == 1
    assert sec["errors"]["x"]["spurious"] == {"ID": 1}
    assert sec["examples"][0]["predicted"]["x"][0] == ["Order", "ID"]
