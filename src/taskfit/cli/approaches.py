"""`taskfit approaches`: every registered approach, with its family and what it needs."""

from __future__ import annotations

from rich.table import Table

from taskfit.cli.common import app, out
from taskfit.workflows.inputs import all_approaches


@app.command("approaches")
def list_approaches() -> None:
    """List the approaches compare, curve and distill can run: built-in ones and those
    installed as plugins (entry point group taskfit.approaches).

    Example: taskfit approaches
    """
    t = Table(title="taskfit approaches", title_justify="left")
    for col in ("approach", "family", "tasks", "needs", "what it is"):
        t.add_column(col, no_wrap=col == "approach")
    for a in all_approaches():
        t.add_row(
            a.name,
            a.family,
            ", ".join(sorted(a.tasks)),
            ", ".join(sorted(a.needs)) or "-",
            a.summary,
        )
    out.print(t)
