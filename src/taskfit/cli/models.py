"""`taskfit models`: list and filter the model catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from taskfit.cli.common import app, out
from taskfit.errors import UsageError

_USES = ("prompt", "finetune")
_ARCHS = ("encoder-only", "encoder-decoder", "decoder-only")


@app.command()
def models(
    use: Annotated[
        str | None, typer.Option("--use", help="Typical use: prompt or finetune.")
    ] = None,
    arch: Annotated[
        str | None,
        typer.Option("--arch", help="encoder-only, encoder-decoder or decoder-only."),
    ] = None,
    open_weights: Annotated[
        bool, typer.Option("--open", help="Only models with open weights (can run on premises).")
    ] = False,
    cpu: Annotated[
        bool, typer.Option("--cpu", help="Only models that run at usable speed on a laptop CPU.")
    ] = False,
    max_params_b: Annotated[
        float | None, typer.Option("--max-params-b", help="At most this many billion parameters.")
    ] = None,
    min_context: Annotated[
        int | None, typer.Option("--min-context", help="At least this context window (tokens).")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Text to find in name, family, org or notes.")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="Use this catalog YAML instead.")
    ] = None,
) -> None:
    """List model families (the paper's Table 1 and successors) with size, context, licence.

    Example: taskfit models --use prompt --open --cpu
    """
    from taskfit.workflows.inputs import filter_models, load_catalog

    if use is not None and use not in _USES:
        raise UsageError(f"--use must be one of: {', '.join(_USES)}; got {use!r}")
    if arch is not None and arch not in _ARCHS:
        raise UsageError(f"--arch must be one of: {', '.join(_ARCHS)}; got {arch!r}")
    entries = filter_models(
        load_catalog(str(catalog) if catalog else None),
        use=use,
        architecture=arch,
        open_weights=True if open_weights else None,
        max_params_b=max_params_b,
        min_context=min_context,
        cpu_only=cpu,
        text=search,
    )
    t = Table(title=f"{len(entries)} models", title_justify="left")
    for col in ("model", "arch", "params", "context", "licence", "use", "run with", "year"):
        t.add_column(col, justify="right" if col in ("params", "context", "year") else "left")
    for e in entries:
        params = f"{e.params_b:g}B" if e.params_b > 0 else "?"
        run = e.spec or ", ".join(e.backends) or "-"
        t.add_row(
            e.name, e.architecture, params, f"{e.context:,}", e.licence, e.use, run, str(e.year)
        )
    out.print(t)
    if not entries:
        out.print("No model matches; loosen a filter.")
