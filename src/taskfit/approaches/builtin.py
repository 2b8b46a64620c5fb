"""The built-in approaches: prompted, baselines and fine-tuned, for every built-in task
type.

They are registered the way plugins are, as :class:`~taskfit.approaches.registry.Approach`
values, before any entry point is loaded. Their order is the default order of
``taskfit compare``. Learner classes are named as ``"module:Class"`` so torch and
sentence-transformers load only when a unit needs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from taskfit.approaches.registry import Approach
from taskfit.types import Unit

if TYPE_CHECKING:
    from taskfit.learners.embed import Embedder

__all__ = ["SWEEP_NO_CAP", "builtin_approaches"]

# SetFit's own per-class cap would flatten a label-budget curve: in a sweep the budget
# is the cap.
SWEEP_NO_CAP = 1_000_000


def _seed(unit: Unit, embedder: Embedder) -> Mapping[str, Any]:
    return {"seed": unit.seed}


def _encoder_lr(unit: Unit, embedder: Embedder) -> Mapping[str, Any]:
    return {"embedder": embedder, "seed": unit.seed}


# What a unit that fine-tunes asks of a Ray node (Approach.resources): the peak resident
# memory of one such unit on the demo data, with room to spare.
_TRAINS_LM = {"memory": 4 * 1024**3}
_TRAINS_ENCODER = {"memory": 2 * 1024**3}


def _setfit_params(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
    per_class = SWEEP_NO_CAP if swept else opts.setfit_per_class
    return (("per_class", per_class), ("max_pairs", opts.setfit_max_pairs))


def _setfit(unit: Unit, embedder: Embedder) -> Mapping[str, Any]:
    return {
        "encoder": unit.model,
        "per_class": unit.param("per_class", 16),
        "max_pairs": unit.param("max_pairs", 640),
        "seed": unit.seed,
    }


def _setfit_sample(unit: Unit) -> str:
    return f"at most {unit.param('per_class')} per class: SetFit is a few-shot method"


# Task types a prompted approach with demonstrations serves; learners of labels serve only
# classification.
_ALL_TASKS = frozenset({"classification", "generation", "reasoning", "qa", "extraction"})
_FREE_TEXT = frozenset({"generation", "reasoning", "qa"})


def _chain(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
    return (("chain", True),)


def _self_consistency(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
    return (
        ("chain", True),
        ("samples", int(getattr(opts, "samples", 5))),
        ("temperature", float(getattr(opts, "temperature", 0.7))),
    )


def _lora_params(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
    # the base model and hyperparameters: the run's ``lora`` settings when it has them
    from taskfit.learners import lora

    settings = getattr(opts, "lora", None) or lora.DEFAULTS
    return settings.params()


def _rationale_params(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
    # LoRA's settings and the teacher: the run's first LLM writes the rationales
    llms = getattr(opts, "llms", ())
    return (*_lora_params(opts, swept), ("teacher", llms[0].canonical if llms else ""))


def _tagger(unit: Unit, embedder: Embedder) -> Mapping[str, Any]:
    return {"encoder": unit.model or embedder.encoder, "seed": unit.seed}


def _retrieval(kind: str | None) -> Any:
    def params(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
        return (
            ("retriever", kind or getattr(opts, "retriever", "hybrid")),
            ("top_k", int(getattr(opts, "top_k", 3))),
        )

    return params


def _reader_params(opts: Any, swept: bool) -> Sequence[tuple[str, Any]]:
    # LoRA's settings with room for the passages, which are cut at READER_PASSAGE_WORDS
    from taskfit.learners import lora

    settings = getattr(opts, "lora", None) or lora.DEFAULTS
    settings = replace(settings, max_length=max(settings.max_length, READER_MAX_LENGTH))
    return (
        *settings.params(),
        *_retrieval(None)(opts, swept),
        ("passage_words", READER_PASSAGE_WORDS),
    )


# The fine-tuned reader's passages are cut at this many words and its training sequences
# at this many tokens, so question + passages + answer fit.
READER_PASSAGE_WORDS = 60
READER_MAX_LENGTH = 512


def _rag(kind: str, summary: str) -> Approach:
    return Approach(
        f"rag-{kind}",
        "prompt",
        summary,
        tasks=frozenset({"qa"}),
        needs=frozenset({"corpus", "encoder"} if kind != "bm25" else {"corpus"}),
        runner="taskfit.run.rag_unit:RAG_PROMPTED",
        unit_params=_retrieval(kind),
        seeded=False,
        compare_default=True,
        curve_default=2,
    )


def builtin_approaches() -> list[Approach]:
    return [
        Approach(
            "zero-shot",
            "prompt",
            "prompt the LLM with the task (and its labels), no examples",
            tasks=_ALL_TASKS,
            demos="none",
            seeded=False,  # no randomness: a curve draws it once
            compare_default=True,
            curve_default=0,
        ),
        Approach(
            "few-shot",
            "prompt",
            "prompt the LLM with --shots (label-balanced) random training examples",
            tasks=_ALL_TASKS,
            demos="random",
            compare_default=True,
            curve_default=1,
        ),
        Approach(
            "few-shot-knn",
            "prompt",
            "prompt the LLM with the --shots training examples nearest each input",
            tasks=_ALL_TASKS,
            demos="knn",
            # each input sees other demonstrations, so no prefix is shared and every
            # candidate prompt costs a full pass: only the format is chosen on dev data
            variants=("list",),
            compare_default=True,
        ),
        Approach(
            "majority",
            "baseline",
            "predict the most frequent training label (the floor to beat)",
            tasks=frozenset({"classification", "reasoning", "qa"}),
            learner="taskfit.learners.baseline:MajorityClassifier",
            compare_default=True,
        ),
        Approach(
            "tfidf-lr",
            "baseline",
            "word 1-2-gram TF-IDF + logistic regression, the classic strong baseline",
            learner="taskfit.learners.baseline:TfidfLogReg",
            learner_kwargs=_seed,
            compare_default=True,
            curve_default=1,
        ),
        Approach(
            "encoder-lr",
            "finetune",
            "frozen sentence encoder (--encoder) + logistic regression",
            needs=frozenset({"encoder"}),
            learner="taskfit.learners.encoder:EncoderLogReg",
            learner_kwargs=_encoder_lr,
            compare_default=True,
            curve_default=0,
        ),
        Approach(
            "setfit",
            "finetune",
            "SetFit: contrastive fine-tuning of the sentence encoder + a logistic head",
            needs=frozenset({"encoder"}),
            resources=_TRAINS_ENCODER,
            learner="taskfit.learners.setfit_learner:SetFitLearner",
            unit_params=_setfit_params,
            learner_kwargs=_setfit,
            sample_reason=_setfit_sample,
            compare_default=True,
        ),
        Approach(
            "cot",
            "prompt",
            "chain of thought: the LLM reasons step by step, then the answer is read back",
            tasks=frozenset({"reasoning"}),
            unit_params=_chain,
            seeded=False,
            compare_default=True,
        ),
        Approach(
            "self-consistency",
            "prompt",
            "--samples chains of thought at --temperature, majority vote of their answers",
            tasks=frozenset({"reasoning"}),
            unit_params=_self_consistency,
            compare_default=True,
        ),
        Approach(
            "nearest-output",
            "baseline",
            "the target of the most similar training input (TF-IDF): the retrieval floor",
            tasks=_FREE_TEXT,
            learner="taskfit.learners.baseline:NearestOutput",
            compare_default=True,
            curve_default=1,
        ),
        Approach(
            "lora",
            "finetune",
            "LoRA fine-tune of a small causal LM (the embedded SmolLM2-135M by default)",
            tasks=_FREE_TEXT,
            runner="taskfit.run.lora_unit:LORA",
            resources=_TRAINS_LM,
            unit_params=_lora_params,
            compare_default=True,
            curve_default=0,
        ),
        Approach(
            "lora-rationales",
            "finetune",
            "distilling step by step: LoRA on the LLM's rationales plus the gold answers",
            needs=frozenset({"llm"}),
            tasks=frozenset({"reasoning"}),
            runner="taskfit.run.rationale_unit:RATIONALES",
            resources=_TRAINS_LM,
            unit_params=_rationale_params,
            # named when wanted: the teacher writes a chain for every training question
        ),
        _rag("bm25", "the LLM answers from the --top-k passages BM25 finds in the --corpus"),
        _rag("dense", "the LLM answers from the --top-k passages nearest by sentence encoder"),
        _rag("hybrid", "the LLM answers from BM25 and dense results fused (reciprocal rank)"),
        Approach(
            "lora-rag",
            "finetune",
            "a LoRA fine-tuned reader of the small LM: question + --retriever passages -> answer",
            tasks=frozenset({"qa"}),
            needs=frozenset({"corpus", "encoder"}),
            runner="taskfit.run.rag_unit:RAG_LORA",
            resources=_TRAINS_LM,
            unit_params=_reader_params,
            compare_default=True,
        ),
        Approach(
            "gazetteer",
            "baseline",
            "extraction floor: the training spans as a dictionary plus their character shapes",
            tasks=frozenset({"extraction"}),
            learner="taskfit.learners.gazetteer:SpanGazetteer",
            compare_default=True,
            curve_default=1,
        ),
        Approach(
            "token-tagger",
            "finetune",
            "the sentence encoder (--encoder) fine-tuned as a BIO token classifier",
            tasks=frozenset({"extraction"}),
            needs=frozenset({"encoder"}),
            resources=_TRAINS_ENCODER,
            learner="taskfit.learners.token_tagger:TokenTagger",
            learner_kwargs=_tagger,
            compare_default=True,
            curve_default=0,
        ),
    ]
