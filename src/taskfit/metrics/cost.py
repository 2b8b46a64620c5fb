"""Cost per 1,000 predictions: API list prices for hosted LLMs, measured compute otherwise.

The cost covers inference only; training time is reported separately
(``ApproachMetrics.train_seconds``) because it is paid once, not per prediction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from taskfit.config import DEFAULT_USD_PER_HOUR
from taskfit.errors import UsageError

__all__ = [
    "DEFAULT_PRICES",
    "DEFAULT_USD_PER_HOUR",
    "cost_per_1k",
    "load_price_file",
    "price_for",
]

# USD per 1M tokens, (input, output). These are the providers' published list prices
# as of their publication (OpenAI, 2024-2025); they change, so override them with
# ``load_price_file`` (or explicit prices) rather than trusting them for a budget.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


_PRICE_KEYS = ("input_per_1m", "output_per_1m")


def _usd(x: float) -> str:
    """``$0.15``, ``$10.00``; more digits only when cents would lose precision."""
    return f"${x:.2f}" if round(x, 2) == x else f"${x:g}"


def _parse_text(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"invalid JSON: {exc}", file=str(path)) from exc
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - PyYAML ships with the test extras
        raise UsageError("YAML price files need PyYAML; use JSON instead", file=str(path)) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"invalid YAML: {exc}", file=str(path)) from exc


def _price_value(path: Path, model: str, key: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise UsageError(f"{model!r}.{key} must be a number, got {raw!r}", file=str(path))
    value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise UsageError(
            f"{model!r}.{key} must be a finite number >= 0, got {raw!r}", file=str(path)
        )
    return value


def load_price_file(path: str | Path) -> dict[str, tuple[float, float]]:
    """Read ``model -> {"input_per_1m": x, "output_per_1m": y}`` from JSON or YAML.

    ``.json`` files are parsed as JSON, anything else as YAML (a superset of JSON).
    Returns ``model -> (input, output)`` in USD per 1M tokens, the shape of
    :data:`DEFAULT_PRICES`, so ``{**DEFAULT_PRICES, **load_price_file(p)}`` overrides.
    Any problem raises :class:`~taskfit.errors.UsageError` naming the file and key.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read price file: {exc.strerror or exc}", file=str(p)) from exc
    data = _parse_text(p, text)
    if not isinstance(data, Mapping):
        raise UsageError("price file must map model names to prices", file=str(p))
    prices: dict[str, tuple[float, float]] = {}
    for model, entry in data.items():
        if not isinstance(entry, Mapping):
            raise UsageError(
                f"{model!r} must map to {{input_per_1m: ..., output_per_1m: ...}}, got {entry!r}",
                file=str(p),
            )
        unknown = sorted(str(k) for k in entry if k not in _PRICE_KEYS)
        if unknown:
            raise UsageError(
                f"{model!r} has unknown key {unknown[0]!r}; expected {', '.join(_PRICE_KEYS)}",
                file=str(p),
            )
        for key in _PRICE_KEYS:
            if key not in entry:
                raise UsageError(f"{model!r} is missing key {key!r}", file=str(p))
        prices[str(model)] = (
            _price_value(p, str(model), "input_per_1m", entry["input_per_1m"]),
            _price_value(p, str(model), "output_per_1m", entry["output_per_1m"]),
        )
    return prices


def price_for(
    model: str, prices: Mapping[str, tuple[float, float]] = DEFAULT_PRICES
) -> tuple[float, float] | None:
    """Price of ``model``, trying the full spec, then the part after a ``provider:``
    or ``provider/`` prefix (``"openai:gpt-4o-mini"`` -> ``"gpt-4o-mini"``).

    ``None`` means unpriced: the model runs locally and is costed by compute time.
    """
    if model in prices:
        return prices[model]
    for sep in (":", "/"):
        tail = model.rsplit(sep, 1)[-1]
        if tail in prices:
            return prices[tail]
    return None


def cost_per_1k(
    *,
    prompt_tokens: int,
    completion_tokens: int,
    n_examples: int,
    price_in_per_1m: float | None,
    price_out_per_1m: float | None,
    compute_seconds: float,
    usd_per_hour: float,
) -> tuple[float, str]:
    """USD per 1,000 predictions and a sentence saying how it was computed.

    With API prices (both must be given) the cost is the token bill averaged per
    example; without them it is measured compute seconds per example times
    ``usd_per_hour``.
    """
    if n_examples <= 0:
        raise ValueError(f"n_examples must be > 0, got {n_examples}")
    if (price_in_per_1m is None) != (price_out_per_1m is None):
        raise ValueError("give both price_in_per_1m and price_out_per_1m, or neither")
    if price_in_per_1m is not None and price_out_per_1m is not None:
        usd = (prompt_tokens * price_in_per_1m + completion_tokens * price_out_per_1m) / 1e6
        basis = f"API list price {_usd(price_in_per_1m)}/1M in, {_usd(price_out_per_1m)}/1M out"
        return usd / n_examples * 1000.0, basis
    per_example_s = compute_seconds / n_examples
    usd_per_1k = per_example_s * usd_per_hour / 3600.0 * 1000.0
    basis = f"measured compute {per_example_s * 1000:.1f} ms/example × {_usd(usd_per_hour)}/hour"
    return usd_per_1k, basis
