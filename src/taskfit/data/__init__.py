"""Data loading: user files (CSV/TSV/JSONL/Parquet) -> validated ``Dataset``.

The first pipeline stage. :func:`load_dataset` reads, validates and splits; every
problem with the input surfaces as a one-line :class:`~taskfit.errors.DataError`.
:func:`load_demo` loads the bundled demo data used by ``taskfit demo``.
"""

from __future__ import annotations

from taskfit.data.demo import demo_paths, load_demo
from taskfit.data.load import load_dataset, load_examples, read_table

__all__ = ["demo_paths", "load_dataset", "load_demo", "load_examples", "read_table"]
