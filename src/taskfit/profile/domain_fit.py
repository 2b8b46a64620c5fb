"""Domain fit of an LLM (remark 1(3) of the guide): is the data close to what it read?

Per-token perplexity of the model on a sample of the user's texts, next to its perplexity
on a neutral reference text shipped with taskfit (plain encyclopedic English, written for
this project), cut into pieces of the same typical length as the sample so that both are
scored under the same conditions. A ratio well above 1 means the data is far from the
model's pretraining domain (jargon, codes, another language): prompting it will need more
help, and a model pretrained closer to the domain is worth looking for.

Each text is scored as the continuation of a short fixed cue, through the same batched
``score_options`` call the prompted approaches use, so any backend with prompt
log-probabilities works (the embedded llama.cpp model, or an OpenAI-compatible server).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from importlib import resources

import numpy as np

from taskfit.backends.base import LLMBackend, ScoreRequest
from taskfit.types import DomainFit

__all__ = ["CUE", "HIGH_RATIO", "domain_fit", "reference_chunks"]

CUE = "Text:\n"
MAX_CHARS = 600  # longer texts are cut: perplexity per token needs no more
HIGH_RATIO = 2.0  # data perplexity this many times the reference's: far from the domain


def reference_text() -> str:
    return resources.files("taskfit.profile").joinpath("reference.txt").read_text("utf-8")


def reference_chunks(target_chars: int) -> list[str]:
    """The reference text as consecutive sentence groups of about ``target_chars``."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(reference_text().split()))
    chunks: list[str] = []
    cur = ""
    for s in sentences:
        cur = f"{cur} {s}".strip()
        if len(cur) >= target_chars:
            chunks.append(cur[:MAX_CHARS])
            cur = ""
    if cur:
        chunks.append(cur[:MAX_CHARS])
    return chunks


def _perplexity(backend: LLMBackend, texts: Sequence[str]) -> tuple[float, int]:
    reqs = [ScoreRequest(prefix="", body=CUE, options=(t[:MAX_CHARS],)) for t in texts]
    results = backend.score_options(reqs)
    total_lp = sum(r.logprobs[0] for r in results)
    tokens = sum(r.option_tokens[0] for r in results)
    return math.exp(-total_lp / max(1, tokens)), tokens


def domain_fit(
    backend: LLMBackend, model: str, texts: Sequence[str], *, n_texts: int = 32, seed: int = 0
) -> DomainFit:
    """Perplexity of ``backend`` on up to ``n_texts`` of ``texts`` vs the reference."""
    rng = np.random.default_rng(seed)
    pool = [t for t in texts if t.strip()]
    if len(pool) > n_texts:
        pool = [pool[i] for i in sorted(rng.choice(len(pool), n_texts, replace=False))]
    median = int(np.median([min(len(t), MAX_CHARS) for t in pool])) if pool else 200
    ref = reference_chunks(max(40, median))[: max(8, n_texts)]
    ppl_data, tokens = _perplexity(backend, pool)
    ppl_ref, _ = _perplexity(backend, ref)
    return DomainFit(
        model=model,
        ppl_data=ppl_data,
        ppl_reference=ppl_ref,
        ratio=ppl_data / ppl_ref,
        n_texts=len(pool),
        tokens=tokens,
    )
