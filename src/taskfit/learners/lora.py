"""LoRA fine-tuning of a small causal LM on input -> output pairs, and greedy generation.

The base model is the embedded SmolLM2-135M-Instruct GGUF by default (the file the
``smollm2`` LLM runs with llama.cpp), loaded through transformers, which dequantises it to
float32; a GGUF file or a local Hugging Face model folder works too. Training and
generation run in float32 on the CPU.

- **Format.** Each pair is rendered with the tokenizer's chat template when it has one:
  an optional short instruction is the system turn (as a prompted chat has it; it opens
  the user turn when the template takes no system turn), the user turn is the input, the
  assistant turn the target, closed by the template's end-of-turn marker (else the EOS
  token). Without a chat template the prompt is the instruction and the input, then
  ``Output:``. The loss is on the assistant's tokens and the end-of-turn marker only (the
  prompt is masked with -100), and logits are computed only where a target token is
  predicted.
- **Training.** A plain torch loop: AdamW, a short linear warm-up then linear decay,
  seeded shuffling, LoRA initialisation and dropout (``torch.manual_seed``), batches of
  ``batch_size`` right-padded sequences cut at ``max_length`` tokens.
- **Generation.** Greedy, batched with left padding, at most ``1.5 x p95 + 8`` new tokens
  (p95 of the training targets' token lengths, capped at 512); the adapter is merged into
  the weights for prediction, as a deployment would serve it.
- **Cache.** The adapter is saved (peft ``save_pretrained``) in a folder of ``cache_dir``
  named by a hash of the base model, the settings, the seed, the instruction and the
  training pairs; a later fit with the same key loads it instead of training.

torch, transformers and peft are imported when a model is loaded, not with this module.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import math
import os
import random
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from taskfit.errors import UsageError
from taskfit.types import canonical_hash

__all__ = [
    "DEFAULTS",
    "DEFAULT_MODEL",
    "LoraLearner",
    "LoraSettings",
    "describe_model",
    "max_new_tokens_for",
    "resolve_model",
]

DEFAULT_MODEL = "smollm2"
# Bumped whenever formatting or training changes what an adapter learns: old adapter
# folders are then not reused.
_FORMAT_VERSION = 1
_META = "taskfit_lora.json"
_MAX_NEW_TOKENS_CAP = 512


@dataclass(frozen=True)
class LoraSettings:
    """What a LoRA fine-tune depends on besides its data and seed (the unit params).

    ``base_model``: ``smollm2`` (the embedded GGUF), the path of a GGUF file
    (``gguf:/path/model.gguf`` or ``/path/model.gguf``) or of a local Hugging Face model
    folder.

    The defaults are sized for a CPU. The learning rate is high for LoRA because the
    budgets are small: on the generation demo (100 examples, 3 epochs, SmolLM2-135M)
    2e-4 left the model writing its own kind of product blurb (ROUGE-L 0.37 on 30 test
    examples) where 1e-3 learnt the references' pattern (0.58)."""

    base_model: str = DEFAULT_MODEL
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    epochs: int = 3
    lr: float = 1e-3
    batch_size: int = 8
    max_length: int = 256

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_modules", tuple(self.target_modules))
        for name in ("rank", "alpha", "epochs", "batch_size", "max_length"):
            if int(getattr(self, name)) < 1:
                raise UsageError(f"LoRA {name} must be a positive number")
        if not 0 <= self.dropout < 1:
            raise UsageError("LoRA dropout must be in [0, 1)")
        if not self.lr > 0:
            raise UsageError("LoRA learning rate must be positive")
        if not self.target_modules:
            raise UsageError("LoRA needs at least one target module")

    def params(self) -> tuple[tuple[str, Any], ...]:
        """As unit params (plain JSON values, a fixed order)."""
        out: list[tuple[str, Any]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            out.append((f.name, list(value) if isinstance(value, tuple) else value))
        return tuple(out)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> LoraSettings:
        """The settings in ``params`` (unit params); the others are the defaults."""
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in params.items() if k in known}
        if "target_modules" in kw:
            kw["target_modules"] = tuple(kw["target_modules"])
        return cls(**kw)


# What the "lora" approach uses when the run's options say nothing else.
DEFAULTS = LoraSettings()


# --------------------------------------------------------------------------- base model


@dataclass(frozen=True)
class _ModelRef:
    folder: Path
    gguf_file: str | None  # file name inside ``folder``; None: a transformers folder


def resolve_model(spec: str) -> tuple[Path, str | None]:
    """(folder, GGUF file name or None) of a base-model spec; never downloads (a
    :class:`~taskfit.errors.UsageError` says how to fix a spec that is not on disk)."""
    ref = _resolve(spec)
    return ref.folder, ref.gguf_file


def _resolve(spec: str) -> _ModelRef:
    s = spec.strip()
    if s in ("smollm2", "gguf:smollm2"):
        from taskfit.backends.llamacpp import embedded_model_path

        path = embedded_model_path()
        return _ModelRef(path.parent, path.name)
    if s.startswith("gguf:"):
        s = s[len("gguf:") :]
    path = Path(s).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return _ModelRef(path.resolve().parent, path.name)
    if path.is_dir() and (path / "config.json").is_file():
        return _ModelRef(path.resolve(), None)
    raise UsageError(
        f"LoRA base model {spec!r} is neither 'smollm2', a GGUF file nor a local Hugging "
        "Face model folder (with config.json); hub downloads are disabled: download the "
        "model first and give its folder"
    )


def describe_model(spec: str) -> str:
    """How the base model is shown (notes, results)."""
    s = spec.strip()
    if s in ("smollm2", "gguf:smollm2"):
        return "SmolLM2-135M-Instruct (the embedded smollm2 GGUF, dequantised to float32)"
    return Path(s.removeprefix("gguf:")).name or s


def _model_identity(ref: _ModelRef) -> list[Any]:
    """What identifies the base model's weights in the adapter key (content, not place:
    sizes of the weight files and the config's text)."""
    if ref.gguf_file is not None:
        path = ref.folder / ref.gguf_file
        return ["gguf", ref.gguf_file, path.stat().st_size]
    config = (ref.folder / "config.json").read_text(encoding="utf-8")
    weights = sorted(
        (p.name, p.stat().st_size)
        for p in ref.folder.iterdir()
        if p.is_file() and p.suffix in (".safetensors", ".bin", ".pt")
    )
    return ["folder", hashlib.sha256(config.encode()).hexdigest(), weights]


# One loaded base model (and tokenizer) per process: a label-budget sweep fine-tunes the
# same model many times, and loading (dequantising) a GGUF takes seconds. Each fit works
# on a deep copy.
_loaded: dict[str, tuple[Any, Any]] = {}


def _load_base(ref: _ModelRef) -> tuple[Any, Any]:
    key = f"{ref.folder}|{ref.gguf_file}"
    if key not in _loaded:
        from taskfit.learners.embed import quiet_hf

        quiet_hf()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        kw: dict[str, Any] = {"local_files_only": True}
        if ref.gguf_file is not None:
            kw["gguf_file"] = ref.gguf_file
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(ref.folder), **kw)
            # dequantising a GGUF draws a progress bar of its own
            with contextlib.redirect_stderr(io.StringIO()):
                model: Any = AutoModelForCausalLM.from_pretrained(
                    str(ref.folder), dtype=torch.float32, **kw
                )
        except ImportError as e:
            raise UsageError(f"cannot load the LoRA base model: {e} (pip install gguf)") from e
        model.to("cpu")
        model.eval()
        _loaded.clear()  # keep one model in memory
        _loaded[key] = (model, tokenizer)
    return _loaded[key]


@contextlib.contextmanager
def _peft_quiet() -> Iterator[None]:
    """peft asks transformers about gradient checkpointing by a deprecated name."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        yield


def max_new_tokens_for(lengths: Sequence[int]) -> int:
    """Room for generated outputs: 1.5 x the 95th percentile of the training targets'
    token lengths + 8, at most 512.

    >>> max_new_tokens_for([10] * 20)
    23
    """
    if not lengths:
        return 64
    ordered = sorted(lengths)
    # nearest-rank 95th percentile
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return min(_MAX_NEW_TOKENS_CAP, int(1.5 * p95 + 8))


# --------------------------------------------------------------------------- learner


class LoraLearner:
    """LoRA fine-tune of a causal LM: ``fit(texts, targets)``, then ``predict(texts)``.

    ``instruction``: a short instruction shown with every input (the system turn, or the
    start of the user turn).
    ``cache_dir``: where adapters are saved and found again (None: not saved).
    ``progress``: called with the number of examples done (training passes, then
    generated outputs).

    After :meth:`fit`: ``trained_`` (False when the adapter was loaded from the cache),
    ``train_seconds_`` (of the training that made the adapter, also when loaded),
    ``n_used_`` (training pairs), ``n_truncated_`` (pairs cut at ``max_length``),
    ``steps_`` (optimizer steps run by this fit), ``max_new_tokens_``, ``adapter_dir_``
    and ``key_``.
    """

    def __init__(
        self,
        settings: LoraSettings = DEFAULTS,
        *,
        seed: int = 0,
        instruction: str = "",
        cache_dir: str | os.PathLike[str] | None = None,
        progress: Callable[[int], None] | None = None,
        generate_batch_size: int = 16,
    ) -> None:
        self.settings = settings
        self.seed = seed
        self.instruction = instruction
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.progress = progress
        self.generate_batch_size = generate_batch_size

    # --- formatting -----------------------------------------------------------------

    def _setup(self, tokenizer: Any) -> None:
        """Work out the prompt format and the ids that end a reply."""
        self.tokenizer_ = tokenizer
        self.chat_ = bool(getattr(tokenizer, "chat_template", None))
        self.system_ = self.chat_ and bool(self.instruction) and self._takes_system()
        end_text = tokenizer.eos_token or ""
        if self.chat_:
            probe = "x"
            prompt = self._render_chat("q", None)
            full = self._render_chat("q", probe)
            if full.startswith(prompt + probe):
                end_text = full[len(prompt) + len(probe) :].rstrip() or end_text
        self.end_ids_: list[int] = self._encode(end_text) if end_text else []
        stops = {int(tokenizer.eos_token_id)} if tokenizer.eos_token_id is not None else set()
        if self.end_ids_:
            stops.add(self.end_ids_[0])
        self.stop_ids_ = sorted(stops)
        pad = tokenizer.pad_token_id
        if pad is None:
            pad = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
        self.pad_id_ = int(pad)

    def _takes_system(self) -> bool:
        """Whether the chat template renders a system turn (some refuse one)."""
        probe = "taskfit system probe"
        try:
            text = self.tokenizer_.apply_chat_template(
                [{"role": "system", "content": probe}, {"role": "user", "content": "U"}],
                tokenize=False,
                add_generation_prompt=True,
            )
        except Exception:  # templates raise their own errors on roles they refuse
            return False
        return probe in str(text)

    def _render_chat(self, text: str, reply: str | None) -> str:
        if self.system_:  # the instruction as the system turn, as a chat prompt has it
            messages = [
                {"role": "system", "content": self.instruction},
                {"role": "user", "content": text},
            ]
        else:
            user = f"{self.instruction}\n\n{text}" if self.instruction else text
            messages = [{"role": "user", "content": user}]
        if reply is not None:
            messages.append({"role": "assistant", "content": reply})
        return str(
            self.tokenizer_.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=reply is None
            )
        )

    def _encode(self, text: str, *, special: bool = False) -> list[int]:
        return list(self.tokenizer_(text, add_special_tokens=special)["input_ids"])

    def prompt_ids(self, text: str) -> list[int]:
        """Token ids of the prompt for ``text``: where the model writes its reply."""
        if self.chat_:
            return self._encode(self._render_chat(text, None))
        head = f"{self.instruction}\n\n" if self.instruction else ""
        return self._encode(f"{head}{text}\nOutput:", special=True)

    def target_ids(self, target: str) -> list[int]:
        """Token ids the model is trained to write: the target, then the end of the reply."""
        body = target if self.chat_ else f" {target}"
        return self._encode(body) + self.end_ids_

    def encode_pair(self, text: str, target: str) -> tuple[list[int], list[int]]:
        """(input ids, labels) of one training pair, the prompt masked with -100 and the
        sequence cut at ``max_length``."""
        return self._cut(self.prompt_ids(text), self.target_ids(target))

    def _cut(self, prompt: list[int], answer: list[int]) -> tuple[list[int], list[int]]:
        cap = self.settings.max_length
        return (prompt + answer)[:cap], ([-100] * len(prompt) + answer)[:cap]

    # --- fit ------------------------------------------------------------------------

    def load(self) -> Any:
        """Load the base model and its tokenizer (once per process) and work out the
        prompt format; returns the base model (shared: fine-tune a copy)."""
        self._ref = _resolve(self.settings.base_model)
        base, tokenizer = _load_base(self._ref)
        self._setup(tokenizer)
        return base

    def _key(self, ref: _ModelRef, texts: Sequence[str], targets: Sequence[str]) -> str:
        return canonical_hash(
            [
                "lora",
                _FORMAT_VERSION,
                _model_identity(ref),
                list(self.settings.params()),
                self.seed,
                self.instruction,
                [[t, y] for t, y in zip(texts, targets, strict=True)],
            ]
        )

    def fit(self, texts: Sequence[str], targets: Sequence[str]) -> LoraLearner:
        texts, targets = [str(t) for t in texts], [str(y) for y in targets]
        if not texts or len(texts) != len(targets):
            raise ValueError("LoRA needs as many targets as texts, and at least one pair")
        import torch

        base = self.load()
        self.key_ = self._key(self._ref, texts, targets)
        self.n_used_ = len(texts)
        pairs = zip(texts, targets, strict=True)
        parts = [(self.prompt_ids(t), self.target_ids(y)) for t, y in pairs]
        encoded = [self._cut(p, a) for p, a in parts]
        self.n_truncated_ = sum(len(p) + len(a) > self.settings.max_length for p, a in parts)
        self.max_new_tokens_ = max_new_tokens_for([len(self._encode(y)) for y in targets])
        self.adapter_dir_ = None if self.cache_dir is None else self.cache_dir / self.key_[:24]
        model = copy.deepcopy(base)
        self.steps_ = 0
        meta = self._cached_meta()
        if meta is not None:
            from peft import PeftModel

            assert self.adapter_dir_ is not None
            with _peft_quiet():
                model = PeftModel.from_pretrained(model, str(self.adapter_dir_))
            self.trained_ = False
            self.train_seconds_ = float(meta.get("train_seconds", 0.0))
            self._report(self.settings.epochs * len(texts))
        else:
            from peft import LoraConfig, get_peft_model

            config = LoraConfig(
                r=self.settings.rank,
                lora_alpha=self.settings.alpha,
                lora_dropout=self.settings.dropout,
                target_modules=list(self.settings.target_modules),
                bias="none",
                task_type="CAUSAL_LM",
            )
            # the seed fixes the adapter's initialisation and the dropout masks; the
            # process's own random state is left as it was
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.seed)
                try:
                    with _peft_quiet():
                        model = get_peft_model(model, config)
                except ValueError as e:  # no module of those names
                    raise UsageError(f"LoRA target modules: {e}") from e
                t0 = time.perf_counter()
                self._train(model, encoded)
                self.train_seconds_ = time.perf_counter() - t0
            self.trained_ = True
            self._save(model)
        model.eval()
        self.model_ = model.merge_and_unload()
        self.model_.eval()
        return self

    def _report(self, n: int) -> None:
        if self.progress is not None and n:
            self.progress(n)

    def _batch(self, rows: Sequence[tuple[list[int], list[int]]]) -> tuple[Any, Any, Any]:
        import torch

        width = max(len(ids) for ids, _ in rows)
        ids = torch.full((len(rows), width), self.pad_id_, dtype=torch.long)
        labels = torch.full((len(rows), width), -100, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, (x, y) in enumerate(rows):
            ids[i, : len(x)] = torch.tensor(x, dtype=torch.long)
            labels[i, : len(y)] = torch.tensor(y, dtype=torch.long)
            mask[i, : len(x)] = 1
        return ids, labels, mask

    def _loss(self, model: Any, ids: Any, labels: Any, mask: Any) -> Any:
        """Mean cross-entropy over the target tokens; logits only where one is predicted."""
        import torch
        import torch.nn.functional as F

        nxt = labels[:, 1:]
        keep = torch.zeros_like(labels, dtype=torch.bool)
        keep[:, :-1] = nxt != -100
        gold = nxt[nxt != -100]
        out = model(input_ids=ids, attention_mask=mask, logits_to_keep=keep, use_cache=False)
        logits = out.logits
        if logits.dim() != 2 or logits.shape[0] != gold.shape[0]:
            # a model whose forward does not take a position mask: all logits
            logits = logits[:, :-1][keep[:, :-1]]
        return F.cross_entropy(logits.float(), gold)

    def _train(self, model: Any, encoded: Sequence[tuple[list[int], list[int]]]) -> None:
        import torch

        s = self.settings
        rows = [r for r in encoded if any(y != -100 for y in r[1])]
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=s.lr, weight_decay=0.0)
        per_epoch = math.ceil(len(rows) / s.batch_size) if rows else 0
        total = max(1, per_epoch * s.epochs)
        warmup = max(1, round(0.06 * total))

        def schedule(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (total - step) / max(1, total - warmup))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        rng = random.Random(self.seed)
        model.train()
        for _ in range(s.epochs):
            order = list(range(len(rows)))
            rng.shuffle(order)
            for b in range(0, len(order), s.batch_size):
                chunk = [rows[i] for i in order[b : b + s.batch_size]]
                ids, labels, mask = self._batch(chunk)
                loss = self._loss(model, ids, labels, mask)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                self.steps_ += 1
                self._report(len(chunk))
        skipped = len(encoded) - len(rows)
        self._report(skipped * s.epochs)
        model.eval()

    # --- adapter cache --------------------------------------------------------------

    def _cached_meta(self) -> dict[str, Any] | None:
        folder = self.adapter_dir_
        if folder is None or not (folder / _META).is_file():
            return None
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        has_adapter = (folder / "adapter_config.json").is_file() and any(
            folder.glob("adapter_model.*")
        )
        if meta.get("key") != self.key_ or not has_adapter:
            return None
        return dict(meta)

    def _save(self, model: Any) -> None:
        """Save the adapter under its key, atomically (a folder renamed into place)."""
        folder = self.adapter_dir_
        if folder is None:
            return
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lora-", dir=folder.parent))
        try:
            model.save_pretrained(str(tmp), save_embedding_layers=False)
            meta = {
                "key": self.key_,
                "settings": asdict(self.settings),
                "seed": self.seed,
                "instruction": self.instruction,
                "n_examples": self.n_used_,
                "train_seconds": self.train_seconds_,
                "steps": self.steps_,
                "max_new_tokens": self.max_new_tokens_,
            }
            (tmp / _META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            if folder.exists():  # a stale or partial folder of the same key
                shutil.rmtree(folder)
            tmp.rename(folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    # --- predict --------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The greedy reply to each text (its assistant turn, stripped)."""
        import torch
        from transformers import GenerationConfig

        model = self.model_
        config = GenerationConfig(
            max_new_tokens=self.max_new_tokens_,
            do_sample=False,
            eos_token_id=self.stop_ids_ or None,
            pad_token_id=self.pad_id_,
        )
        prompts = [self.prompt_ids(str(t)) for t in texts]
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        out: list[str] = [""] * len(prompts)
        for b in range(0, len(order), self.generate_batch_size):
            chunk = order[b : b + self.generate_batch_size]
            width = max(len(prompts[i]) for i in chunk)
            ids = torch.full((len(chunk), width), self.pad_id_, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, i in enumerate(chunk):  # left padding: every prompt ends at the edge
                p = prompts[i]
                ids[row, width - len(p) :] = torch.tensor(p, dtype=torch.long)
                mask[row, width - len(p) :] = 1
            with torch.inference_mode():
                gen = model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
            for row, i in enumerate(chunk):
                new = gen[row, width:].tolist()
                out[i] = self.tokenizer_.decode(new, skip_special_tokens=True).strip()
            self._report(len(chunk))
        return out
