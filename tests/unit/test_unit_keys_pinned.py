"""Unit keys of the built-in approaches are pinned.

The store caches every finished unit under its key, and a run's id is a hash of its units'
keys: a changed key is a cache miss (the work runs again) and another run id. The keys
below were computed by the planning code of the first version, before approaches were
registered in :mod:`taskfit.approaches`; they are the keys of stored results and must not
change. A deliberate change of what a unit means needs a store migration, not an edit here.
"""

from __future__ import annotations

import pytest

from taskfit.backends import parse_spec
from taskfit.run.curve_plan import CurvePlan, plan_curve
from taskfit.run.plan import PlanOptions, learner_unit, plan_units, prompt_unit
from taskfit.run.trust_plan import order_units, units_for
from taskfit.run.variants import dev_variant, perturbed_variant
from taskfit.types import Dataset, Example, Unit

BUILTIN = ("zero-shot", "few-shot", "few-shot-knn", "majority", "tfidf-lr", "encoder-lr", "setfit")


def _dataset() -> Dataset:
    train = tuple(Example(f"train text {i}", "abc"[i % 3]) for i in range(30))
    test = tuple(Example(f"test text {i}", "abc"[i % 3]) for i in range(12))
    return Dataset(train, test, ("a", "b", "c"), "datahash", "f.csv", "text", "label")


def _scenarios() -> dict[str, list[Unit]]:
    ds = _dataset()
    fake = parse_spec("fake")
    llms = (fake, parse_spec("openai:m@http://h1:8000/v1"))
    out: dict[str, list[Unit]] = {}
    out["default"] = plan_units(ds, PlanOptions(approaches=BUILTIN, llms=(fake,)))
    out["options"] = plan_units(
        ds,
        PlanOptions(
            approaches=BUILTIN,
            llms=llms,
            encoder="enc",
            shots=4,
            max_test=6,
            seed=3,
            setfit_per_class=8,
            setfit_max_pairs=100,
            label_name="intent",
            label_descriptions=(("a", "first"), ("b", "second")),
            prompt_format="chat",
            dev_size=10,
        ),
    )
    curve = plan_curve(
        ds,
        CurvePlan(
            learners=("encoder-lr", "tfidf-lr", "setfit", "majority"),
            prompted=("zero-shot", "few-shot", "few-shot-knn"),
            budgets=(3, 9, 100),
            seeds=2,
            base=PlanOptions(llms=(fake,), max_test=6),
        ),
    )
    out["curve"] = list(curve.units)
    # the default sweep: default learners and references, per-class budgets
    per_class = plan_curve(ds, CurvePlan(per_class=True, seeds=1, base=PlanOptions(llms=(fake,))))
    out["curve_per_class"] = list(per_class.units)
    head = out["default"]
    out["orders"] = order_units(head, ds, n_orders=3, max_test=6, seed=0)
    out["perturbed"] = units_for(
        perturbed_variant(ds, "typos", seed=0), head, llm_max_test=4, seed=0
    )
    out["dev"] = units_for(
        dev_variant(ds), head, llm_max_test=None, seed=0, families=("finetune", "baseline")
    )
    extra = (("budget", 5), ("budget_unit", "total"), ("fixed", 2), ("serving_latency", True))
    out["distill_like"] = [
        learner_unit(a, ds, (0, 1), 1, PlanOptions(), extra)
        for a in ("encoder-lr", "setfit", "tfidf-lr")
    ]
    out["teacher"] = [
        prompt_unit(a, fake, ds, (0, 1, 2), 0, PlanOptions())
        for a in ("zero-shot", "few-shot", "few-shot-knn")
    ]
    return out


# (unit name, family, key) in plan order, per scenario.
PINNED: dict[str, list[tuple[str, str, str]]] = {
    "default": [
        (
            "zero-shot@fake",
            "prompt",
            "06a16e42f6412b23174cc2aed1c62b124234566e901df24374c31735de78cbe1",
        ),
        (
            "few-shot@fake",
            "prompt",
            "c7c0f52d3d5e4b71dfc8a345e80b71aa01b1a6e813c19b31fa7ab294cdcdfda2",
        ),
        (
            "few-shot-knn@fake",
            "prompt",
            "59cbb9bb8123a8bd0d1acc2c395b5e29e4e24c25777356c06a54ca6c2c0685af",
        ),
        (
            "majority",
            "baseline",
            "e05e22764f041c80f2520839a7c578229b9cb2ac62014da0f6353dbe9a254b17",
        ),
        (
            "tfidf-lr",
            "baseline",
            "2bc12eb205124faa852c34feb63413f9e17ba946516e13fdfe83c3d170365846",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "191f8b0828c3d327e75346a9ae5efa993c57ba94cf73988b2d6c1db6834199db",
        ),
        (
            "setfit@minilm",
            "finetune",
            "3e34d00c48233559ab2df0b7dcadbdd971a3cfecedc8603d206392c6f9b12b36",
        ),
    ],
    "options": [
        (
            "zero-shot@fake",
            "prompt",
            "45a195c7194408ac66a246340e8cd19ddbc3571d493b2f7eefd333c1f98c53aa",
        ),
        (
            "few-shot@fake",
            "prompt",
            "6793f55a7325517789aa3269a1bc9647c49e335651c1b96bde13030d1e95968b",
        ),
        (
            "few-shot-knn@fake",
            "prompt",
            "b0cf60121c0e2b4afb4d41ca94875c763e8d7a086ce9ad8dc21cccf2f48e7d07",
        ),
        (
            "zero-shot@m",
            "prompt",
            "5b84900d387cc239d2095c646dc73ef7884bb8b79927c64a46f22df818ddf7e8",
        ),
        (
            "few-shot@m",
            "prompt",
            "319ca9544ce2f4ee675d90bbd645f0784c39f9deba648ca988ae9b611825bfc5",
        ),
        (
            "few-shot-knn@m",
            "prompt",
            "036045ec31c1c50b63eaecb6a4a9a4acc5e7a12092b60c212163abfe14dbf564",
        ),
        (
            "majority",
            "baseline",
            "c488b0c3579a20c1f6b83089ff4996a912ae643faa3302e87a4bc7454f48d3f5",
        ),
        (
            "tfidf-lr",
            "baseline",
            "11621f6236732e14285933f0e0f96786a6668e41d0c1baaa2f4f9f389e3f838e",
        ),
        (
            "encoder-lr@enc",
            "finetune",
            "2efd6d986c5c928d4a10976e69cfe0a33a30e5db844f5bcaa6261c5f085ed04a",
        ),
        (
            "setfit@enc",
            "finetune",
            "4fa1c38ee6fc49896781e8b023cdd691fa67d8f5fb1547de8971cb72338ad0ae",
        ),
    ],
    "curve": [
        (
            "zero-shot@fake",
            "prompt",
            "b8c227bad70e2b87b762cac5e291bef080a58624f9c8f995a94810dd75955de9",
        ),
        (
            "few-shot@fake",
            "prompt",
            "1a9ef0ac1f713bf1b3d0ee0e1b167fed9ba69c6f764fc1722b46701c6508ee6b",
        ),
        (
            "few-shot@fake",
            "prompt",
            "04cea21093584d7486c31d10df25c6a9e3c633e05a0e90eaa1da2f25a4248247",
        ),
        (
            "few-shot-knn@fake",
            "prompt",
            "10d60c9c584698aecd613e444f6c0af44fff20722e6836c1cc1dd5107c3dddf0",
        ),
        (
            "few-shot-knn@fake",
            "prompt",
            "1ce465a488832c9959d108544f2eee469cd8ffb903b0d4f5185f0fb5a8c853eb",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "0aaa0c7f3aa4fcac6c9ba9f5813dbd9297600c46c9394e8f6d2de492bdf3b273",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "bd384403f460dfd5baddbc288f25577bca81a33fef4bd7ef6bc3414a31755f40",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "cda40454670c869945c578d2c1d3b06bfcfff6c0b9ec8ebf64fc06722b067c85",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "6c617714a6bbe7480987f5fa71a885ff68e824b2a3aeba650235321057b3dd7b",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "fe8a4b6598f218e1575c46f995374d464e783377d2f16f275e8a41cbd495c6fe",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "b8bba72d274588b4755c156c52af6fded6fc20cab389602cc279725c04d50d6b",
        ),
        (
            "tfidf-lr",
            "baseline",
            "7eec75838bf90d574905a7952a335f5d2cee5ee441ecdf0362d971efe2afe034",
        ),
        (
            "tfidf-lr",
            "baseline",
            "971f8b6e2beb4220bcc3d6cef7e5724a61111cc9f79c9b3097a5629c9a774023",
        ),
        (
            "tfidf-lr",
            "baseline",
            "0ee57c683e411f6ab5caeb9d8f07ab02d6e5e7723ebe510bbd4137cf1ff2424c",
        ),
        (
            "tfidf-lr",
            "baseline",
            "aba521cb6df7ba0e9197f6893600e795084871b3ac68d1b2ea9041892eca5a5e",
        ),
        (
            "tfidf-lr",
            "baseline",
            "d4764069a2b4dfae5b25c6a1d3c28823fa9cff6ba3733bff40bef366c8b0d583",
        ),
        (
            "tfidf-lr",
            "baseline",
            "b90b388001d5289d542b6c572034ad97dc4d243e75acc1c561f85414de558c20",
        ),
        (
            "setfit@minilm",
            "finetune",
            "3ca1abf6359b1e407a2a9bb82da05cbbea9f02d351d0abee5d82b14333287e27",
        ),
        (
            "setfit@minilm",
            "finetune",
            "4e251f263943ec42fbf545c5f67865eac6fa47aeacebb291da21ab9fd741d9aa",
        ),
        (
            "setfit@minilm",
            "finetune",
            "ecd30d0d94f8e1e4d85c0e11866474ab1125ca5007986829640af06c57ada4a2",
        ),
        (
            "setfit@minilm",
            "finetune",
            "53dc1cbab4090ca42e653d23c41af5df5d820b562ded3564fb0b4cc1004c8490",
        ),
        (
            "setfit@minilm",
            "finetune",
            "062734c91e56ce913e4fff4a2865504e1b14663e348e20a8d3caa0f9fdd24ff3",
        ),
        (
            "setfit@minilm",
            "finetune",
            "d96f83b0b85561afa9df08f34036648941fe86817c0063e8e5ef0fba1ade83c4",
        ),
        (
            "majority",
            "baseline",
            "c11152e2ab40884304ccc30b5fc5fdc58de8c32c33756a3b9655b8487a1c34b8",
        ),
        (
            "majority",
            "baseline",
            "3fac2ea25d3f3a5bc6091048334882c1fc844ee912e1e20d87810861750a8aa1",
        ),
        (
            "majority",
            "baseline",
            "a3815187ddde26e9fdf3c00eb83a2b6a71bf574529cfa8a3ad06b13ee891a46a",
        ),
        (
            "majority",
            "baseline",
            "4fd54bef073cef3c8af43699503feff6e7289aa90f12ab41eedb783572a847bf",
        ),
        (
            "majority",
            "baseline",
            "cfffe6c920318ef4da8cff741bbec50ea2a85f9ee4a228053d9950043a358f1e",
        ),
        (
            "majority",
            "baseline",
            "7ef1f47206d1e02382cfdc45ab0f4b4d2c52ada1780d503193b547f37e127cb4",
        ),
    ],
    "curve_per_class": [
        (
            "zero-shot@fake",
            "prompt",
            "06a16e42f6412b23174cc2aed1c62b124234566e901df24374c31735de78cbe1",
        ),
        (
            "few-shot@fake",
            "prompt",
            "c7c0f52d3d5e4b71dfc8a345e80b71aa01b1a6e813c19b31fa7ab294cdcdfda2",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "c2d15f068c2d9669b6d38bc298a7d6d7046c0788ce7e4aca560e95c7a4a9c2b0",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "566ec7db99f677a607637b70d7f6221bccc82d221b233e680ab7155f2b4a4a42",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "b301649fef24ae89a742f410b7221f0514a5ee645d9fdf16dd09f2ffbf181ecd",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "90e470891ebfed600e5ced611ab0145f418442f7dbf7a693c839559f23c0bbbb",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "2a26698c57b0cf16d857e5f88780effc29cca7dceb287d71308932c2ad50d895",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "55e4a12e1f0b4acd18f836ffdb58ce8bda9dc1bf90334893d731f14b49e8aa40",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "b0809c27433b39c8e2c7388ad614a01ed13f7e4ca6e6d1665dab1c0304b9c685",
        ),
        (
            "tfidf-lr",
            "baseline",
            "10905d0d8ee3ffb41f380bec50047dd0422398cb870bb95cc5c4f8462deeae02",
        ),
        (
            "tfidf-lr",
            "baseline",
            "f3ba4ddbad57615b3944b43480a98b2db6b37fb9082cbc7a28a823353abcdf4a",
        ),
        (
            "tfidf-lr",
            "baseline",
            "20e951c2d75f1b8ba6a49b3a01a45b32653a1df7a883c01b95ecc4da09c204e2",
        ),
        (
            "tfidf-lr",
            "baseline",
            "3140fa5d0d22dd5b53c90d13b425eab7760f9260fb28872e924422eb62c2f7a5",
        ),
        (
            "tfidf-lr",
            "baseline",
            "fdd3ca691079a3574a7bc41b8358bcf609380eb10346a955fb1baf06862f6a3d",
        ),
        (
            "tfidf-lr",
            "baseline",
            "7def8918ef51d2ac36ec12b1d824ec5bd8f244a3b0f09002b19d41915c7a5c4e",
        ),
        (
            "tfidf-lr",
            "baseline",
            "b62a3c72c5a8d17dfe66231f75551c22da73ad1d3d80a98d475b16c77f015793",
        ),
    ],
    "orders": [
        (
            "few-shot@fake",
            "prompt",
            "88a249a42d36521b31e76efdeffbc9d8d7d37656c0c91e808649016aecda88e8",
        ),
        (
            "few-shot@fake",
            "prompt",
            "39163e1931b59c97ac11292cd384505f295c75140e1d35b1b5d04f45104090b5",
        ),
    ],
    "perturbed": [
        (
            "zero-shot@fake",
            "prompt",
            "062ad709673504f22b05cc00b787a6be4e52f87ba6dee0e9716126e7c7a1d4d5",
        ),
        (
            "few-shot@fake",
            "prompt",
            "2d5e1919fa1786a658fcf329eee676c520c14449fde0cbdea7fc6e7bd0b753fc",
        ),
        (
            "few-shot-knn@fake",
            "prompt",
            "0080a8dd55cea3b2cf0d2330281cc8fddaaaaaf09eef8e36abd908fa94d9f0ed",
        ),
        (
            "majority",
            "baseline",
            "0192ae0e739c0ff4715baa7face699b6824caacc27776d1f63dcc75581595e29",
        ),
        (
            "tfidf-lr",
            "baseline",
            "a1153ab5d00a79d3cd786112fefccb14428b61045d4499ff3e87444a1f4372be",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "b31f3ce9cad179b345b6959f8f9da092b5feab1c157030c903c38a1b26827bf8",
        ),
        (
            "setfit@minilm",
            "finetune",
            "f4ccbf762e24c06ce78d41b7d976bdf292e463624de2d5b2125ee9eb502798ac",
        ),
    ],
    "dev": [
        (
            "majority",
            "baseline",
            "8e6f6abbbfe3b45c693f4540fa2d4425bc971ea67cc395a45f5fea53211c6471",
        ),
        (
            "tfidf-lr",
            "baseline",
            "7a60524796aed2788c253323ab09fe533a4204cfb3b2e7d549574e495dc9c774",
        ),
        (
            "encoder-lr@minilm",
            "finetune",
            "bf6b5f7e4b3d681330596c48322c480b84c4d2ec2ad498bdfa245dbf877cc143",
        ),
        (
            "setfit@minilm",
            "finetune",
            "dea954e7a06a7288caf080c7b6bde841c410e9c9b17870e72e82af846adbe4ce",
        ),
    ],
    "distill_like": [
        (
            "encoder-lr@minilm",
            "finetune",
            "5e05f96c101943593075ec8cc058183e2e4c810f9073e815b4cab6f5916827a2",
        ),
        (
            "setfit@minilm",
            "finetune",
            "77521b4a45f4dfc1458a0a9229e99e9d0d9dbf866937f23e315808fd6b8f7bb1",
        ),
        (
            "tfidf-lr",
            "baseline",
            "4f5f9a5f4eb3c38c5013f899e11d21558670bc07108e4ab7d802d71dbf2a20b6",
        ),
    ],
    "teacher": [
        (
            "zero-shot@fake",
            "prompt",
            "d0bac21136bbedcdf2119818490e4f51202d11be2d100aae1f80d55deb39cc30",
        ),
        (
            "few-shot@fake",
            "prompt",
            "9df4b581c9a3714569dd004eff8deffa1cce428ce2ccd80e0933947b9db2d8df",
        ),
        (
            "few-shot-knn@fake",
            "prompt",
            "7cfcfd0c6cdb316fe826e8a5cfcba26612471278e8f37b4476dff5989b8bc96b",
        ),
    ],
}


@pytest.mark.parametrize("scenario", sorted(PINNED))
def test_unit_keys_are_the_stored_ones(scenario: str) -> None:
    units = _scenarios()[scenario]
    assert [(u.name, u.family, u.key) for u in units] == PINNED[scenario]


def test_default_plan_covers_every_builtin_approach() -> None:
    assert {u.approach for u in _scenarios()["default"]} == set(BUILTIN)
