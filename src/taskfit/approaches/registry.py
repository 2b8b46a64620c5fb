"""The approach registry: every approach taskfit can plan and run, by name.

An :class:`Approach` says what an approach is (family, summary, task types, needs) and
how it becomes units and how a unit runs (a learner class and its hooks, or how a
prompted approach chooses demonstrations). Planning, execution, label-budget curves,
trust planning and the advice read it, so a new approach is one :func:`register` call
(or one entry point) and no edit elsewhere.

Built-in approaches (:mod:`taskfit.approaches.builtin`) are registered first; then every
entry point of the group ``taskfit.approaches`` is loaded, once, on the first query. An
entry point names an :class:`Approach`, a list of them, or a callable returning one or
several (or registering them itself and returning ``None``). A plugin that fails to load
or gives something invalid is skipped with a :class:`PluginWarning` naming it.

This module imports only lower layers (types, errors, learners); code of higher layers
is named by ``"module:attr"`` strings and resolved where it is used.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Literal, cast

from taskfit.errors import UsageError
from taskfit.types import Unit

if TYPE_CHECKING:
    from taskfit.learners.base import Learner
    from taskfit.learners.embed import Embedder

__all__ = [
    "DEMOS",
    "ENTRY_POINT_GROUP",
    "FAMILIES",
    "NEEDS",
    "Approach",
    "ApproachFamily",
    "Demos",
    "LearnerKwargs",
    "Need",
    "PluginWarning",
    "SampleReason",
    "UnitParams",
    "all_approaches",
    "defaults",
    "for_task",
    "get",
    "help_text",
    "learner_names",
    "names",
    "needs_of",
    "prompt_names",
    "register",
    "reload_plugins",
    "resolve",
    "unregister",
]

ENTRY_POINT_GROUP = "taskfit.approaches"

ApproachFamily = Literal["prompt", "finetune", "baseline"]
Need = Literal["encoder", "llm", "gpu", "corpus"]
Demos = Literal["none", "random", "knn"]

FAMILIES: tuple[ApproachFamily, ...] = ("prompt", "finetune", "baseline")
# "corpus": passages to retrieve from (``--corpus``), for retrieval-augmented approaches.
NEEDS: tuple[Need, ...] = ("encoder", "llm", "gpu", "corpus")
# How a prompted approach chooses its demonstrations: none (zero-shot), a seeded
# label-balanced random set shared by every test example, or the nearest training
# examples of each test example by encoder embedding.
DEMOS: tuple[Demos, ...] = ("none", "random", "knn")

# Extra unit params, appended after the ones planning adds itself. Called with the run's
# planning options (a ``taskfit.run.plan.PlanOptions``) and ``swept``: True for a point of
# a label-budget curve, whose budget is the training cap. The params are part of the
# unit key: the same options must always give the same params.
UnitParams = Callable[[Any, bool], Sequence[tuple[str, Any]]]
# Keyword arguments of the learner's constructor for one unit; the run's (cached)
# sentence embedder is there for learners that encode texts with it.
LearnerKwargs = Callable[[Unit, "Embedder"], Mapping[str, Any]]
# Why a learner trained on fewer examples than it was given (it set ``n_used_``); shown
# in the unit's notes.
SampleReason = Callable[[Unit], str]


class PluginWarning(UserWarning):
    """An approach plugin could not be loaded; it is skipped."""


def resolve(ref: str) -> Any:
    """The object a ``"module:attr"`` string names (``attr`` may be dotted)."""
    module, sep, attr = ref.partition(":")
    if not sep or not module or not attr:
        raise ValueError(f"{ref!r} is not of the form 'module:attr'")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class Approach:
    """One approach: what it is, what it needs, how it is planned and run.

    Common fields:

    - ``name``: what users type (``--approaches``) and what results show, with
      ``@model`` appended when the unit has a model. No ``@``, ``,``, ``+`` or spaces.
    - ``family``: ``"prompt"`` (an LLM with a prompt), ``"finetune"`` (a model trained on
      the labels) or ``"baseline"`` (a reference every result is compared with).
    - ``summary``: one line for ``--help`` and the web form.
    - ``tasks``: task types it supports.
    - ``needs``: what it needs to run, among :data:`NEEDS`. A prompted approach always
      needs the LLM; kNN demonstrations need the encoder. An approach that needs the
      encoder carries the encoder id in its units (a learner as the unit's model, a
      prompted approach as its ``encoder`` param), so another encoder is another unit.
    - ``unit_params``: extra unit params (:data:`UnitParams`).
    - ``compare_default``: run by ``taskfit compare`` when no approach is named (and the
      advice names none).
    - ``curve_default``: position among the approaches a label-budget curve sweeps (a
      learner) or draws as references (a prompted approach) when none is named; None:
      only when named.
    - ``resources``: what one of its units asks of a Ray node (``num_cpus``, ``memory``
      in bytes, ``num_gpus``), over the executor's defaults (one CPU, 1 GiB); None: the
      defaults. The local executor ignores it.
    - ``runner``: how its units run, a :class:`taskfit.run.runners.UnitRunner` or its
      ``"module:attr"``. None: the task type's prompted runner for a prompted approach,
      the learner runner (``learner`` below) otherwise. An approach with its own runner
      needs no learner (e.g. one that fine-tunes an LLM and generates).

    Learners (families ``finetune`` and ``baseline``):

    - ``learner``: the learner class, as ``"module:Class"`` (imported when first used,
      so heavy dependencies stay lazy) or any callable returning a
      :class:`~taskfit.learners.base.Learner`.
    - ``learner_kwargs``: its constructor's keyword arguments for a unit
      (:data:`LearnerKwargs`); None: no arguments.
    - ``sample_reason``: why it may train on a sample (:data:`SampleReason`).

    Prompted approaches (family ``prompt``):

    - ``demos``: how demonstrations are chosen, one of :data:`DEMOS`. With demonstrations
      the unit carries the number of ``shots``.
    - ``seeded``: whether the seed changes what it does (demonstrations, the dev split),
      so a curve runs it once per seed; an unseeded approach runs once.
    - ``variants``: prompt wordings tried on the dev split (None: every one).
    """

    name: str
    family: ApproachFamily
    summary: str
    tasks: frozenset[str] = frozenset({"classification"})
    needs: frozenset[str] = frozenset()
    unit_params: UnitParams | None = None
    compare_default: bool = False
    curve_default: int | None = None
    runner: Any = None
    resources: Mapping[str, float] | None = None
    # learners
    learner: str | Callable[..., Learner] | None = None
    learner_kwargs: LearnerKwargs | None = None
    sample_reason: SampleReason | None = None
    # prompted approaches
    demos: Demos = "none"
    seeded: bool = True
    variants: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or not name or any(c in name for c in "@,+ \t\n"):
            raise ValueError(
                f"approach name {name!r}: use a non-empty name without '@', ',', '+' or spaces"
            )
        if self.family not in FAMILIES:
            raise ValueError(f"approach {name!r}: family must be one of {', '.join(FAMILIES)}")
        if not self.summary or "\n" in self.summary:
            raise ValueError(f"approach {name!r}: give a one-line summary")
        needs = set(self.needs)
        if self.family == "prompt":
            needs.add("llm")
            if self.demos == "knn":
                needs.add("encoder")
        bad = sorted(needs - set(NEEDS))
        if bad:
            raise ValueError(f"approach {name!r}: unknown need {bad[0]!r}; needs: {NEEDS}")
        object.__setattr__(self, "needs", frozenset(needs))
        object.__setattr__(self, "tasks", frozenset(self.tasks))
        if self.demos not in DEMOS:
            raise ValueError(f"approach {name!r}: demos must be one of {', '.join(DEMOS)}")
        if self.family == "prompt":
            if self.learner is not None:
                raise ValueError(f"prompted approach {name!r} cannot have a learner")
        elif self.learner is None and self.runner is None:
            raise ValueError(f"approach {name!r} ({self.family}) needs its learner class")
        elif isinstance(self.learner, str) and ":" not in self.learner:
            raise ValueError(f"approach {name!r}: learner must be 'module:Class' or a callable")
        if self.variants is not None:
            object.__setattr__(self, "variants", tuple(self.variants))

    # --- what it is -----------------------------------------------------------------

    @property
    def is_prompted(self) -> bool:
        return self.family == "prompt"

    @property
    def is_learner(self) -> bool:
        """Trained on the labels (fine-tuned or baseline): it can be swept over budgets."""
        return self.family != "prompt"

    @property
    def uses_encoder(self) -> bool:
        return "encoder" in self.needs

    @property
    def uses_shots(self) -> bool:
        """Shows demonstrations, so its units carry ``shots``."""
        return self.is_prompted and self.demos != "none"

    @property
    def reorders_demos(self) -> bool:
        """Shows every test example the same demonstrations, whose order can be varied
        (the recency-bias probe of the trust measures)."""
        return self.is_prompted and self.demos == "random"

    def supports(self, task: str) -> bool:
        return task in self.tasks

    # --- how it runs ----------------------------------------------------------------

    def learner_class(self) -> Callable[..., Learner]:
        """The learner's class (or factory), imported on first use."""
        if self.learner is None:
            raise TypeError(f"{self.name} is a prompted approach: it has no learner")
        if isinstance(self.learner, str):
            return cast("Callable[..., Learner]", resolve(self.learner))
        return self.learner

    def make_learner(self, **kwargs: Any) -> Learner:
        """A new, unfitted learner; ``kwargs`` go to its constructor."""
        return self.learner_class()(**kwargs)

    def learner_params(self, unit: Unit, embedder: Embedder) -> dict[str, Any]:
        """The learner's constructor arguments for ``unit``."""
        if self.learner_kwargs is None:
            return {}
        return dict(self.learner_kwargs(unit, embedder))

    def extra_params(self, opts: Any, *, swept: bool = False) -> tuple[tuple[str, Any], ...]:
        """The approach's own unit params for planning options ``opts``."""
        if self.unit_params is None:
            return ()
        return tuple((str(k), v) for k, v in self.unit_params(opts, swept))

    def help_line(self, width: int = 14) -> str:
        needs = ", ".join(n for n in NEEDS if n in self.needs) or "nothing"
        return f"{self.name:<{width}} {self.family:<9} {self.summary} (needs: {needs})"


# --- the registry ---------------------------------------------------------------------

_lock = threading.RLock()
_approaches: dict[str, Approach] = {}
_plugin_names: set[str] = set()  # names registered by entry points (reloadable)
_state = "empty"  # "empty" -> "loading" -> "ready"


def _ensure_loaded() -> None:
    global _state
    with _lock:
        if _state != "empty":
            return  # "loading": a plugin is querying the registry while it loads
        _state = "loading"
        try:
            from taskfit.approaches.builtin import builtin_approaches

            for a in builtin_approaches():
                _add(a)
            _load_plugins()
        finally:
            _state = "ready"


def _add(approach: Approach) -> None:
    if not isinstance(approach, Approach):
        raise TypeError(f"expected an Approach, got {type(approach).__name__}")
    old = _approaches.get(approach.name)
    if old is not None and old != approach:
        raise ValueError(f"approach {approach.name!r} is already registered ({old.family})")
    _approaches[approach.name] = approach


def _plugin_id(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    where = f" from {dist.name}" if dist is not None and getattr(dist, "name", None) else ""
    return f"{ep.name!r} ({ep.value}{where})"


def _load_plugins() -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        snapshot = dict(_approaches)
        try:
            found = _approaches_of(ep.load())
            for a in found:
                _add(a)
        except Exception as e:
            # a broken plugin never takes taskfit down with it, nor leaves half its approaches
            _approaches.clear()
            _approaches.update(snapshot)
            warnings.warn(
                f"taskfit: skipping approach plugin {_plugin_id(ep)}: {type(e).__name__}: {e}",
                PluginWarning,
                stacklevel=2,
            )
            continue
        # what it returned and what it registered itself are the plugin's
        _plugin_names.update(set(_approaches) - set(snapshot))


def _approaches_of(obj: Any) -> list[Approach]:
    """What an entry point gave: an Approach, several, or a callable returning them."""
    if callable(obj) and not isinstance(obj, Approach):
        obj = obj()
    if obj is None:  # the callable registered its approaches itself
        return []
    if isinstance(obj, Approach):
        return [obj]
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        items = list(obj)
        bad = [x for x in items if not isinstance(x, Approach)]
        if not bad:
            return items
        obj = bad[0]
    raise TypeError(f"expected an Approach or a list of them, got {type(obj).__name__}")


def register(approach: Approach, *, replace: bool = False) -> Approach:
    """Add ``approach`` to the registry and return it.

    Registering an equal approach again does nothing; another approach under a taken name
    is an error unless ``replace`` (then it takes the old one's place in the order)."""
    _ensure_loaded()
    with _lock:
        if replace and approach.name in _approaches:
            if not isinstance(approach, Approach):
                raise TypeError(f"expected an Approach, got {type(approach).__name__}")
            _approaches[approach.name] = approach  # keeps its place in the order
        else:
            _add(approach)
    return approach


def unregister(name: str) -> Approach | None:
    """Remove an approach (tests, notebooks); returns it, or None when not registered."""
    _ensure_loaded()
    with _lock:
        _plugin_names.discard(name)
        return _approaches.pop(name, None)


def reload_plugins() -> None:
    """Forget the approaches entry points gave and load the entry points again (after
    installing a plugin, or putting one on ``sys.path``, in a running process)."""
    _ensure_loaded()
    with _lock:
        for name in _plugin_names:
            _approaches.pop(name, None)
        _plugin_names.clear()
        importlib.invalidate_caches()
        _load_plugins()


def get(name: str) -> Approach:
    """The approach called ``name``; a :class:`~taskfit.errors.UsageError` listing the
    valid names when there is none."""
    _ensure_loaded()
    try:
        return _approaches[name]
    except KeyError:
        raise UsageError(
            f"unknown approach {name!r}; valid approaches: {', '.join(names())}"
        ) from None


def all_approaches() -> tuple[Approach, ...]:
    """Every registered approach, built-ins first, in registration order."""
    _ensure_loaded()
    with _lock:
        return tuple(_approaches.values())


def _families(family: str | Iterable[str] | None) -> frozenset[str] | None:
    if family is None:
        return None
    return frozenset([family] if isinstance(family, str) else family)


def names(family: str | Iterable[str] | None = None, task: str | None = None) -> tuple[str, ...]:
    """Names of the registered approaches of ``family`` (one or several) supporting
    ``task``, in registration order."""
    fams = _families(family)
    return tuple(
        a.name
        for a in all_approaches()
        if (fams is None or a.family in fams) and (task is None or a.supports(task))
    )


def prompt_names(task: str | None = None) -> tuple[str, ...]:
    """Prompted approaches."""
    return names("prompt", task)


def learner_names(task: str | None = None) -> tuple[str, ...]:
    """Approaches trained on the labels: fine-tuned ones and baselines."""
    return names(("finetune", "baseline"), task)


def defaults(
    workflow: Literal["compare", "curve"] = "compare",
    family: str | Iterable[str] | None = None,
    task: str | None = None,
) -> tuple[str, ...]:
    """The approaches a workflow runs when the user names none.

    ``compare``: those with ``compare_default``, in registration order. ``curve``: those
    with a ``curve_default`` position, in that order (learners are swept, prompted
    approaches drawn as references). ``task``: only those supporting that task type."""
    fams = _families(family)
    pool = [
        a
        for a in all_approaches()
        if (fams is None or a.family in fams) and (task is None or a.supports(task))
    ]
    if workflow == "compare":
        return tuple(a.name for a in pool if a.compare_default)
    if workflow == "curve":
        ranked = [a for a in pool if a.curve_default is not None]
        return tuple(a.name for a in sorted(ranked, key=lambda a: cast(int, a.curve_default)))
    raise ValueError(f"unknown workflow {workflow!r}")


def for_task(
    approach_names: Sequence[str], task: str, *, named: bool, corpus: bool = True
) -> tuple[str, ...]:
    """The approaches of ``approach_names`` that support task type ``task`` (and, without
    a ``corpus``, do not need one).

    ``named``: the user named them, so one that does not support the task (or needs the
    corpus there is not) is a usage error; otherwise (defaults, the advice's picks) the
    others are left out, and an empty result is an error listing the approaches that do
    support it."""
    bad = [n for n in approach_names if not get(n).supports(task)]
    if named and bad:
        raise UsageError(
            f"approach {bad[0]!r} does not support {task} tasks; approaches that do: "
            f"{', '.join(names(task=task)) or 'none'}"
        )
    if not corpus:
        no_corpus = [n for n in approach_names if "corpus" in get(n).needs]
        if named and no_corpus:
            raise UsageError(
                f"approach {no_corpus[0]!r} retrieves passages: give the corpus with --corpus FILE"
            )
        bad += no_corpus
    kept = tuple(n for n in approach_names if n not in bad)
    if not kept:
        raise UsageError(
            f"no default approach supports {task} tasks; name some with --approaches "
            f"({', '.join(names(task=task)) or 'none is registered'})"
        )
    return kept


def needs_of(approach_names: Iterable[str]) -> frozenset[str]:
    """Everything the named approaches need together (e.g. is an encoder or an LLM used?)."""
    out: set[str] = set()
    for n in approach_names:
        out |= get(n).needs
    return frozenset(out)


def help_text(family: str | Iterable[str] | None = None) -> str:
    """One line per approach: name, family, summary and needs (``--help``, the web form)."""
    fams = _families(family)
    shown = [a for a in all_approaches() if fams is None or a.family in fams]
    width = max((len(a.name) for a in shown), default=0)
    return "\n".join(a.help_line(width) for a in shown)


# --- module constants computed from the registry --------------------------------------


def computed_names(
    module: str, /, **table: Callable[[], tuple[str, ...]]
) -> Callable[[str], tuple[str, ...]]:
    """A module ``__getattr__`` (PEP 562) for ``module`` that computes each name of
    ``table`` when it is read (``table[name]()``), so approaches registered since (by
    plugins) are included; any other name raises :class:`AttributeError` as usual.

    Assigned as ``__getattr__ = computed_names(__name__, NAME=function, ...)`` next to
    annotations of the names (``NAME: tuple[str, ...]``) for type checkers and linters."""

    def __getattr__(name: str) -> tuple[str, ...]:
        if name in table:
            return table[name]()
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
