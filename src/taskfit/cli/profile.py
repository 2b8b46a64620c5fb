"""`taskfit profile`: measured facts about a dataset, as tables and profile.json."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from taskfit.cli.common import app, err, out
from taskfit.cli.flags import data_flags, data_source, profile_flags, read_settings, with_flags
from taskfit.errors import UsageError

__all__ = ["load_and_profile"]


def load_and_profile(flags: Mapping[str, Any]) -> tuple[Any, Any]:
    """Load the data the flags of :func:`data_flags` and :func:`profile_flags` name, and
    profile it with a spinner naming the current section."""
    from taskfit.workflows.profile import ProfileOptions, load_for_profile, profile_dataset

    source = data_source(flags)
    if flags["sample"] < 100:
        raise UsageError(f"--sample must be at least 100, got {flags['sample']}")
    dataset, ood, pool = load_for_profile(
        source, **read_settings(flags), ood_test=flags["ood_test"], unlabeled=flags["unlabeled"]
    )
    opts = ProfileOptions(
        llms=tuple(flags["llm"] or ()),
        encoder=flags["encoder"],
        sample=flags["sample"],
        seed=flags["seed"],
    )
    with err.status("profiling ...") as status:
        profile = profile_dataset(
            dataset,
            opts,
            ood_test=ood,
            unlabeled=pool,
            on_section=lambda name: status.update(f"profiling: {name.replace('_', ' ')} ..."),
        )
    return dataset, profile


@app.command()
@with_flags(data_flags, profile_flags)
def profile(**flags: Any) -> None:
    """Profile DATA: labels, lengths vs context, duplicates and leakage, shift, languages,
    PII, likely label errors, and each LLM's domain fit.

    Example: taskfit profile tickets.csv --text body --label intent --ood-test new.csv
    """
    from taskfit.report.profile_view import profile_renderables
    from taskfit.workflows.inputs import default_home
    from taskfit.workflows.profile import write_json

    dataset, prof = load_and_profile(flags)
    for part in profile_renderables(prof):
        out.print(part)
        out.print()
    for note in (*dataset.notes, *prof.notes):
        err.print(f"  note: {note}", markup=False, highlight=False)
    out_dir = flags["out_dir"]
    target = Path(out_dir) if out_dir else default_home() / "profiles" / prof.data_hash[:12]
    write_json(target / "profile.json", prof.to_json())
    total = sum(prof.seconds.values())
    out.print(f"Profiled in {total:.1f} s. Wrote {target / 'profile.json'}", highlight=False)
