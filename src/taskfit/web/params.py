"""What a web job asks for, read from the new-comparison form and checked before it starts.

The checks are the command line's: the options go through
:class:`taskfit.workflows.compare.CompareOptions` and the data through
:func:`taskfit.workflows.context.load_source`, so a bad column, task type or option is
refused with the same one-line message, at once, rather than in the worker. A corpus
(QA's ``--corpus``) is an upload of its own; its evidence column and ``top_k`` are the
command's ``--evidence`` and ``--top-k``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from taskfit.config import CompareOptions, TrustOptions, build, split_options
from taskfit.errors import TaskfitError, UsageError
from taskfit.web.jobs import JobBoard, Upload
from taskfit.web.uploads import UPLOAD_ID, is_corpus

__all__ = ["JobParams", "compare_kwargs", "parse_form"]

UI_TRUST = ("calibration", "robustness", "ood", "shortcuts", "selective")


@dataclass(frozen=True)
class JobParams:
    upload_id: str
    text: str
    label: str
    text_pair: str | None = None
    test_upload_id: str | None = None
    test_size: float = 0.3
    approaches: tuple[str, ...] = ()  # () = the approaches the advice picks
    llms: tuple[str, ...] = ("smollm2",)
    max_test: int | None = 100
    shots: int = 8
    seed: int = 0
    trust: tuple[str, ...] = ()
    task: str = "classification"  # the task type (the form's select)
    # QA: the corpus upload retrieval searches, the column naming each answer's passages,
    # and the passages retrieved per question.
    corpus_upload_id: str | None = None
    evidence: str | None = None
    top_k: int = 3

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> JobParams:
        kw = dict(d)
        for k in ("approaches", "llms", "trust"):
            kw[k] = tuple(kw.get(k) or ())
        return cls(**kw)


def _int(form: Mapping[str, str], key: str, default: int | None, what: str) -> int | None:
    raw = (form.get(key) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"{what} must be a whole number, got {raw!r}") from None


def parse_form(form: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> JobParams:
    """JobParams from the form fields (``lists`` holds the multi-valued checkboxes)."""
    upload_id = form.get("upload_id", "")
    test_id = form.get("test_upload_id") or None
    corpus_id = form.get("corpus_upload_id") or None
    for uid in (upload_id, test_id, corpus_id):
        if uid is not None and not UPLOAD_ID.match(uid):
            raise UsageError("unknown upload; upload the file again")
    text, label = form.get("text", "").strip(), form.get("label", "").strip()
    if not text or not label:
        raise UsageError("choose the text column and the label column")
    raw_size = (form.get("test_size") or "0.3").strip()
    try:
        test_size = float(raw_size)
    except ValueError:
        raise UsageError(f"test share must be a number such as 0.3, got {raw_size!r}") from None
    if not 0 < test_size < 1:
        raise UsageError("test share must be between 0 and 1, e.g. 0.3")
    llms = tuple(s.strip() for s in (form.get("llms") or "").split(",") if s.strip())
    if any(s.startswith("gguf:") for s in llms):
        raise UsageError(
            "local GGUF files are chosen on the command line (taskfit compare --llm gguf:PATH);"
            " the web UI offers smollm2 and openai:MODEL@URL"
        )
    trust = tuple(t for t in lists.get("trust", ()) if t)
    bad = [t for t in trust if t not in UI_TRUST]
    if bad:
        raise UsageError(f"unknown trust measure {bad[0]!r}; measures: {', '.join(UI_TRUST)}")
    max_test = _int(form, "max_test", None, "LLM test cap")
    if max_test is not None and max_test < 1:
        raise UsageError("LLM test cap must be a positive number (or empty for no cap)")
    top_k = _int(form, "top_k", 3, "passages per question (top-k)")
    if top_k is None or top_k < 1:
        raise UsageError(f"passages per question (top-k) must be 1 or more, got {top_k}")
    return JobParams(
        upload_id=upload_id,
        test_upload_id=test_id,
        text=text,
        label=label,
        text_pair=(form.get("text_pair") or "").strip() or None,
        test_size=test_size,
        approaches=tuple(a for a in lists.get("approaches", ()) if a),
        llms=llms or ("smollm2",),
        max_test=max_test,
        shots=_int(form, "shots", 8, "shots") or 0,
        seed=_int(form, "seed", 0, "seed") or 0,
        trust=trust,
        task=(form.get("task") or "").strip() or "classification",
        corpus_upload_id=corpus_id,
        evidence=(form.get("evidence") or "").strip() or None,
        top_k=top_k,
    )


def _upload(board: JobBoard, upload_id: str, *, corpus: bool = False) -> Upload:
    up = board.upload(upload_id)
    if up is None or not up.path.is_file():
        raise UsageError("unknown upload; upload the file again")
    if is_corpus(up) != corpus:
        what = "as the corpus" if corpus else "as data"
        raise UsageError(f"{up.name} was not uploaded {what}; upload it again {what}")
    return up


def compare_kwargs(
    p: JobParams, board: JobBoard, home: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The arguments of :func:`taskfit.workflows.compare.compare`, and server path -> shown name."""
    data = _upload(board, p.upload_id)
    test = _upload(board, p.test_upload_id) if p.test_upload_id else None
    corpus = _upload(board, p.corpus_upload_id, corpus=True) if p.corpus_upload_id else None
    kwargs: dict[str, Any] = {
        "data": str(data.path),
        "text": p.text,
        "label": p.label,
        "text_pair": p.text_pair,
        "test": str(test.path) if test else None,
        "test_size": p.test_size,
        "task": p.task,
        "corpus": str(corpus.path) if corpus else None,
        "evidence": p.evidence,
        "top_k": p.top_k,
        "llms": p.llms,
        "approaches": p.approaches or None,
        "shots": p.shots,
        "max_test": p.max_test,
        "seed": p.seed,
        "home": home,
        "trust": build(TrustOptions, measures=p.trust, perturb_seed=p.seed),
    }
    names = {str(data.path): data.name}
    if test:
        names[str(test.path)] = f"{test.name} (test)"
    if corpus:
        names[str(corpus.path)] = f"{corpus.name} (corpus)"
    return kwargs, names


def check(p: JobParams, board: JobBoard, home: str) -> None:
    """Refuse what the worker would refuse: bad options, unknown columns, bad rows."""
    from taskfit.workflows.compare import validate_options
    from taskfit.workflows.context import load_source

    kwargs, _ = compare_kwargs(p, board, home)
    data = kwargs.pop("data")
    source, opts = split_options(CompareOptions, None, kwargs)
    validate_options(opts)
    load_source(data, source, seed=p.seed)


def check_message(p: JobParams, board: JobBoard, home: str) -> str | None:
    """:func:`check`'s one-line error as the CLI prints it (user file names), or None."""
    from taskfit.web.uploads import user_message

    try:
        check(p, board, home)
    except TaskfitError as e:
        try:
            _, names = compare_kwargs(p, board, home)
        except TaskfitError:
            names = {}
        return user_message(e, names)
    return None
