"""Fixtures of the approach conformance tests. The test plugins (``tests/plugins``) go on
``sys.path`` at collection, so the suites parametrized over every registered approach
check them too."""

from __future__ import annotations

import pytest
from tests.conformance.fakes import FakeEmbedder, tiny_dataset, use_test_plugins

from taskfit.types import Dataset

use_test_plugins()


@pytest.fixture()
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder("fake-encoder")


@pytest.fixture()
def tiny() -> Dataset:
    return tiny_dataset()
