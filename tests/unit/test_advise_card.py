"""Task card loading, ``--set`` answers and the interactive questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskfit.advise import (
    CARD_KEYS,
    FACTS,
    Fact,
    TaskCard,
    ask_missing,
    default_facts,
    load_card,
    merge_facts,
    parse_answers,
    questions_unanswered,
)
from taskfit.advise.card import Deployment
from taskfit.errors import UsageError


def _card(tmp_path: Path, text: str, name: str = "card.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_line(exc: pytest.ExceptionInfo[UsageError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


# ------------------------------------------------------------------------------- cards


def test_full_card(tmp_path: Path) -> None:
    path = _card(
        tmp_path,
        """
task_type: classification
description: route support tickets
ood: yes
spurious_correlations: false
few_labels: "no"
budget_per_1k: 0.5
latency_p95_ms: 200
on_prem: true
replacing_finetuned: no
hardware: CPU
unlabeled: 5000
""",
    )
    card = load_card(path)
    assert card.task_type == "classification"
    assert card.description == "route support tickets"
    assert dict(card.facts) == {"ood": True, "spurious_correlations": False, "few_labels": False}
    assert card.deployment == Deployment(
        budget_per_1k=0.5,
        latency_p95_ms=200.0,
        on_prem=True,
        replacing_finetuned=False,
        hardware="cpu",
        unlabeled=5000,
    )
    assert card.path == str(path)
    assert card.to_json()["deployment"]["hardware"] == "cpu"


def test_empty_card_and_nulls(tmp_path: Path) -> None:
    assert load_card(_card(tmp_path, "")) == TaskCard(path=str(tmp_path / "card.yaml"))
    card = load_card(_card(tmp_path, "ood: null\nbudget_per_1k: ~\n", "nulls.yaml"))
    assert dict(card.facts) == {} and card.deployment.budget_per_1k is None


def test_unknown_key_names_key_and_allowed_keys(tmp_path: Path) -> None:
    path = _card(tmp_path, "task_type: nli\noodd: yes\n")
    with pytest.raises(UsageError) as exc:
        load_card(path)
    msg = _one_line(exc)
    assert str(path) in msg
    assert "unknown key 'oodd'" in msg and "did you mean 'ood'?" in msg
    assert "allowed keys: " + ", ".join(CARD_KEYS) in msg
    assert exc.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "key", "expected", "given"),
    [
        ("budget_per_1k: cheap", "budget_per_1k", "a number >= 0", "a string 'cheap'"),
        ("budget_per_1k: -2", "budget_per_1k", "a number >= 0", "int -2"),
        ("latency_p95_ms: 0", "latency_p95_ms", "a number > 0", "int 0"),
        ("latency_p95_ms: true", "latency_p95_ms", "a number > 0", "a boolean True"),
        ("on_prem: maybe", "on_prem", "true or false", "a string 'maybe'"),
        ("ood: 3", "ood", "true or false", "int 3"),
        ("hardware: tpu", "hardware", "cpu or gpu", "a string 'tpu'"),
        ("unlabeled: 1.5", "unlabeled", "an integer >= 0", "float 1.5"),
        ("task_type: poetry", "task_type", "one of: classification, nli", "a string 'poetry'"),
        ("description: [a, b]", "description", "a string", "a list ['a', 'b']"),
    ],
)
def test_wrong_type_names_key_expected_and_given(
    tmp_path: Path, text: str, key: str, expected: str, given: str
) -> None:
    with pytest.raises(UsageError) as exc:
        load_card(_card(tmp_path, text + "\n"))
    msg = _one_line(exc)
    assert f"key {key!r}: expected {expected}" in msg
    assert f"got {given}" in msg


def test_bad_yaml_is_one_line(tmp_path: Path) -> None:
    path = _card(tmp_path, "task_type: [unclosed\nood: yes\n")
    with pytest.raises(UsageError) as exc:
        load_card(path)
    msg = _one_line(exc)
    assert msg.startswith(f"{path}: invalid YAML:")


def test_card_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as exc:
        load_card(_card(tmp_path, "- ood\n- few_labels\n"))
    assert "must be a mapping of keys to values, got a list" in _one_line(exc)


def test_missing_card(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as exc:
        load_card(tmp_path / "nope.yaml")
    assert _one_line(exc) == f"{tmp_path / 'nope.yaml'}: task card not found"


# ------------------------------------------------------------------------------ --set


def test_parse_answers_spellings() -> None:
    got = parse_answers(
        ["ood=yes", "few_labels=N", "lm_like = 1", "many_tasks=false,mimics_human=Y"]
    )
    assert got == {
        "ood": True,
        "few_labels": False,
        "lm_like": True,
        "many_tasks": False,
        "mimics_human": True,
    }
    assert parse_answers(["ood=true", "ood=1"]) == {"ood": True}
    assert parse_answers([]) == {}


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        (["ood"], "expected fact=yes or fact=no, got 'ood'"),
        (["=yes"], "expected fact=yes or fact=no"),
        (["odd=yes"], "unknown fact 'odd' (did you mean 'ood'?); facts: mimics_human"),
        (["ood=perhaps"], "fact 'ood': expected yes/no/true/false/1/0/y/n, got 'perhaps'"),
        (["ood=yes", "ood=no"], "fact 'ood' answered twice with different values"),
    ],
)
def test_parse_answers_errors(items: list[str], fragment: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_answers(items)
    assert fragment in _one_line(exc)


# ------------------------------------------------------------------------- interactive


class Script:
    """Replies in order, recording the prompts it was shown."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.replies:
            raise EOFError
        return self.replies.pop(0)

    @property
    def asked(self) -> list[str]:
        return [p[1 : p.index("]")] for p in self.prompts]


def test_no_terminal_raises_with_guidance() -> None:
    with pytest.raises(UsageError) as exc:
        ask_missing(default_facts("classification"), input_fn=Script(), is_tty=False)
    msg = _one_line(exc)
    assert "stdin is not a terminal" in msg
    assert "--card card.yaml" in msg and "--set fact=yes" in msg
    assert "--set mimics_human=no" in msg
    assert "12 question(s)" in msg


def test_nothing_to_ask_needs_no_terminal() -> None:
    facts = merge_facts(default_facts("classification"), {}, dict.fromkeys(FACTS, False))
    assert ask_missing(facts, input_fn=Script(), is_tty=False) == {}


def test_asks_only_assumed_facts_read_on_a_path() -> None:
    facts = merge_facts(
        default_facts("classification"),
        {"few_labels": Fact("few_labels", False, "measured", "median 50 per class")},
        {"ood": False},
    )
    script = Script(*["n"] * 20)
    answers = ask_missing(facts, input_fn=script, is_tty=True)
    expected = [
        "mimics_human", "emergent_abilities", "many_tasks", "regression_like",
        "creative_generation", "knowledge_intensive", "low_resource_language",
        "needs_generation", "lm_like", "spurious_correlations",
    ]  # fmt: skip
    assert script.asked == expected
    assert answers == dict.fromkeys(expected, False)
    assert script.asked == questions_unanswered(facts)
    # Never on a path when knowledge_intensive is no:
    assert not {"context_has_knowledge", "counterfactual_knowledge"} & set(script.asked)


def test_answers_reshape_what_is_asked() -> None:
    script = Script("y", "n", "n", "n")
    answers = ask_missing(default_facts("classification"), input_fn=script, is_tty=True)
    # yes to mimics_human ends P at P1; B then stops at B4a, so nothing after it is asked.
    assert script.asked == ["mimics_human", "low_resource_language", "creative_generation",
                            "many_tasks"]  # fmt: skip
    assert answers["mimics_human"] is True and "emergent_abilities" not in answers


def test_enter_keeps_default_and_bad_replies_are_asked_again() -> None:
    facts = merge_facts(default_facts("classification"), {}, dict.fromkeys(FACTS, False))
    facts["ood"] = Fact("ood", True, "assumed", "assumed yes")
    script = Script("maybe", "")
    assert ask_missing(facts, input_fn=script, is_tty=True) == {"ood": True}
    assert script.asked == ["ood", "ood"] and "Enter = yes" in script.prompts[0]


def test_end_of_input_and_repeated_nonsense_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"no answer to 'mimics_human' \(end of input\)"):
        ask_missing(default_facts("classification"), input_fn=Script(), is_tty=True)
    with pytest.raises(UsageError, match="no valid answer to 'mimics_human' after 3 tries"):
        ask_missing(default_facts("classification"), input_fn=Script("x", "x", "x"), is_tty=True)
