"""Rich renderables for an :class:`~taskfit.advise.Advice` (``taskfit advise``).

What: the prior and why; each flow's path, one row per node with the answer, where the
answer came from (measured / answered / assumed) and the fact behind it; where the flows
disagree; the deployment constraints; the remarks that apply; the ``taskfit compare``
approaches and catalog models that would test the prior; the questions whose answers
could change it.

Why: a decision flow is only trustworthy when every step shows what it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from taskfit.advise import Advice, FlowResult

__all__ = ["advice_renderables"]

_OUTCOME_WORDS = {
    "prompt": "prompted LLM",
    "finetune": "fine-tuned model",
    "none": "no model fits well yet",
}
_PRIOR_WORDS = {
    **_OUTCOME_WORDS,
    "distill": "distil: the LLM labels data, a small model serves",
    "split": "split: the flows disagree, measure both sides",
}
_SOURCE_STYLE = {"measured": "green", "answered": "cyan", "assumed": "yellow"}


def _flow_table(f: FlowResult, title: str) -> Table:
    t = Table(
        title=f"Flow {f.flow}: {title} -> {_OUTCOME_WORDS.get(f.outcome, f.outcome)} "
        f"(decided at {f.decided_by})",
        title_justify="left",
    )
    for col in ("node", "question", "answer", "source", "why", "next"):
        t.add_column(col, overflow="fold")
    for s in f.path:
        t.add_row(
            s.node,
            s.question,
            "yes" if s.answer else "no",
            Text(s.source, style=_SOURCE_STYLE.get(s.source, "")),
            s.detail,
            _OUTCOME_WORDS.get(s.next, s.next),
        )
    return t


def _models_table(advice: Advice) -> Table | None:
    rows = [(side, e) for side, entries in advice.models.items() for e in entries]
    if not rows:
        return None
    t = Table(title="Models that fit the constraints", title_justify="left")
    for col in ("side", "model", "arch", "params", "context", "licence", "run with"):
        t.add_column(col, justify="right" if col in ("params", "context") else "left")
    for side, e in rows:
        if e.spec is not None:
            run = f"--encoder {e.spec}" if side == "finetune" else f"--llm {e.spec}"
        else:
            run = "-"
        params = f"{e.params_b:g}B" if e.params_b > 0 else "?"
        t.add_row(side, e.name, e.architecture, params, f"{e.context:,}", e.licence, run)
    return t


def advice_renderables(advice: Advice) -> list[RenderableType]:
    """Everything ``taskfit advise`` prints, in reading order."""
    from taskfit.advise.flows import FLOW_TITLES

    parts: list[RenderableType] = []
    head = Text()
    head.append("Prior: ", style="bold")
    head.append(_PRIOR_WORDS.get(advice.prior, advice.prior), style="bold")
    head.append(f" ({advice.task_type} task)\n")
    head.append(advice.prior_reason)
    parts.append(head)
    for f in advice.flows:
        parts.append(_flow_table(f, FLOW_TITLES.get(f.flow, f.flow)))
    for d in advice.disagreements:
        parts.append(
            Text(
                f"Where the flows differ: P ends at {d.p_node} ({d.p_outcome}), B at "
                f"{d.b_node} ({d.b_outcome}): {d.why}"
            )
        )
    if advice.constraints:
        t = Table(title="Deployment constraints", title_justify="left")
        t.add_column("constraint")
        t.add_column("rules out serving a prompted LLM")
        t.add_column("detail", overflow="fold")
        for c in advice.constraints:
            t.add_row(c.name, "yes" if c.pushes_local else "no", c.detail)
        parts.append(t)
    if advice.remarks:
        t = Table(title="The paper's remarks that apply", title_justify="left")
        t.add_column("remark")
        t.add_column("says", overflow="fold")
        t.add_column("because", overflow="fold")
        for r in advice.remarks:
            t.add_row(f"{r.id} {r.title}", r.text, r.why)
        parts.append(t)
    lines = Text()
    for rec in advice.recommendations:
        lines.append(f"- {rec}\n")
    if advice.approaches:
        lines.append(
            f"- Test it: taskfit compare ... --approaches {','.join(advice.approaches)}  "
            f"({advice.approaches_reason})\n"
        )
    else:
        lines.append(f"- {advice.approaches_reason}\n")
    parts.append(lines)
    models = _models_table(advice)
    if models is not None:
        parts.append(models)
    if advice.questions:
        parts.append(
            Text(
                "Assumed, not measured or answered, and read by a path: "
                f"{', '.join(advice.questions)}. Answer with --set NAME=yes|no, a --card "
                "file, or --interactive.",
                style="yellow",
            )
        )
    return parts
