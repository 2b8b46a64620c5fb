"""What the commands share: the app, consoles, progress display and common options."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from taskfit.types import Unit
from taskfit.workflows.inputs import ProgressHook, names

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Prompt an LLM or fine-tune a small model? taskfit measures it on your data.",
)
out = Console()
err = Console(stderr=True)

T = TypeVar("T")


class PlainLines:
    """Progress as plain lines, for a stderr that is not a terminal (a log file, CI):
    rich draws nothing there until the end, so a long run would look stuck."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.unit_t0: dict[str, float] = {}  # units running, by name
        self.last_stage = ""

    def _line(self, text: str) -> None:
        elapsed = int(time.monotonic() - self.t0)
        err.print(f"[{elapsed // 60:d}:{elapsed % 60:02d}] {text}", highlight=False, soft_wrap=True)

    def stage(self, name: str) -> None:
        head = name.split(":")[0]
        if head != self.last_stage:  # one line per step, not per sub-step
            self.last_stage = head
            self._line(name)

    def unit_started(self, name: str, total: int) -> None:
        self.unit_t0[name] = time.monotonic()
        self._line(f"{name}: {total} examples")

    def unit_finished(self, name: str, cached: bool) -> None:
        took = time.monotonic() - self.unit_t0.pop(name, time.monotonic())
        self._line(f"{name}: from the cache" if cached else f"{name}: done in {took:.0f} s")


class _BarsHook(ProgressHook):
    """Progress bars on stderr, started by the first event so that an input error is
    printed alone; plain lines instead when stderr is not a terminal."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        )
        self.task: Any = None
        self.tasks: dict[str, Any] = {}  # bars of the units running, by unit key
        self.started = False
        self.plain = None if err.is_terminal else PlainLines()

    def _start(self) -> None:
        if not self.started:
            self.progress.start()
            self.started = True

    def stop(self) -> None:
        if self.started:
            self.progress.stop()
            self.started = False

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def unit_progress(self, unit: Unit, n: int) -> None:
        bar = self.tasks.get(unit.key)
        if bar is not None:
            self.progress.advance(bar, n)

    def run(self, work: Callable[..., T], *args: Any, kept: str, **kwargs: Any) -> T:
        """``work(*args, hook=self, **kwargs)``, the bars stopped when it ends; on Ctrl+C,
        a line saying what is ``kept`` and exit code 130."""
        try:
            return work(*args, hook=self, **kwargs)
        except KeyboardInterrupt:
            self.stop()
            err.print(f"interrupted: {kept}; run the same command again to resume.")
            raise SystemExit(130) from None
        finally:
            self.stop()


class RichHook(_BarsHook):
    """Progress bars: one line per unit, advanced per example."""

    def __init__(self) -> None:
        super().__init__()
        self.stage_task: Any = None
        self.stage_name = ""

    def stage(self, name: str) -> None:
        """One line for a step before a group of units (profiling, a trust test set),
        updated in place until the next unit starts."""
        if self.plain:
            self.plain.stage(name)
            return
        self._start()
        self.stage_name = name
        if self.stage_task is None:
            self.stage_task = self.progress.add_task(name, total=None)
        else:
            self.progress.update(self.stage_task, description=name)

    def _end_stage(self) -> None:
        if self.stage_task is not None:
            done = "profiled" if self.stage_name.startswith("profiling") else self.stage_name
            self.progress.update(self.stage_task, description=done, total=1, completed=1)
            self.stage_task = None

    def unit_started(self, unit: Unit, total: int) -> None:
        if self.plain:
            self.plain.unit_started(unit.name, total)
            return
        self._start()
        self._end_stage()
        self.task = self.tasks[unit.key] = self.progress.add_task(unit.name, total=total)

    def unit_finished(self, unit: Unit, cached: bool) -> None:
        if self.plain:
            self.plain.unit_finished(unit.name, cached)
            return
        self._end_stage()
        if cached:
            self._start()
            t = self.progress.add_task(f"{unit.name} (cached)", total=1)
            self.progress.advance(t, 1)
        self.task = None
        self.tasks.pop(unit.key, None)


class SweepHook(_BarsHook):
    """Progress of a sweep: one bar per prompted unit (advanced per example), one bar
    counting all learner units."""

    def __init__(self, n_points: int | None, points_label: str) -> None:
        super().__init__()
        self.n_points = n_points
        self.points_label = points_label
        self.points: Any = None

    def stage(self, name: str) -> None:
        if self.plain:
            self.plain.stage(name)
            return
        self._start()
        self.progress.add_task(name, total=None)

    def unit_started(self, unit: Unit, total: int) -> None:
        if self.plain:
            self.plain.unit_started(f"{unit.name} seed {unit.seed}", total)
            return
        self._start()
        if unit.family == "prompt":
            name = f"{unit.name} seed {unit.seed}"
            self.task = self.tasks[unit.key] = self.progress.add_task(name, total=total)

    def unit_finished(self, unit: Unit, cached: bool) -> None:
        if self.plain:
            self.plain.unit_finished(f"{unit.name} seed {unit.seed}", cached)
            return
        self._start()
        self.task = None
        self.tasks.pop(unit.key, None)
        if unit.family == "prompt":
            if cached:
                self.progress.add_task(f"{unit.name} seed {unit.seed} (cached)", total=1)
            return
        if self.points is None:
            self.points = self.progress.add_task(self.points_label, total=self.n_points)
        self.progress.advance(self.points, 1)


def titled_table(title: str, columns: Iterable[str]) -> Table:
    """A table titled on the left; its first column (the names) left-aligned and never
    wrapped, the others right-aligned."""
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, no_wrap=i == 0, justify="left" if i == 0 else "right")
    return table


# Options shared by `compare` and `demo`.
LlmOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--llm",
        help="LLM spec, repeatable: smollm2 (embedded, default), "
        "gguf:/path/model.gguf, openai:MODEL, openai:MODEL@BASE_URL.",
    ),
]
ApproachOpt = Annotated[
    str | None,
    typer.Option(
        "--approaches",
        help=f"Comma-separated: {', '.join(names())}. Default: the ones the advice names to "
        "test its prior (see taskfit advise). What each one is: taskfit approaches.",
    ),
]
ShotsOpt = Annotated[int, typer.Option("--shots", help="Demonstrations per few-shot prompt.")]
SamplesOpt = Annotated[
    int,
    typer.Option("--samples", help="Self-consistency: chains of thought sampled per question."),
]
TemperatureOpt = Annotated[
    float,
    typer.Option("--temperature", help="Self-consistency: sampling temperature of the chains."),
]
PromptFormatOpt = Annotated[
    str,
    typer.Option(
        "--prompt-format",
        help="Prompt format of prompted approaches: auto (both tried on the dev split, the "
        "better used), chat (the model's own chat template / chat endpoint) or completion.",
    ),
]
DevSizeOpt = Annotated[
    int,
    typer.Option(
        "--dev-size",
        help="Training examples held out (stratified) to choose each prompted approach's "
        "prompt; never test examples. 0: no selection, the format's default prompt.",
    ),
]
LlmTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--llm-timeout",
        help="Seconds before an HTTP LLM request is abandoned and retried [default: adaptive, "
        "following the time the server has shown it needs].",
    ),
]


def llm_backend_options(
    llms: list[str] | tuple[str, ...] | None, timeout: float | None
) -> dict[str, dict[str, Any]]:
    """Constructor options per LLM spec: a fixed timeout for HTTP endpoints."""
    from taskfit.errors import UsageError
    from taskfit.workflows.inputs import parse_spec

    if timeout is None:
        return {}
    if timeout <= 0:
        raise UsageError(f"--llm-timeout must be positive, got {timeout:g}")
    specs = [parse_spec(s) for s in llms or ()]
    return {s.canonical: {"timeout_s": timeout} for s in specs if s.kind == "openai"}


MaxTestOpt = Annotated[
    int | None,
    typer.Option(
        "--max-test",
        help="Cap on test examples for LLM approaches (stratified "
        "sample; intervals show the smaller n).",
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed for splits, demos, training.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Output folder for results.json and summary.md [default: .taskfit/runs/RUN_ID].",
    ),
]
LatencyOpt = Annotated[
    float | None, typer.Option("--latency-p95-ms", help="Rule out approaches slower than this.")
]
BudgetOpt = Annotated[
    float | None,
    typer.Option("--budget-per-1k", help="Rule out approaches costing more USD per 1k."),
]
UsdHourOpt = Annotated[
    float, typer.Option("--usd-per-hour", help="Price of local compute, USD per hour.")
]
PriceFileOpt = Annotated[
    Path | None,
    typer.Option("--price-file", help="JSON/YAML: model -> {input_per_1m, output_per_1m}."),
]
LabelDescOpt = Annotated[
    Path | None,
    typer.Option(
        "--label-descriptions",
        help="JSON/YAML file: label -> description, shown to the LLM in prompts.",
    ),
]
EncoderOpt = Annotated[
    str, typer.Option("--encoder", help="Sentence encoder: minilm (embedded) or a local folder.")
]

# Data options (DATA is optional: --demo uses the bundled data), then the profiling ones.
DataArg = Annotated[
    Path | None,
    typer.Argument(help="Labelled data (CSV, TSV, JSONL, Parquet). Omit with --demo."),
]
DemoOpt = Annotated[
    bool, typer.Option("--demo", help="Use the bundled demo data (with its OOD test set).")
]
TextOpt = Annotated[str | None, typer.Option("--text", help="Text column.")]
LabelOpt = Annotated[str | None, typer.Option("--label", help="Label column.")]
TextPairOpt = Annotated[
    str | None,
    typer.Option("--text-pair", help="Second text column (sentence-pair tasks such as NLI)."),
]
TestOpt = Annotated[Path | None, typer.Option("--test", help="Separate test file.")]
CorpusOpt = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        help=(
            "QA: passages to retrieve from (CSV/TSV/JSONL/Parquet with a text column, or "
            ".txt with documents between blank lines); long ones are cut into windows of "
            "120 words."
        ),
    ),
]
EvidenceOpt = Annotated[
    str | None,
    typer.Option(
        "--evidence",
        help="QA: column naming the corpus passage(s) of each answer (ids, '|' between); "
        "retrieval recall@k is measured against it.",
    ),
]
TopKOpt = Annotated[int, typer.Option("--top-k", help="QA: passages retrieved for each question.")]
RetrieverOpt = Annotated[
    str,
    typer.Option(
        "--retriever",
        help="QA: how the fine-tuned reader (lora-rag) retrieves: bm25, dense, hybrid.",
    ),
]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        help="Where units run: local (this process) or ray (tasks on a Ray cluster; needs the "
        "ray extra: pip install taskfit\\[ray]). Same results either way.",
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="With --executor ray: the cluster to join (host:port, or auto for the one this "
        "machine belongs to); none starts a local Ray instance on this machine's CPUs.",
    ),
]
TestSizeOpt = Annotated[
    float,
    typer.Option("--test-size", help="Test share when no --test is given (seeded, stratified)."),
]
DropEmptyOpt = Annotated[
    bool,
    typer.Option(
        "--drop-empty", help="Skip rows with empty text or label (counted) instead of failing."
    ),
]
OodOpt = Annotated[
    Path | None,
    typer.Option("--ood-test", help="Out-of-distribution test file (same text columns)."),
]
UnlabeledOpt = Annotated[
    Path | None,
    typer.Option("--unlabeled", help="Unlabeled pool (same text column), checked for PII."),
]
SampleOpt = Annotated[
    int,
    typer.Option(
        "--sample", help="Rows read by model-based sections (shift, label errors, lengths)."
    ),
]

# Advice options, shared by `advise`, `compare` and `demo`.
CardOpt = Annotated[
    Path | None,
    typer.Option("--card", help="YAML task card: task_type, facts, deployment constraints."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Answer a decision-flow fact, repeatable: --set ood=yes --set many_tasks=no."
    ),
]
OnPremOpt = Annotated[
    bool, typer.Option("--on-prem", help="The data must stay on the premises (no API LLM).")
]

# Cost-model and output options of `compare`, `demo`, `curve` and `distill`.
UsdLabelOpt = Annotated[
    float,
    typer.Option(
        "--usd-per-label", help="Price of one human label, USD (cost model's one-off cost)."
    ),
]
HorizonOpt = Annotated[
    float,
    typer.Option("--horizon-months", help="Months over which the cost model compares approaches."),
]
NoPlotsOpt = Annotated[bool, typer.Option("--no-plots", help="Do not write PNG/SVG plots.")]
ReportOpt = Annotated[
    bool,
    typer.Option("--report", help="Also write report.html (self-contained) into the run folder."),
]
MaxLossOpt = Annotated[
    float,
    typer.Option(
        "--max-accuracy-loss",
        min=0.0,
        max=100.0,
        help="Accuracy points a cheaper approach may lose to the most accurate one and still "
        "be chosen; it must be non-inferior: the paired 95% interval of the loss ends within "
        "this many points (on OOD and perturbed inputs too, when measured). 0 never trades.",
    ),
]
VolumeOpt = Annotated[
    float | None,
    typer.Option(
        "--volume-per-month",
        min=0.0,
        help="Predictions a month in production: 'cheaper' then means the total cost over "
        "--horizon-months (labels, training and running), not the running cost per 1k.",
    ),
]


def split_names(text: str) -> tuple[str, ...]:
    """``"a, b,,c"`` -> ``("a", "b", "c")``."""
    return tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
