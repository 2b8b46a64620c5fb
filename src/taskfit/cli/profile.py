"""`taskfit profile`: measured facts about a dataset, as tables and profile.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskfit.cli.common import (
    DataArg,
    DemoOpt,
    DropEmptyOpt,
    EncoderOpt,
    LabelOpt,
    LlmOpt,
    OodOpt,
    OutOpt,
    SampleOpt,
    SeedOpt,
    TestOpt,
    TestSizeOpt,
    TextOpt,
    TextPairOpt,
    UnlabeledOpt,
    app,
    err,
    out,
)
from taskfit.errors import UsageError

__all__ = ["load_and_profile"]


def load_and_profile(
    data: Path | None,
    demo: bool,
    *,
    text: str | None,
    label: str | None,
    text_pair: str | None,
    test: Path | None,
    test_size: float,
    drop_empty: bool,
    ood_test: Path | None,
    unlabeled: Path | None,
    llm: list[str] | None,
    encoder: str,
    sample: int,
    seed: int,
) -> tuple[Any, Any]:
    """Load the data and profile it with a spinner naming the current section."""
    from taskfit.workflows.profile import ProfileOptions, load_for_profile, profile_dataset

    if data is None and not demo:
        raise UsageError("give a data file (with --text and --label) or --demo")
    if data is not None and demo:
        raise UsageError("give either a data file or --demo, not both")
    if sample < 100:
        raise UsageError(f"--sample must be at least 100, got {sample}")
    dataset, ood, pool = load_for_profile(
        data,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        seed=seed,
        drop_empty=drop_empty,
        ood_test=ood_test,
        unlabeled=unlabeled,
    )
    opts = ProfileOptions(llms=tuple(llm or ()), encoder=encoder, sample=sample, seed=seed)
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
def profile(
    data: DataArg = None,
    demo: DemoOpt = False,
    text: TextOpt = None,
    label: LabelOpt = None,
    text_pair: TextPairOpt = None,
    test: TestOpt = None,
    test_size: TestSizeOpt = 0.3,
    drop_empty: DropEmptyOpt = False,
    ood_test: OodOpt = None,
    unlabeled: UnlabeledOpt = None,
    llm: LlmOpt = None,
    encoder: EncoderOpt = "minilm",
    sample: SampleOpt = 10_000,
    seed: SeedOpt = 0,
    out_dir: OutOpt = None,
) -> None:
    """Profile DATA: labels, lengths vs context, duplicates and leakage, shift, languages,
    PII, likely label errors, and each LLM's domain fit.

    Example: taskfit profile tickets.csv --text body --label intent --ood-test new.csv
    """
    from taskfit.report.profile_view import profile_renderables
    from taskfit.workflows.inputs import default_home
    from taskfit.workflows.profile import write_json

    dataset, prof = load_and_profile(
        data,
        demo,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        drop_empty=drop_empty,
        ood_test=ood_test,
        unlabeled=unlabeled,
        llm=llm,
        encoder=encoder,
        sample=sample,
        seed=seed,
    )
    for part in profile_renderables(prof):
        out.print(part)
        out.print()
    for note in (*dataset.notes, *prof.notes):
        err.print(f"  note: {note}", markup=False, highlight=False)
    target = Path(out_dir) if out_dir else default_home() / "profiles" / prof.data_hash[:12]
    write_json(target / "profile.json", prof.to_json())
    total = sum(prof.seconds.values())
    out.print(f"Profiled in {total:.1f} s. Wrote {target / 'profile.json'}", highlight=False)
