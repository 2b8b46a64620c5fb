"""`taskfit report`: the self-contained HTML report of a finished run, which the
``--report`` option of other commands writes too."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from taskfit.cli.common import app, out

__all__ = ["resolve_run", "write_html_report"]


def resolve_run(run: str) -> Path:
    """A run folder, or the folder of run id ``run`` under ``TASKFIT_HOME/runs``."""
    from taskfit.errors import UsageError
    from taskfit.workflows.inputs import default_home

    path = Path(run).expanduser()
    if path.is_dir():
        return path
    runs = default_home() / "runs"
    if run and "/" not in run and (runs / run).is_dir():
        return runs / run
    raise UsageError(f"{run}: no such run folder, nor a run id in {runs}")


def write_html_report(run_dir: Path, dest: Path | None = None, prefix: str = "") -> Path:
    """Write the report and print its path (after ``prefix``)."""
    from taskfit.report.html import write_report

    path = write_report(run_dir, dest)
    out.print(f"{prefix}{path}", markup=False, highlight=False, soft_wrap=True)
    return path


@app.command()
def report(
    run: Annotated[
        str, typer.Argument(help="Run folder, or a run id (looked up in TASKFIT_HOME/runs).")
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to write the HTML; the figures go next to it "
            "[default: RUN_FOLDER/report.html].",
        ),
    ] = None,
) -> None:
    """Write a self-contained HTML report of a run: the recommendation and its evidence,
    every table and figure of results.json, the data profile and how to reproduce it.

    Example: taskfit report .taskfit/runs/20250101-120000-abcd1234 --out review.html
    """
    write_html_report(resolve_run(run), out_file)
