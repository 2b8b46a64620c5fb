"""One conformance suite over every registered approach, plugins included (the checks are
in :mod:`tests.conformance.checks`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conformance import checks
from tests.conformance.fakes import tiny_for

from taskfit import approaches

ALL = approaches.names()


def test_builtins_and_plugins_are_registered() -> None:
    assert {"zero-shot", "few-shot", "few-shot-knn"} <= set(approaches.prompt_names())
    assert {"majority", "tfidf-lr", "encoder-lr", "setfit"} <= set(approaches.learner_names())
    assert "toy-centroid" in ALL  # tests/plugins, through the entry-point group


@pytest.mark.parametrize("name", ALL)
def test_approach_is_described(name: str) -> None:
    checks.check_described(name)


@pytest.mark.parametrize("name", ALL)
def test_planning_gives_units_of_its_family(name: str) -> None:
    checks.check_planning(name, tiny_for(name))


@pytest.mark.parametrize("name", ALL)
def test_curve_planning(name: str) -> None:
    checks.check_curve_planning(name, tiny_for(name))


@pytest.mark.parametrize("name", ALL)
def test_unit_runs_to_a_well_formed_result(name: str, tmp_path: Path) -> None:
    checks.check_run(name, tiny_for(name), tmp_path)
