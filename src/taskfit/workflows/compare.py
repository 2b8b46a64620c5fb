"""The compare pipeline: load -> plan -> execute -> score -> recommend -> render.

Everything a user can get wrong (files, columns, approach names, LLM specs, model
paths) is checked before the store is opened, so bad input writes nothing.

>>> from taskfit import compare
>>> res = compare("tickets.csv", text="body", label="intent", max_test=100)  # doctest: +SKIP
>>> res.to_frame()[["name", "accuracy", "cost_per_1k_usd"]]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskfit.advise.card import TaskCard, load_card
from taskfit.advise.flows import FACTS
from taskfit.backends import LLMSpec, parse_spec
from taskfit.backends.llamacpp import check_gguf
from taskfit.backends.options import options_for
from taskfit.data import load_dataset, load_demo
from taskfit.errors import UsageError
from taskfit.learners.embed import Embedder, resolve_encoder
from taskfit.metrics import DEFAULT_PRICES, DEFAULT_USD_PER_HOUR, load_price_file
from taskfit.metrics.costmodel import DEFAULT_HORIZON_MONTHS, DEFAULT_USD_PER_LABEL
from taskfit.metrics.noninferiority import DEFAULT_MARGIN_POINTS
from taskfit.prompting.select import DEFAULT_DEV_SIZE, PROMPT_FORMATS
from taskfit.report import render_summary
from taskfit.run.execute import Executor, ProgressHook
from taskfit.run.plan import (
    DEFAULT_APPROACHES,
    PROMPT_APPROACHES,
    PlanOptions,
    parse_approaches,
    plan_units,
)
from taskfit.run.store import Store, default_home
from taskfit.run.trust_plan import TrustOptions
from taskfit.types import (
    ApproachMetrics,
    Comparison,
    Dataset,
    EvidenceSet,
    Example,
    Profile,
    Recommendation,
    UnitResult,
    canonical_hash,
)
from taskfit.workflows.scoring import score_headline

if TYPE_CHECKING:
    import pandas as pd

    from taskfit.advise import Advice

__all__ = ["CompareOptions", "CompareResult", "compare", "compare_dataset", "validate_options"]


@dataclass(frozen=True)
class CompareOptions:
    """Everything but the data. Defaults are what `taskfit compare` uses."""

    llms: tuple[str, ...] = ()
    approaches: tuple[str, ...] | None = None
    shots: int = 8
    # Prompt selection for prompted approaches (see taskfit.prompting.select).
    prompt_format: str = "auto"
    dev_size: int = DEFAULT_DEV_SIZE
    max_test: int | None = None
    seed: int = 0
    encoder: str = "minilm"
    latency_p95_ms: float | None = None
    budget_per_1k: float | None = None
    usd_per_hour: float = DEFAULT_USD_PER_HOUR
    usd_per_label: float = DEFAULT_USD_PER_LABEL
    horizon_months: float = DEFAULT_HORIZON_MONTHS
    # The trade rule: accuracy points a cheaper approach may lose (non-inferiority margin)
    # and the monthly volume at which "cheaper" is judged (None: running cost per 1k).
    max_accuracy_loss: float = DEFAULT_MARGIN_POINTS
    volume_per_month: float | None = None
    price_file: str | None = None
    plots: bool = True
    setfit_per_class: int = 16
    label_descriptions: str | None = None  # JSON/YAML file: label -> description
    # The advise stage: a task card, answered facts, and constraints only advise reads.
    card: str | None = None
    answers: dict[str, bool] = field(default_factory=dict)
    on_prem: bool = False
    profile_sample: int = 10_000
    out: str | None = None
    home: str | None = None
    backend_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Trust measures (calibration, robustness, ood, ...); none unless asked for.
    trust: TrustOptions = field(default_factory=TrustOptions)


@dataclass(frozen=True)
class CompareResult:
    """What `compare` returns: typed metrics, the recommendation, and the JSON written."""

    run_id: str
    out_dir: Path
    dataset: Dataset
    metrics: tuple[ApproachMetrics, ...]
    comparisons: tuple[Comparison, ...]
    recommendation: Recommendation
    results_json: dict[str, Any]
    advice: Advice | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per approach with the headline figures."""
        import pandas as pd

        rows = []
        for m in self.metrics:
            rows.append(
                {
                    "name": m.name,
                    "family": m.family,
                    "model": m.model,
                    "n_train_labels": m.n_train_labels,
                    "n_test": m.n_test,
                    "accuracy": m.accuracy.value,
                    "accuracy_ci_low": m.accuracy.ci_low,
                    "accuracy_ci_high": m.accuracy.ci_high,
                    "macro_f1": m.macro_f1.value,
                    "macro_f1_ci_low": m.macro_f1.ci_low,
                    "macro_f1_ci_high": m.macro_f1.ci_high,
                    "latency_p50_ms": m.latency_p50_ms,
                    "latency_p95_ms": m.latency_p95_ms,
                    "throughput_per_s": m.throughput_per_s,
                    "train_seconds": m.train_seconds,
                    "cost_per_1k_usd": m.cost_per_1k_usd,
                    "parse_failures": m.parse_failures,
                }
            )
        return pd.DataFrame(rows)


def check_llms(specs: Sequence[str]) -> tuple[LLMSpec, ...]:
    parsed = tuple(parse_spec(s) for s in specs)
    for sp in parsed:
        if sp.kind == "openai" and sp.base_url:
            try:
                urllib.parse.urlsplit(sp.base_url).port  # noqa: B018 - parses host and port
            except ValueError as e:
                # Not echoed: an unparsable URL cannot be redacted reliably.
                raise UsageError(
                    f"--llm openai:{sp.target}@URL: the URL cannot be parsed ({e}); "
                    "write it as http(s)://[user:key@]host[:port]/path"
                ) from None
        if sp.kind == "gguf" and sp.target != "smollm2":
            from taskfit.errors import BackendError

            try:
                check_gguf(Path(sp.target).expanduser())
            except BackendError as e:
                raise UsageError(str(e)) from None
    return parsed


def compare(
    data: str | os.PathLike[str],
    *,
    text: str,
    label: str,
    text_pair: str | None = None,
    test: str | os.PathLike[str] | None = None,
    test_size: float = 0.3,
    drop_empty: bool = False,
    hook: ProgressHook | None = None,
    **options: Any,
) -> CompareResult:
    """Load ``data`` and compare approaches on it; see :class:`CompareOptions`."""
    opts = CompareOptions(**options)
    validate_options(opts)  # before loading: a typo in a flag should not wait for a big file
    dataset = load_dataset(
        data,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        seed=opts.seed,
        drop_empty=drop_empty,
        group=opts.trust.group_col,
    )
    ood = load_ood(opts.trust, text=text, label=label, text_pair=text_pair, drop_empty=drop_empty)
    return compare_dataset(dataset, opts, hook=hook, ood_examples=ood)


def load_ood(
    trust: TrustOptions,
    *,
    text: str,
    label: str,
    text_pair: str | None = None,
    drop_empty: bool = False,
) -> tuple[Example, ...]:
    """The labelled ``--ood-test`` file (same columns as the data), or nothing."""
    if not trust.ood_test:
        return ()
    from taskfit.data import load_examples

    return load_examples(
        trust.ood_test,
        text=text,
        label=label,
        text_pair=text_pair,
        drop_empty=drop_empty,
        group=trust.group_col,
    )


def check_prompt_options(prompt_format: str, dev_size: int) -> None:
    if prompt_format not in PROMPT_FORMATS:
        raise UsageError(
            f"unknown --prompt-format {prompt_format!r}; use one of {', '.join(PROMPT_FORMATS)}"
        )
    if dev_size < 0:
        raise UsageError(f"--dev-size must be 0 or more, got {dev_size}")


def validate_options(
    opts: CompareOptions,
) -> tuple[tuple[str, ...], tuple[LLMSpec, ...], TaskCard | None]:
    """Check everything the user typed; the approaches are the user's or all of them
    (the advice narrows the default later)."""
    approaches = parse_approaches(opts.approaches or DEFAULT_APPROACHES)
    llms = check_llms(opts.llms or ("smollm2",))
    if opts.shots < 1:
        raise UsageError("--shots must be at least 1")
    check_prompt_options(opts.prompt_format, opts.dev_size)
    if not 0 <= opts.max_accuracy_loss <= 100:
        raise UsageError(
            f"--max-accuracy-loss must be between 0 and 100 points, got {opts.max_accuracy_loss:g}"
        )
    if opts.volume_per_month is not None and not 0 <= opts.volume_per_month < float("inf"):
        raise UsageError(f"--volume-per-month must be >= 0, got {opts.volume_per_month:g}")
    uses_encoder = {"encoder-lr", "setfit", "few-shot-knn"} & set(approaches)
    if uses_encoder:
        resolve_encoder(opts.encoder)
    card = load_card(opts.card) if opts.card else None
    for name in opts.answers:
        if name not in FACTS:
            raise UsageError(f"unknown fact {name!r}; facts are: {', '.join(FACTS)}")
    return approaches, llms, card


def _advise(
    dataset: Dataset,
    opts: CompareOptions,
    card: TaskCard | None,
    hook: ProgressHook,
) -> tuple[Profile, Advice]:
    """Profile the data and run the decision flows; the store caches the encoder work.

    No LLM is called here: the facts the flows read come from counts, the encoder and the
    language detector, and an API LLM's domain fit would cost money on every new dataset
    (``taskfit profile --llm`` measures it)."""
    from taskfit.advise import advise
    from taskfit.workflows.profile import ProfileOptions, profile_dataset

    popts = ProfileOptions(
        use_llms=False,
        encoder=opts.encoder,
        sample=opts.profile_sample,
        seed=opts.seed,
        home=opts.home,
        backend_options=opts.backend_options,
    )
    profile = profile_dataset(
        dataset, popts, on_section=lambda name: hook.stage(f"profiling: {name}")
    )
    advice = advise(
        profile,
        card,
        opts.answers,
        budget_per_1k=opts.budget_per_1k,
        latency_p95_ms=opts.latency_p95_ms,
        on_prem=opts.on_prem or None,
    )
    return profile, advice


def compare_dataset(
    dataset: Dataset,
    opts: CompareOptions,
    *,
    hook: ProgressHook | None = None,
    ood_examples: Sequence[Example] = (),
) -> CompareResult:
    approaches, llms, card = validate_options(opts)
    prices = dict(DEFAULT_PRICES)
    if opts.price_file:
        prices.update(load_price_file(opts.price_file))
    hook = hook or ProgressHook()
    profile, advice = _advise(dataset, opts, card, hook)
    if opts.approaches is None and advice.approaches:
        # The advice names the approaches that test its prior; the user's list wins.
        approaches = tuple(a for a in advice.approaches if a in approaches)
    if not any(a in PROMPT_APPROACHES for a in approaches):
        llms = ()
    plan = PlanOptions(
        approaches=approaches,
        llms=llms,
        encoder=opts.encoder,
        shots=opts.shots,
        max_test=opts.max_test,
        seed=opts.seed,
        setfit_per_class=opts.setfit_per_class,
        prompt_format=opts.prompt_format,
        dev_size=opts.dev_size,
        label_name=dataset.label_col,
        label_descriptions=read_label_descriptions(opts.label_descriptions, dataset),
    )
    units = plan_units(dataset, plan)
    home = Path(opts.home) if opts.home else default_home()
    store = Store(home / "store.db")
    run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + canonical_hash([u.key for u in units])[:8]
    out_dir = Path(opts.out) if opts.out else home / "runs" / run_id
    settings = _settings(opts, approaches, llms, dataset)
    settings["approaches_from_advice"] = opts.approaches is None and bool(advice.approaches)
    store.start_run(run_id, settings, str(out_dir))
    hook.run_started(run_id, str(out_dir))
    spec_by_canonical = {s.canonical: s for s in llms}
    try:
        from taskfit.backends import make_backend

        executor = Executor(
            dataset=dataset,
            store=store,
            embedder=Embedder(opts.encoder, cache=store),
            backend_factory=lambda c: make_backend(
                spec_by_canonical[c], **options_for(opts.backend_options, spec_by_canonical[c])
            ),
            hook=hook,
            # with trust measures, headline models are kept to predict the derived test sets
            fitted={} if opts.trust.measures else None,
        )
        results = executor.run(units)
        trust_sections: dict[str, Any] = {}
        evidence: list[EvidenceSet] = []
        if opts.trust.measures:
            from taskfit.workflows.trust import run_trust

            t_trust = time.perf_counter()
            outcome = run_trust(
                executor,
                dataset,
                units,
                results,
                opts.trust,
                seed=opts.seed,
                ood_examples=ood_examples,
                ood_source=opts.trust.ood_test or "",
            )
            trust_sections = outcome.sections
            evidence = outcome.evidence
            trust_sections["trust_notes"] = outcome.notes
            trust_sections["trust_seconds"] = time.perf_counter() - t_trust
        result = _score_and_render(
            dataset,
            opts,
            results,
            executor.stats.to_json(),
            llms,
            prices,
            run_id,
            out_dir,
            settings,
            profile,
            advice,
            trust_sections,
            evidence,
        )
        store.finish_run(run_id, "finished")
        return result
    except BaseException:
        store.finish_run(run_id, "failed")
        raise
    finally:
        store.close()


def read_label_descriptions(path: str | None, dataset: Dataset) -> tuple[tuple[str, str], ...]:
    """Read label descriptions (JSON or YAML mapping); unknown labels are an error."""
    if not path:
        return ()
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{path}: label descriptions file not found")
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read label descriptions: {e}") from None
    except Exception as e:  # yaml.YAMLError
        raise UsageError(f"{path}: cannot read label descriptions: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: expected a mapping of label -> description text")
    unknown = sorted(set(map(str, data)) - set(dataset.labels))
    if unknown:
        raise UsageError(
            f"{path}: unknown label {unknown[0]!r}; labels are: {', '.join(dataset.labels)}"
        )
    return tuple(sorted((str(k), v) for k, v in data.items()))


def _settings(
    opts: CompareOptions, approaches: Sequence[str], llms: Sequence[LLMSpec], dataset: Dataset
) -> dict[str, Any]:
    from taskfit.version import __version__

    return {
        "approaches": list(approaches),
        "llms": [s.canonical for s in llms],
        "encoder": opts.encoder,
        "shots": opts.shots,
        "prompt_format": opts.prompt_format,
        "dev_size": opts.dev_size,
        "max_test": opts.max_test,
        "seed": opts.seed,
        "setfit_per_class": opts.setfit_per_class,
        "label_descriptions": opts.label_descriptions,
        "latency_p95_ms": opts.latency_p95_ms,
        "budget_per_1k": opts.budget_per_1k,
        "usd_per_hour": opts.usd_per_hour,
        "usd_per_label": opts.usd_per_label,
        "horizon_months": opts.horizon_months,
        "max_accuracy_loss": opts.max_accuracy_loss,
        "volume_per_month": opts.volume_per_month,
        "price_file": opts.price_file,
        "card": opts.card,
        "answers": dict(sorted(opts.answers.items())),
        "on_prem": opts.on_prem,
        "trust": asdict(opts.trust),
        "columns": {
            "text": dataset.text_col,
            "text_pair": dataset.text_pair_col,
            "label": dataset.label_col,
        },
        "versions": package_versions(__version__),
    }


def package_versions(own: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"taskfit": own}
    for pkg in ("llama-cpp-python", "sentence-transformers", "setfit", "scikit-learn", "torch"):
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def _score_and_render(
    dataset: Dataset,
    opts: CompareOptions,
    results: Sequence[UnitResult],
    run_stats: dict[str, Any],
    llms: Sequence[LLMSpec],
    prices: dict[str, tuple[float, float]],
    run_id: str,
    out_dir: Path,
    settings: dict[str, Any],
    profile: Profile,
    advice: Advice,
    trust_sections: dict[str, Any] | None = None,
    evidence: Sequence[EvidenceSet] = (),
) -> CompareResult:
    scored = score_headline(
        dataset,
        results,
        run_id=run_id,
        run_stats=run_stats,
        settings=settings,
        llms=llms,
        prices=prices,
        usd_per_hour=opts.usd_per_hour,
        usd_per_label=opts.usd_per_label,
        horizon_months=opts.horizon_months,
        seed=opts.seed,
        latency_p95_ms=opts.latency_p95_ms,
        budget_per_1k=opts.budget_per_1k,
        prior=advice.prior,
        max_accuracy_loss=opts.max_accuracy_loss,
        volume_per_month=opts.volume_per_month,
        evidence=evidence,
    )
    doc = scored.doc
    doc["profile"] = profile.to_json()
    doc["advice"] = advice.to_json()
    recommendation = scored.recommendation
    if trust_sections:
        from taskfit.recommend.trust import with_trust

        doc.update(trust_sections)
        recommendation = with_trust(recommendation, doc)
        doc["recommendation"]["reasons"] = list(recommendation.reasons)
        doc["recommendation"]["warnings"] = list(recommendation.warnings)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots: list[Path] = []
    if opts.plots:
        from taskfit.report.plots_report import figures_for

        plots = figures_for(doc, out_dir)
    doc["plots"] = [p.name for p in plots]
    write_atomic(out_dir / "results.json", json.dumps(doc, indent=2))
    write_atomic(out_dir / "summary.md", render_summary(doc))
    return CompareResult(
        run_id,
        out_dir,
        dataset,
        scored.metrics,
        scored.comparisons,
        recommendation,
        doc,
        advice,
    )


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def compare_demo(**options: Any) -> CompareResult:
    """Compare on the bundled demo data (8 support intents) with the embedded models.

    The OOD measure uses the demo's shifted test set (``ood_test.csv``)."""
    hook = options.pop("hook", None)
    opts = CompareOptions(**options)
    if opts.trust.group_col:
        raise UsageError("the demo data has no metadata column for --group-col")
    ood: tuple[Example, ...] = ()
    if opts.trust.on("ood") and not opts.trust.ood_test:
        from taskfit.data import load_examples
        from taskfit.data.demo import DEMO_LABEL, DEMO_TEXT, demo_paths

        path = demo_paths()["ood_test"]
        ood = load_examples(path, text=DEMO_TEXT, label=DEMO_LABEL)
        opts = replace(opts, trust=replace(opts.trust, ood_test=f"demo:{path.name}"))
    elif opts.trust.ood_test:
        ood = load_ood(opts.trust, text="text", label="intent")
    return compare_dataset(load_demo(seed=opts.seed), opts, hook=hook, ood_examples=ood)
