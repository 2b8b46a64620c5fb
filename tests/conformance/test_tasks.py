"""Every registered task type keeps the task contract (taskfit.tasks.base).

Run over every task type the registry knows, plugins included: its prompts render in every
wording it offers, its parser reads back each answer it offers, each of its metrics is
implemented and scores perfect predictions at the top, and its sections and profile
measures are ones the later layers know.
"""

from __future__ import annotations

import pytest

from taskfit.metrics.quality import METRICS
from taskfit.tasks import PROFILE_MEASURES, SECTIONS, get_task, task_names

LABELS = ["card_arrival", "lost_card", "refund"]


@pytest.fixture(params=task_names())
def task(request):
    return get_task(request.param)


@pytest.fixture(params=[n for n in task_names() if get_task(n).label_set])
def label_task(request):
    return get_task(request.param)


@pytest.fixture(params=[n for n in task_names() if not get_task(n).label_set])
def text_task(request):
    return get_task(request.param)


def test_free_text_prompts_render_and_parse(text_task):
    task = text_task
    assert task.variants, "a task type offers at least one prompt wording"
    (text, target), *_ = task.samples or (("two plus two", "4"),)
    for variant in task.variants:
        t = task.prompt.for_task(variant=variant)
        demos = [(text, None, target)]
        chat = t.chat("where is my card", None, demos)
        assert chat[0][0] == "system" and chat[-1] == ("user", t.user("where is my card", None))
        assert ("assistant", t.reply(text, target)) in chat
        assert t.completion("where is my card", None, demos).endswith(":")
        assert "where is my card" in t.completion("where is my card", None)
        # a reply written as the demonstrations show targets reads back as the target
        assert task.parse(t.reply(text, target), {"text": text}) == target
    if not task.samples:
        assert task.parse("42", {}) == "42"
    assert task.parse("   ", {}) is None


def test_prompts_render_in_every_wording(label_task):
    task = label_task
    assert task.variants, "a task type offers at least one prompt wording"
    for variant in task.variants:
        t = task.prompt.for_task(LABELS, label_name="intent", variant=variant)
        body = t.body("where is my card", None)
        assert "where is my card" in body
        options = t.options()
        assert len(set(options)) == len(LABELS), variant


def test_the_parser_reads_back_every_answer(label_task):
    task = label_task
    for variant in task.variants:
        t = task.prompt.for_task(LABELS, variant=variant)
        for target, answer in t.answers.items():
            assert task.parse(f"Answer: {answer}.", t.answers) == target, (variant, answer)
        assert task.parse("no idea at all", t.answers) is None


def test_metrics_are_implemented_and_perfect_predictions_score_best(task):
    truth = ["refund", "lost_card", "refund", "card_arrival"]
    wrong = ["lost_card", "refund", "card_arrival", "refund"]
    if task.samples:  # targets of a form of their own
        truth = [t for _, t in task.samples]
        wrong = truth[1:] + truth[:1]
    elif not task.label_set:  # free text: long enough for n-gram metrics
        truth = [f"the {w} of the day is on its way to you now" for w in truth]
        wrong = ["nothing to see here at all, sorry"] * len(truth)
    for metric in task.metrics:
        assert metric.name in METRICS, f"{metric.name} has no implementation"
        best, worst = METRICS[metric.name](truth, truth), METRICS[metric.name](truth, wrong)
        assert (best > worst) == metric.higher_is_better
    assert task.headline is task.metrics[0]


def test_sections_and_measures_are_known(task):
    assert set(task.sections) <= set(SECTIONS)
    assert set(task.profile_measures) <= set(PROFILE_MEASURES)
    assert task.inputs and task.target
