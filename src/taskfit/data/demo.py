"""The bundled demo data behind ``taskfit demo``: small intent-classification CSVs.

They ship inside the package (``taskfit/data/demo/``, columns ``text,intent``) so the demo
runs with no download and no user file: ``train.csv`` and ``test.csv`` for the
comparison, ``ood_test.csv`` for the out-of-distribution check.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from taskfit.data.load import load_dataset
from taskfit.errors import DataError
from taskfit.types import Dataset

__all__ = ["DEMO_LABEL", "DEMO_TEXT", "demo_paths", "load_demo"]

DEMO_TEXT = "text"
DEMO_LABEL = "intent"
_FILES = {"train": "train.csv", "test": "test.csv", "ood_test": "ood_test.csv"}


def demo_paths() -> dict[str, Path]:
    """Paths of the bundled demo files, keyed ``train``, ``test`` and ``ood_test``.

    >>> sorted(demo_paths())
    ['ood_test', 'test', 'train']
    """
    root = Path(str(files("taskfit") / "data" / "demo"))
    return {key: root / name for key, name in _FILES.items()}


def load_demo(seed: int = 0) -> Dataset:
    """Load the demo train/test files as a :class:`Dataset`.

    >>> load_demo().label_col
    'intent'
    """
    paths = demo_paths()
    for path in (paths["train"], paths["test"]):
        if not path.is_file():
            raise DataError("bundled demo data is missing; reinstall taskfit", file=str(path))
    return load_dataset(
        paths["train"], text=DEMO_TEXT, label=DEMO_LABEL, test=paths["test"], seed=seed, demo=True
    )
