"""A real Ray cluster on 127.0.0.1 for tests: a head node plus worker nodes, each a set
of Ray processes of its own, stopped when the context manager exits."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from typing import Any

import pytest

# Small: tests send datasets of a few hundred rows.
OBJECT_STORE_BYTES = 128 * 1024**2
# Ray's switch for "this machine may be one node of a cluster"; off, Ray takes
# 127.0.0.1 as every node's address.
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def ray_environment() -> None:
    """Ray on the loopback address only, no usage reports: before ray is first imported."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ[LOOPBACK_ONLY] = "0"


def skip_without_ray() -> None:
    if importlib.util.find_spec("ray") is None:
        pytest.skip("ray is not installed (the Ray executor runs on it); pip install taskfit[ray]")


@contextlib.contextmanager
def local_cluster(workers: int = 1, cpus: int = 1) -> Iterator[Any]:
    """A head node and ``workers`` worker nodes of ``cpus`` CPUs each, on 127.0.0.1;
    yields the ``ray.cluster_utils.Cluster`` (``.address`` for ``--ray-address``)."""
    skip_without_ray()
    # Every Ray process of the test (and the drivers it starts) on the loopback address,
    # not the machine's outward one: test traffic stays on 127.0.0.1.
    ray_environment()
    from ray.cluster_utils import Cluster

    node = {
        "num_cpus": cpus,
        "node_ip_address": "127.0.0.1",
        "object_store_memory": OBJECT_STORE_BYTES,
    }
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    try:
        for _ in range(workers):
            cluster.add_node(**node)
        cluster.wait_for_nodes(timeout=120)
        yield cluster
    finally:
        cluster.shutdown()
