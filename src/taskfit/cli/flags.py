"""Flag groups shared by the commands, and their translation into settings.

A group is a function whose parameters are typer options; :func:`with_flags` gives a
command every parameter of the groups it names, so the commands that share a flag
(``compare`` and ``demo``; ``curve`` and ``distill``; ``profile`` and ``advise``) declare
it once. :func:`run_settings` and :func:`compare_settings` turn the flags into the keyword
arguments of the settings in :mod:`taskfit.config`, built with
:func:`taskfit.config.build` (one-line errors); :func:`load_data` reads the data they name.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from taskfit.cli.common import (
    ApproachOpt,
    BudgetOpt,
    CardOpt,
    CorpusOpt,
    DataArg,
    DemoOpt,
    DevSizeOpt,
    DropEmptyOpt,
    EncoderOpt,
    EvidenceOpt,
    ExecutorOpt,
    HorizonOpt,
    LabelDescOpt,
    LatencyOpt,
    LlmOpt,
    LlmTimeoutOpt,
    MaxLossOpt,
    MaxTestOpt,
    NoPlotsOpt,
    OnPremOpt,
    OodOpt,
    OutOpt,
    PriceFileOpt,
    PromptFormatOpt,
    RayAddressOpt,
    ReportOpt,
    RetrieverOpt,
    SampleOpt,
    SamplesOpt,
    SeedOpt,
    SetOpt,
    ShotsOpt,
    TemperatureOpt,
    TestOpt,
    TestSizeOpt,
    TextOpt,
    TextPairOpt,
    TopKOpt,
    UnlabeledOpt,
    UsdHourOpt,
    UsdLabelOpt,
    VolumeOpt,
    llm_backend_options,
)
from taskfit.cli.trust_opts import (
    CalibrationOpt,
    ExportOpt,
    GroupColOpt,
    GroupsOpt,
    OodFlagOpt,
    OodTestOpt,
    PerturbOpt,
    RobustnessOpt,
    SelectiveOpt,
    ShortcutsOpt,
    TargetOpt,
    TrustMaxOpt,
    TrustOpt,
    trust_options,
)
from taskfit.errors import UsageError
from taskfit.workflows.inputs import task_names

__all__ = [
    "TARGET_HELP",
    "compare_flags",
    "compare_settings",
    "data_flags",
    "data_source",
    "load_data",
    "profile_flags",
    "read_settings",
    "run_flags",
    "run_settings",
    "split_flags",
    "split_settings",
    "with_flags",
]

F = TypeVar("F", bound=Callable[..., Any])

# The target column: one option with two names (--target reads better for task types whose
# target is not a label).
TARGET_HELP = "Label column (other task types: the reference/answer column)."
TargetColOpt = Annotated[str | None, typer.Option("--label", "--target", help=TARGET_HELP)]
TaskOpt = Annotated[str, typer.Option("--task", help=f"Task type: {', '.join(task_names())}.")]


def with_flags(*groups: Callable[..., None]) -> Callable[[F], F]:
    """Give the decorated command its own parameters, then every group's, in order; the
    command receives them all as keyword arguments."""

    def decorate(command: F) -> F:
        params: list[inspect.Parameter] = []
        hints: dict[str, Any] = {}
        fns: tuple[Callable[..., Any], ...] = (command, *groups)
        for fn in fns:
            sig = inspect.signature(fn, eval_str=True)
            params += [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
            hints.update(get_type_hints(fn, include_extras=True))

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            return command(**kwargs)

        keyword = [p.replace(kind=p.KEYWORD_ONLY) for p in params]
        wrapper.__signature__ = inspect.Signature(keyword)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: hints[p.name] for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate


def split_flags(
    task: TaskOpt = "classification",
    text_pair: TextPairOpt = None,
    test: TestOpt = None,
    test_size: TestSizeOpt = 0.3,
    drop_empty: DropEmptyOpt = False,
    corpus: CorpusOpt = None,
    evidence: EvidenceOpt = None,
) -> None:
    """How a data file is read and split into training and test examples (compare, and
    :func:`data_flags`)."""


@with_flags(split_flags)
def data_flags(
    data: DataArg = None,
    demo: DemoOpt = False,
    text: TextOpt = None,
    label: TargetColOpt = None,
    **split: Any,
) -> None:
    """A data file with its columns, or ``--demo``; then :func:`split_flags` (profile,
    advise, curve, distill)."""


def profile_flags(
    ood_test: OodOpt = None,
    unlabeled: UnlabeledOpt = None,
    llm: LlmOpt = None,
    encoder: EncoderOpt = "minilm",
    sample: SampleOpt = 10_000,
    seed: SeedOpt = 0,
    out_dir: OutOpt = None,
) -> None:
    """What profiling reads besides the data, and the models it uses (profile, advise)."""


def data_source(flags: Mapping[str, Any]) -> Path | None:
    """The data file :func:`data_flags`'s flags name, or None for the demo data; exactly
    one of them must be given."""
    if flags["data"] is None and not flags["demo"]:
        raise UsageError("give a data file (with --text and --label) or --demo")
    if flags["data"] is not None and flags["demo"]:
        raise UsageError("give either a data file or --demo, not both")
    return flags["data"]


_SPLIT_FLAGS = tuple(inspect.signature(split_flags).parameters)


def split_settings(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The flags of :func:`split_flags`, as keyword arguments of the data loaders."""
    return {k: flags[k] for k in _SPLIT_FLAGS}


_READ_FLAGS = ("text", "label", *_SPLIT_FLAGS, "seed")


def read_settings(flags: Mapping[str, Any]) -> dict[str, Any]:
    """How to read and split the data: the columns :func:`data_flags` names, the flags of
    :func:`split_flags`, and ``--seed``."""
    return {k: flags[k] for k in _READ_FLAGS}


def load_data(flags: Mapping[str, Any]) -> Any:
    """The dataset :func:`data_flags`'s flags name, split with ``--seed``."""
    from taskfit.workflows.profile import load_for_profile

    dataset, _, _ = load_for_profile(data_source(flags), **read_settings(flags))
    return dataset


def run_flags(
    llm: LlmOpt = None,
    shots: ShotsOpt = 8,
    prompt_format: PromptFormatOpt = "auto",
    dev_size: DevSizeOpt = 64,
    samples: SamplesOpt = 5,
    temperature: TemperatureOpt = 0.7,
    top_k: TopKOpt = 3,
    retriever: RetrieverOpt = "hybrid",
    llm_timeout: LlmTimeoutOpt = None,
    max_test: MaxTestOpt = None,
    seed: SeedOpt = 0,
    encoder: EncoderOpt = "minilm",
    usd_per_hour: UsdHourOpt = 0.10,
    usd_per_label: UsdLabelOpt = 0.10,
    horizon_months: HorizonOpt = 12.0,
    volume_per_month: VolumeOpt = None,
    max_accuracy_loss: MaxLossOpt = 1.0,
    price_file: PriceFileOpt = None,
    no_plots: NoPlotsOpt = False,
    out_dir: OutOpt = None,
    report: ReportOpt = False,
    executor: ExecutorOpt = "local",
    ray_address: RayAddressOpt = None,
) -> None:
    """The flags of every measuring command (compare, demo, curve, distill)."""


def compare_flags(
    approaches: ApproachOpt = None,
    latency_p95_ms: LatencyOpt = None,
    budget_per_1k: BudgetOpt = None,
    label_descriptions: LabelDescOpt = None,
    card: CardOpt = None,
    set_: SetOpt = None,
    on_prem: OnPremOpt = False,
    trust: TrustOpt = False,
    calibration: CalibrationOpt = False,
    robustness: RobustnessOpt = False,
    ood: OodFlagOpt = False,
    shortcuts: ShortcutsOpt = False,
    selective: SelectiveOpt = False,
    groups: GroupsOpt = False,
    ood_test: OodTestOpt = None,
    group_col: GroupColOpt = None,
    perturbations: PerturbOpt = None,
    export_perturbed: ExportOpt = None,
    target_accuracy: TargetOpt = None,
    trust_max_test: TrustMaxOpt = 100,
) -> None:
    """The flags ``compare`` and ``demo`` add: approaches, advice inputs, trust measures."""


def _path(v: Path | str | None) -> str | None:
    return str(v) if v else None


def run_settings(flags: Mapping[str, Any]) -> dict[str, Any]:
    """:class:`~taskfit.config.RunOptions` keyword arguments from :func:`run_flags`'s flags."""
    return {
        "llms": tuple(flags["llm"] or ()),
        "shots": flags["shots"],
        "prompt_format": flags["prompt_format"],
        "dev_size": flags["dev_size"],
        "samples": flags["samples"],
        "temperature": flags["temperature"],
        "top_k": flags["top_k"],
        "retriever": flags["retriever"],
        "backend_options": llm_backend_options(flags["llm"], flags["llm_timeout"]),
        "max_test": flags["max_test"],
        "seed": flags["seed"],
        "encoder": flags["encoder"],
        "usd_per_hour": flags["usd_per_hour"],
        "usd_per_label": flags["usd_per_label"],
        "horizon_months": flags["horizon_months"],
        "max_accuracy_loss": flags["max_accuracy_loss"],
        "volume_per_month": flags["volume_per_month"],
        "price_file": _path(flags["price_file"]),
        "plots": not flags["no_plots"],
        "out": _path(flags["out_dir"]),
        "executor": flags["executor"],
        "ray_address": flags["ray_address"],
    }


_TRUST_FLAGS = tuple(inspect.signature(trust_options).parameters)[:-1]  # all but the seed


def compare_settings(flags: Mapping[str, Any]) -> dict[str, Any]:
    """:class:`~taskfit.config.CompareOptions` keyword arguments from the flags of
    :func:`run_flags` and :func:`compare_flags`."""
    from taskfit.workflows.inputs import parse_answers, parse_approaches

    return {
        **run_settings(flags),
        "approaches": parse_approaches(flags["approaches"]) if flags["approaches"] else None,
        "latency_p95_ms": flags["latency_p95_ms"],
        "budget_per_1k": flags["budget_per_1k"],
        "label_descriptions": _path(flags["label_descriptions"]),
        "card": _path(flags["card"]),
        "answers": parse_answers(flags["set_"] or []),
        "on_prem": flags["on_prem"],
        "trust": trust_options(**{k: flags[k] for k in _TRUST_FLAGS}, seed=flags["seed"]),
    }
