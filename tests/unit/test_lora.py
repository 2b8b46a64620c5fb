"""The "lora" approach on a tiny randomly initialised Llama and a tokenizer built here:
prompt masking, the adapter cache, determinism, label budgets and the unit runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="LoRA fine-tuning needs torch")
pytest.importorskip("peft", reason="LoRA fine-tuning needs peft (pip install taskfit[models])")
transformers = pytest.importorskip("transformers", reason="LoRA fine-tuning needs transformers")

from taskfit import approaches  # noqa: E402
from taskfit.learners.lora import LoraLearner, LoraSettings, max_new_tokens_for  # noqa: E402
from taskfit.run.budgets import train_examples  # noqa: E402
from taskfit.run.curve_plan import CurvePlan, plan_curve  # noqa: E402
from taskfit.run.execute import Executor, ProgressHook  # noqa: E402
from taskfit.run.lora_unit import LORA  # noqa: E402
from taskfit.run.plan import PlanOptions  # noqa: E402
from taskfit.run.runners import UnitEnv, runner_for  # noqa: E402
from taskfit.run.store import Store  # noqa: E402
from taskfit.types import Dataset, Example, Unit, UnitResult  # noqa: E402

CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
COLOURS = ("red", "blue", "green", "black", "white", "grey")
ITEMS = ("cup", "lamp", "chair", "kettle", "desk", "bottle")


def _pairs(n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        colour, item = COLOURS[i % len(COLOURS)], ITEMS[(i * 5 + i // 6) % len(ITEMS)]
        out.append(
            (f"item: {item} | colour: {colour} | price: {10 + i} USD", f"A {colour} {item}.")
        )
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer Llama (hidden size 32) and a byte-level BPE tokenizer with a chat
    template, saved as a local Hugging Face model folder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    specials = ["<unk>", "<pad>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    corpus = [f"{a} {b} user assistant Given the input" for a, b in _pairs(60)]
    tok.train_from_iterator(corpus, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<|im_end|>"
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(str(folder))
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=fast.pad_token_id,
        eos_token_id=fast.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(str(folder))
    return folder


def _settings(model: Path, **kw: object) -> LoraSettings:
    base: dict[str, object] = {"base_model": str(model), "epochs": 2, "lr": 1e-2, "batch_size": 4}
    return LoraSettings(**{**base, **kw})  # type: ignore[arg-type]


def _dataset(n_train: int = 24, n_test: int = 6, task: str = "generation") -> Dataset:
    ex = tuple(Example(t, y) for t, y in _pairs(n_train + n_test))
    return Dataset(
        train=ex[:n_train],
        test=ex[n_train:],
        labels=(),
        data_hash=f"tiny-{task}-{n_train}-{n_test}",
        source="memory:tiny",
        text_col="attributes",
        label_col="description",
        task=task,
    )


def _unit(ds: Dataset, settings: LoraSettings, seed: int = 0, **extra: object) -> Unit:
    params = (*settings.params(), *extra.items())
    return Unit("lora", "finetune", "", ds.data_hash, tuple(range(len(ds.test))), seed, params)


def _no_llm(spec: str) -> Any:
    raise AssertionError("the lora runner uses no LLM backend")


# --------------------------------------------------------------------------- learner


def test_loss_is_on_the_target_tokens_only(tiny_model: Path) -> None:
    learner = LoraLearner(_settings(tiny_model), instruction="Describe it.")
    base = learner.load()
    text, target = _pairs(1)[0]
    ids, labels = learner.encode_pair(text, target)
    prompt = learner.prompt_ids(text)
    assert len(prompt) < len(ids) == len(labels)
    assert labels[: len(prompt)] == [-100] * len(prompt)  # the prompt is masked
    assert labels[len(prompt) :] == ids[len(prompt) :]
    tok = learner.tokenizer_
    assert tok.decode(labels[len(prompt) :]) == f"{target}<|im_end|>"  # target, then EOS
    assert "Describe it." in tok.decode(prompt) and target not in tok.decode(prompt)
    assert learner.stop_ids_ == [tok.convert_tokens_to_ids("<|im_end|>")]

    # the loss (logits only where a target token is predicted) is the cross-entropy of
    # the full logits at the target positions; padding and prompt positions add nothing
    rows = [learner.encode_pair(t, y) for t, y in _pairs(3)]
    ids_t, labels_t, mask = learner._batch(rows)
    with torch.no_grad():
        loss = learner._loss(base, ids_t, labels_t, mask)
        logits = base(input_ids=ids_t, attention_mask=mask).logits
    gold = labels_t[:, 1:]
    keep = gold != -100
    expected = torch.nn.functional.cross_entropy(logits[:, :-1][keep], gold[keep])
    assert int(keep.sum()) == sum(len(learner.target_ids(y)) for _, y in _pairs(3))
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)


def test_max_new_tokens_from_target_lengths() -> None:
    assert max_new_tokens_for([10] * 19 + [40]) == int(1.5 * 10 + 8)
    assert max_new_tokens_for([1000]) == 512


def test_training_lowers_the_loss_and_is_deterministic(tiny_model: Path) -> None:
    pairs = _pairs(24)
    texts, targets = [t for t, _ in pairs], [y for _, y in pairs]
    a = LoraLearner(_settings(tiny_model), seed=0).fit(texts, targets)
    b = LoraLearner(_settings(tiny_model), seed=0).fit(texts, targets)
    assert a.trained_ and a.steps_ == 2 * 6 and a.n_used_ == 24 and a.train_seconds_ > 0
    assert a.adapter_dir_ is None  # no cache folder: nothing saved

    base = a.load()
    rows = [a.encode_pair(t, y) for t, y in pairs]
    batch = a._batch(rows)
    with torch.no_grad():
        before = float(a._loss(base, *batch))
        after = float(a._loss(a.model_, *batch))
    assert after < before

    test = [t for t, _ in _pairs(30)[24:]]
    out = a.predict(test)
    assert len(out) == len(test) and all(isinstance(x, str) for x in out)
    assert b.predict(test) == out  # same seed, same data: same outputs
    assert a.predict(test[:1]) == a.predict(test[:1])
    c = LoraLearner(_settings(tiny_model), seed=1).fit(texts, targets)
    merged = dict(a.model_.named_parameters())
    assert any(
        not torch.equal(p, merged[name]) for name, p in c.model_.named_parameters()
    )  # another seed trains another adapter


def test_adapter_folder_is_reused(tiny_model: Path, tmp_path: Path) -> None:
    pairs = _pairs(16)
    texts, targets = [t for t, _ in pairs], [y for _, y in pairs]
    done: list[int] = []
    first = LoraLearner(_settings(tiny_model), cache_dir=tmp_path, progress=done.append)
    first.fit(texts, targets)
    assert first.trained_ and first.steps_ > 0 and sum(done) == 2 * 16
    folder = first.adapter_dir_
    assert folder is not None and folder.parent == tmp_path
    assert (folder / "adapter_config.json").is_file() and (folder / "taskfit_lora.json").is_file()

    done.clear()
    second = LoraLearner(_settings(tiny_model), cache_dir=tmp_path, progress=done.append)
    second.fit(texts, targets)
    assert not second.trained_ and second.steps_ == 0  # loaded, not trained
    assert second.adapter_dir_ == folder and sum(done) == 2 * 16
    assert second.train_seconds_ == pytest.approx(first.train_seconds_)
    test = [t for t, _ in _pairs(20)[16:]]
    assert second.predict(test) == first.predict(test)

    # other settings, seed or data: another folder, trained
    other = LoraLearner(_settings(tiny_model, rank=4), cache_dir=tmp_path).fit(texts, targets)
    assert other.trained_ and other.adapter_dir_ != folder
    fewer = LoraLearner(_settings(tiny_model), cache_dir=tmp_path).fit(texts[:-1], targets[:-1])
    assert fewer.trained_ and fewer.adapter_dir_ != folder
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 3


# --------------------------------------------------------------------------- runner


def test_registered_with_its_settings_in_the_unit_key() -> None:
    a = approaches.get("lora")
    assert a.family == "finetune" and a.tasks == {"generation", "reasoning", "qa"}
    assert a.compare_default and a.learner is None
    params = dict(a.extra_params(PlanOptions(approaches=("lora",))))
    assert params["base_model"] == "smollm2" and params["rank"] == 8
    assert LoraSettings.from_params(params) == LoraSettings()
    assert runner_for(_unit(_dataset(), LoraSettings()), "generation") is LORA
    # a label-budget curve sweeps it: each point a unit with its budget in the key
    ds = _dataset()
    plan = CurvePlan(learners=("lora",), prompted=(), budgets=(6, 12), seeds=2)
    units = plan_curve(ds, plan).units
    assert sorted((u.param("budget"), u.seed) for u in units) == [(6, 0), (6, 1), (12, 0), (12, 1)]
    assert all(u.param("base_model") == "smollm2" for u in units)
    assert len({u.key for u in units}) == 4


def test_budget_selects_a_seeded_nested_sample() -> None:
    ds = _dataset(n_train=24)
    settings = LoraSettings()
    assert train_examples(_unit(ds, settings), ds)[0] == list(ds.train)
    small, _ = train_examples(_unit(ds, settings, budget=5, budget_unit="total"), ds)
    large, _ = train_examples(_unit(ds, settings, budget=12, budget_unit="total"), ds)
    again, _ = train_examples(_unit(ds, settings, budget=5, budget_unit="total"), ds)
    other, _ = train_examples(_unit(ds, settings, 1, budget=5, budget_unit="total"), ds)
    assert len(small) == 5 and len(large) == 12 and set(small) <= set(large)
    assert again == small and other != small
    unit = _unit(ds, settings, budget=5, budget_unit="total", serving_latency=False)
    env = UnitEnv(ds, None, _no_llm, lambda n: None)  # type: ignore[arg-type]
    assert LORA.total(unit, env) == settings.epochs * 5 + len(ds.test)  # no latency timing


class _Counting(ProgressHook):
    def __init__(self) -> None:
        self.totals: list[int] = []
        self.done = 0

    def unit_started(self, unit: Unit, total: int) -> None:
        self.totals.append(total)

    def advance(self, n: int) -> None:
        self.done += n


def _execute(ds: Dataset, unit: Unit, db: Path) -> tuple[UnitResult, _Counting, Executor]:
    hook = _Counting()
    ex = Executor(dataset=ds, store=Store(db), embedder=None, hook=hook)  # type: ignore[arg-type]
    (res,) = ex.run([unit])
    return res, hook, ex


def test_runner_gives_a_well_formed_result(tiny_model: Path, tmp_path: Path) -> None:
    ds = _dataset()
    unit = _unit(ds, _settings(tiny_model), budget=12, budget_unit="total")
    res, hook, ex = _execute(ds, unit, tmp_path / "home" / "store.db")
    assert (res.unit_key, res.name, res.family, res.model) == (unit.key, "lora", "finetune", "")
    assert res.labels == () and res.probabilities == () and res.test_indices == unit.test_indices
    assert len(res.predictions) == len(ds.test) and all(isinstance(p, str) for p in res.predictions)
    assert len(res.latency_ms) == len(ds.test) and min(res.latency_ms) > 0
    assert res.n_train_labels == 12 and res.train_seconds > 0 and res.parse_failures == 0
    assert "the same base model prompted and tuned is the cleanest comparison" in res.notes[0]
    assert hook.totals == [2 * 12 + 2 * len(ds.test)] and hook.done == hook.totals[0]
    assert UnitResult.from_json(res.to_json()) == res
    assert ex.stats.units_run == 1
    saved = list((tmp_path / "home" / "lora").iterdir())
    assert len(saved) == 1 and (saved[0] / "adapter_config.json").is_file()

    # served from the store; another store in the same folder reuses the adapter
    again, _, ex2 = _execute(ds, unit, tmp_path / "home" / "store.db")
    assert ex2.stats.units_cached == 1 and again == res
    fresh, hook3, _ = _execute(ds, unit, tmp_path / "home" / "other.db")
    assert fresh.predictions == res.predictions
    assert any("adapter reused" in n for n in fresh.notes)
    assert fresh.train_seconds == pytest.approx(res.train_seconds)
    assert hook3.done == hook3.totals[0]


def test_reasoning_answers_are_parsed_and_failures_counted(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = _dataset(n_train=8, n_test=3, task="reasoning")
    replies = iter([["42", "I am not sure.\nIt depends.", "so 3 + 4 = 7. The answer is 7."]])

    def scripted(self: LoraLearner, texts: list[str]) -> list[str]:
        return next(replies, ["1"] * len(texts))

    monkeypatch.setattr(LoraLearner, "predict", scripted)
    unit = _unit(ds, _settings(tiny_model, epochs=1), serving_latency=False)
    res, _, _ = _execute(ds, unit, tmp_path / "store.db")
    assert res.predictions == ("42", "", "7") and res.parse_failures == 1
    assert res.latency_ms == ()
    assert any("no answer could be read from 1 of 3" in n for n in res.notes)


def test_classification_data_is_refused(tiny_model: Path) -> None:
    ds = _dataset()
    ds = Dataset(**{**ds.__dict__, "task": "classification", "labels": ("a", "b")})
    env = UnitEnv(ds, None, _no_llm, lambda n: None)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="free-text"):
        LORA.run(_unit(ds, _settings(tiny_model)), env)


# --------------------------------------------------------------------------- rationales


def _sums(n: int) -> list[tuple[str, str]]:
    return [(f"What is {a} plus {a % 5 + 2}?", str(a + a % 5 + 2)) for a in range(10, 10 + n)]


def _teacher(prompt: str) -> str:
    """A chain of thought that is right for even a, one too high for odd a."""
    import re

    a, b = (int(x) for x in re.findall(r"What is (\d+) plus (\d+)\?", prompt)[-1])
    answer = a + b + a % 2
    return f"Add {a} and {b}: {a} + {b} = {answer}. So the answer is {answer}."


def test_rationale_runner_trains_on_the_teachers_working_and_the_gold_answer(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from taskfit.backends.fake import FakeBackend
    from taskfit.run.rationale_unit import RATIONALES

    ex = tuple(Example(q, y) for q, y in _sums(10))
    ds = Dataset(
        ex[:8], ex[8:], (), "sums-8-2", "memory:sums", "question", "answer", task="reasoning"
    )
    seen: dict[str, list[str]] = {}

    def fit(self: LoraLearner, texts: list[str], targets: list[str]) -> LoraLearner:
        seen["texts"], seen["targets"] = list(texts), list(targets)
        seen["instruction"] = [self.instruction]
        self.trained_, self.train_seconds_, self.n_truncated_ = True, 0.5, 0
        return self

    monkeypatch.setattr(LoraLearner, "fit", fit)
    monkeypatch.setattr(
        LoraLearner, "predict", lambda self, texts: ["3 + 4 = 7. The answer is 7."] * len(texts)
    )
    settings = _settings(tiny_model, epochs=1)
    unit = Unit(
        "lora-rationales",
        "finetune",
        "",
        ds.data_hash,
        (0, 1),
        0,
        (*settings.params(), ("teacher", "fake"), ("serving_latency", False)),
    )
    assert runner_for(unit, "reasoning") is RATIONALES
    hook = _Counting()
    exe = Executor(
        dataset=ds,
        store=Store(tmp_path / "store.db"),
        embedder=None,  # type: ignore[arg-type]
        backend_factory=lambda spec: FakeBackend(responder=_teacher),
        hook=hook,
    )
    (res,) = exe.run([unit])
    # each target: the teacher's working without its own answer, then the gold answer
    first_q, first_gold = ds.train[0].text, ds.train[0].target  # a = 10: the teacher is right
    second_gold = ds.train[1].target  # a = 11: the teacher says one more
    assert seen["targets"][0] == f"Add 10 and 2: 10 + 2 = 12.\nThe answer is {first_gold}."
    assert seen["targets"][1].endswith(f"The answer is {second_gold}.")
    assert f"= {int(second_gold) + 1}." in seen["targets"][1]  # its working is kept as it is
    assert first_q in seen["texts"][0]
    assert "step by step" in seen["instruction"][0]  # the student is asked to reason
    assert res.predictions == ("7", "7") and res.prompting["outputs"][0].startswith("3 + 4")
    notes = " ".join(res.notes)
    assert "for 8 training questions" in notes and "right for 4 (50%)" in notes
    assert res.train_seconds > 0.5  # the teacher's time counts as training time
    assert hook.totals == [8 + 1 * 8 + 2]  # teacher chains, one epoch, test outputs


def test_rationale_runner_needs_a_teacher(tiny_model: Path) -> None:
    from taskfit.errors import UsageError
    from taskfit.run.rationale_unit import RATIONALES

    ds = _dataset(n_train=4, n_test=2, task="reasoning")
    unit = Unit(
        "lora-rationales", "finetune", "", ds.data_hash, (0, 1), 0, _settings(tiny_model).params()
    )
    env = UnitEnv(ds, None, _no_llm, lambda n: None)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="needs a teacher LLM"):
        RATIONALES.run(unit, env)
