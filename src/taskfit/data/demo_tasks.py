"""Seeded generators for the bundled ``generation`` and ``reasoning`` demo data.

Two small synthetic datasets, written as CSV under ``taskfit/data/demo/``:

- ``generation/`` (data-to-text): a product's attributes on one line (``name: ... |
  type: ... | price: 59 USD``) and a one-sentence English ``description`` that mentions
  every attribute value. Each product type has its own attributes and 3-4 sentence
  templates, picked at random, so a model has to learn the mapping rather than copy one
  template.
- ``reasoning`` (arithmetic word problems of 2-3 steps): a ``question``, a worked
  ``rationale`` that ends ``The answer is N.`` and the integer ``answer``. Every
  intermediate number and the answer are computed from the sampled numbers; divisions are
  exact by construction and checked, and no result is negative.

Everything is drawn from :class:`random.Random` with a fixed seed, so the files are
reproducible byte for byte. Regenerate them with::

    python -m taskfit.data.demo_tasks src/taskfit/data/demo
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "DEMO_TASK_SIZES",
    "product_descriptions",
    "word_problems",
    "write_demo_tasks",
]

Row = dict[str, str]

# rows per split, the same for both tasks
DEMO_TASK_SIZES = {"train": 200, "test": 60}

_FIELDS = {
    "generation": ("attributes", "description"),
    "reasoning": ("question", "rationale", "answer"),
}

# --------------------------------------------------------------------------- generation

_NAME_HEADS = (
    "Trail", "Aero", "Nova", "Terra", "Luma", "Zen", "Vel", "Cor", "Sol", "Bri",
    "Hal", "Mira", "Orb", "Pax", "Rho", "Sky", "Tundra", "Vita",
)  # fmt: skip
_NAME_TAILS = (
    "blazer", "tek", "vo", "ra", "max", "ion", "ora", "wave", "stone", "line",
    "ford", "lux", "ton", "ix",
)  # fmt: skip
_NAME_MODELS = ("", "", "", " 2", " 3", " Pro", " X", " Air", " Plus", " 500")

_COLOURS = (
    "black", "white", "grey", "navy", "green", "red", "blue", "orange", "olive",
    "teal", "yellow", "charcoal", "sand", "burgundy",
)  # fmt: skip


def _an(phrase: str) -> str:
    """``phrase`` with its indefinite article: ``an olive``, ``a green``."""
    return f"{'an' if phrase[0].lower() in 'aeiou' else 'a'} {phrase}"


def _name(rng: random.Random) -> str:
    return rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS) + rng.choice(_NAME_MODELS)


# The values sampled for a product or a word problem, by the names its texts use.
_Values = dict[str, Any]


class _Product:
    """A product type: ``sample`` draws its attribute values, ``shown`` lists them
    (:meth:`str.format` over the values), ``price`` is its price range in USD and each of
    ``templates`` is a sentence over the values, ``name``, ``price`` and ``a_<value
    name>`` (the value with its indefinite article)."""

    def __init__(
        self,
        sample: Callable[[random.Random], _Values],
        price: tuple[int, int],
        shown: str,
        *templates: str,
    ) -> None:
        self.sample, self.price, self.shown, self.templates = sample, price, shown, templates


def _backpack(rng: random.Random) -> _Values:
    return {"colour": rng.choice(_COLOURS), "litres": rng.randrange(15, 50, 5)}


def _kettle(rng: random.Random) -> _Values:
    finish = rng.choice(("brushed steel", "matte black", "white", "cream", "copper", "red"))
    litres = rng.choice(("0.8", "1.2", "1.5", "1.7", "1.8"))
    return {"finish": finish, "litres": litres, "watts": rng.randrange(1800, 3001, 200)}


# feature shown -> as a description says it
_FEATURES = {
    "noise cancelling": "noise cancelling",
    "foldable design": "a foldable design",
    "built-in microphone": "a built-in microphone",
    "carrying case": "a carrying case",
    "USB-C charging": "USB-C charging",
}


def _headphones(rng: random.Random) -> _Values:
    colour, hours = rng.choice(_COLOURS), rng.randrange(20, 61, 5)
    feature = rng.choice(sorted(_FEATURES))
    return {"colour": colour, "hours": hours, "feature": feature, "offers": _FEATURES[feature]}


def _desk_lamp(rng: random.Random) -> _Values:
    colour, lumens = rng.choice(_COLOURS), rng.randrange(300, 1001, 50)
    light = rng.choice(("warm white", "cool white", "neutral white", "soft yellow"))
    return {"colour": colour, "lumens": lumens, "light": light}


def _running_shoes(rng: random.Random) -> _Values:
    colour, grams = rng.choice(_COLOURS), rng.randrange(200, 321, 5)
    return {"colour": colour, "grams": grams, "surface": rng.choice(("road", "trail", "track"))}


def _water_bottle(rng: random.Random) -> _Values:
    colour, ml = rng.choice(_COLOURS), rng.choice((350, 500, 600, 750, 1000))
    material = rng.choice(("stainless steel", "glass", "BPA-free plastic", "aluminium"))
    return {"colour": colour, "ml": ml, "material": material}


def _office_chair(rng: random.Random) -> _Values:
    colour, kg = rng.choice(_COLOURS), rng.randrange(100, 161, 10)
    upholstery = rng.choice(("mesh", "fabric", "leather", "faux leather"))
    return {"colour": colour, "kg": kg, "upholstery": upholstery}


def _toothbrush(rng: random.Random) -> _Values:
    colour, modes, days = rng.choice(_COLOURS), rng.randint(2, 6), rng.randrange(14, 43, 2)
    return {"colour": colour, "modes": modes, "days": days}


# type -> its attributes, price range and description sentences
_PRODUCTS = {
    "backpack": _Product(
        _backpack,
        (35, 149),
        "colour: {colour} | capacity: {litres} litres",
        "The {name} is {a_colour} {litres}-litre backpack that costs ${price}.",
        "Priced at ${price}, the {name} is a {litres}-litre backpack in {colour}.",
        "The {colour} {name} backpack holds {litres} litres and sells for ${price}.",
        "With room for {litres} litres, the {name} is {a_colour} backpack priced at ${price}.",
    ),
    "kettle": _Product(
        _kettle,
        (25, 119),
        "finish: {finish} | capacity: {litres} litres | power: {watts} watts",
        "The {name} is a {litres}-litre kettle in {finish} with a {watts}-watt element, "
        "priced at ${price}.",
        "Finished in {finish}, the {name} kettle boils up to {litres} litres at {watts} watts "
        "and costs ${price}.",
        "The {name} is a {watts}-watt {finish} kettle that holds {litres} litres and sells "
        "for ${price}.",
        "For ${price}, the {name} is a {finish} kettle that holds {litres} litres and draws "
        "{watts} watts.",
    ),
    "headphones": _Product(
        _headphones,
        (39, 299),
        "colour: {colour} | battery life: {hours} hours | feature: {feature}",
        "The {name} are {colour} headphones with {offers} and {hours} hours of battery life, "
        "priced at ${price}.",
        "The {name} headphones come in {colour}, last {hours} hours on a charge, offer "
        "{offers} and cost ${price}.",
        "With {hours} hours of battery life and {offers}, the {colour} {name} headphones "
        "sell for ${price}.",
        "For ${price}, the {name} are {colour} headphones that run for {hours} hours and "
        "feature {offers}.",
    ),
    "desk lamp": _Product(
        _desk_lamp,
        (19, 89),
        "colour: {colour} | brightness: {lumens} lumens | light: {light}",
        "The {name} is {a_colour} desk lamp giving {lumens} lumens of {light} light for ${price}.",
        "Priced at ${price}, the {colour} {name} desk lamp shines at {lumens} lumens in {light}.",
        "The {name} desk lamp comes in {colour}, puts out {lumens} lumens of {light} light "
        "and costs ${price}.",
        "With {lumens} lumens of {light} light, the {name} is {a_colour} desk lamp that sells "
        "for ${price}.",
    ),
    "running shoes": _Product(
        _running_shoes,
        (59, 179),
        "colour: {colour} | weight: {grams} grams | surface: {surface}",
        "The {name} are {colour} {surface} running shoes that weigh {grams} grams and cost "
        "${price}.",
        "Built for the {surface}, the {name} running shoes come in {colour}, weigh {grams} "
        "grams and sell for ${price}.",
        "At {grams} grams, the {colour} {name} are {surface} running shoes priced at ${price}.",
        "For ${price} you get the {name}, {colour} running shoes for the {surface} that weigh "
        "{grams} grams.",
    ),
    "water bottle": _Product(
        _water_bottle,
        (12, 49),
        "colour: {colour} | capacity: {ml} ml | material: {material}",
        "The {name} is {a_colour} {ml} ml water bottle made of {material} that costs ${price}.",
        "Made of {material}, the {colour} {name} water bottle holds {ml} ml and sells for "
        "${price}.",
        "The {name} water bottle comes in {colour}, holds {ml} ml, is made of {material} and "
        "is priced at ${price}.",
        "For ${price}, the {name} is {a_material} water bottle in {colour} that holds {ml} ml.",
    ),
    "office chair": _Product(
        _office_chair,
        (89, 349),
        "colour: {colour} | upholstery: {upholstery} | max load: {kg} kg",
        "The {name} is {a_colour} {upholstery} office chair that supports up to {kg} kg and "
        "costs ${price}.",
        "Upholstered in {upholstery}, the {colour} {name} office chair holds up to {kg} kg and "
        "sells for ${price}.",
        "For ${price}, the {name} office chair offers {colour} {upholstery} upholstery and a "
        "maximum load of {kg} kg.",
    ),
    "electric toothbrush": _Product(
        _toothbrush,
        (29, 149),
        "colour: {colour} | cleaning modes: {modes} | battery life: {days} days",
        "The {name} is {a_colour} electric toothbrush with {modes} cleaning modes and a "
        "{days}-day battery, priced at ${price}.",
        "With {modes} cleaning modes and {days} days of battery life, the {colour} {name} "
        "electric toothbrush costs ${price}.",
        "The {name} electric toothbrush comes in {colour}, lasts {days} days on a charge, "
        "offers {modes} cleaning modes and sells for ${price}.",
    ),
}


def _product_stream(seed: int) -> Iterator[Row]:
    rng = random.Random(seed)
    kinds = list(_PRODUCTS)
    while True:
        kind = rng.choice(kinds)
        product = _PRODUCTS[kind]
        name = _name(rng)
        values = {key: str(value) for key, value in product.sample(rng).items()}
        values |= {f"a_{key}": _an(value) for key, value in values.items()}
        price = rng.randint(*product.price)
        shown = product.shown.format(**values)
        yield {
            "attributes": f"name: {name} | type: {kind} | {shown} | price: {price} USD",
            "description": rng.choice(product.templates).format(name=name, price=price, **values),
        }


def product_descriptions(n: int, seed: int, *, exclude: Collection[str] = ()) -> list[Row]:
    """``n`` data-to-text rows (``attributes``, ``description``), distinct by attributes.

    Rows whose ``attributes`` are in ``exclude`` are skipped (more are drawn instead).

    >>> row = product_descriptions(1, seed=0)[0]
    >>> sorted(row)
    ['attributes', 'description']
    """
    return _draw(_product_stream(seed), "attributes", n, exclude)


# --------------------------------------------------------------------------- reasoning

# (name, subject pronoun, possessive)
_PEOPLE = (
    ("Maya", "she", "her"), ("Tom", "he", "his"), ("Lena", "she", "her"),
    ("Omar", "he", "his"), ("Priya", "she", "her"), ("Jonas", "he", "his"),
    ("Aiko", "she", "her"), ("Diego", "he", "his"), ("Grace", "she", "her"),
    ("Samir", "he", "his"), ("Elena", "she", "her"), ("Kwame", "he", "his"),
    ("Nora", "she", "her"), ("Felix", "he", "his"), ("Ines", "she", "her"),
    ("Ravi", "he", "his"),
)  # fmt: skip


def _calc(a: int, op: str, b: int) -> int:
    """``a op b`` on integers; subtraction must not go negative, division must be exact."""
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        assert b > 0 and a % b == 0, f"inexact division {a} / {b}"
        result = a // b
    else:
        raise ValueError(f"unknown operation {op!r}")
    assert result >= 0, f"negative result {a} {op} {b}"
    return result


def _eq(a: int, op: str, b: int) -> tuple[str, int]:
    """The equation ``"a op b = r"`` and its result ``r``."""
    result = _calc(a, op, b)
    return f"{a} {op} {b} = {result}", result


def _person(rng: random.Random) -> dict[str, Any]:
    """A person's name and pronouns: ``name``, ``he``, ``He`` and ``his``."""
    name, he, his = rng.choice(_PEOPLE)
    return {"name": name, "he": he, "He": he.capitalize(), "his": his}


# A word problem drawn: (question, rationale steps, answer). The answer is the result of
# the last step.
_Problem = tuple[str, list[str], int]

# An equation in a step's text: ``[result = a op b]`` over the names of the values.
_STEP = re.compile(r"\[(\w+) = (\w+) ([-+*/]) (\w+)\]")


def _solve(match: re.Match[str], values: _Values) -> str:
    """The equation ``"a op b = r"`` of a ``[result = a op b]``; binds ``values[result]``."""
    result, a, op, b = match.groups()
    equation, values[result] = _eq(values[a], op, values[b])
    return equation


class _WordProblem:
    """A word-problem template: ``sample`` draws the numbers and words, the question and
    each rationale step are :meth:`str.format` texts over them, and each step works out
    its ``[result = a op b]`` (written as ``a op b = r``) from the values and the results
    of the steps before it. Called with a random generator, it draws a problem; the
    answer is the last step's result."""

    def __init__(
        self, sample: Callable[[random.Random], _Values], question: str, *steps: str
    ) -> None:
        self.sample, self.question, self.steps = sample, question, steps

    def __call__(self, rng: random.Random) -> _Problem:
        values = self.sample(rng)
        steps = [_STEP.sub(lambda m: _solve(m, values), s).format(**values) for s in self.steps]
        answer = values[_STEP.findall(self.steps[-1])[-1][0]]
        return self.question.format(**values), steps, answer


def _shopping(rng: random.Random) -> _Values:
    person = _person(rng)
    items = rng.choice(("notebooks", "mugs", "candles", "plant pots", "tins of paint", "scarves"))
    extra = rng.choice(("a pen", "a card", "a roll of tape", "a gift bag", "a candle holder"))
    qty, each, extra_cost = rng.randint(2, 8), rng.randint(2, 12), rng.randint(1, 15)
    notes = [v for v in (20, 50, 100, 200) if v >= qty * each + extra_cost]
    note = notes[0] if len(notes) == 1 or rng.random() < 0.7 else notes[1]
    return dict(
        person, items=items, extra=extra, qty=qty, each=each, extra_cost=extra_cost, note=note
    )


def _sweets(rng: random.Random) -> _Values:
    person = _person(rng)
    bags, per_bag, friends = rng.randint(2, 6), rng.randint(6, 20), rng.randint(2, 6)
    total = bags * per_bag
    # keep a few so that the rest (at least one each) splits exactly
    options = [k for k in range(1, total - friends + 1) if (total - k) % friends == 0]
    kept = rng.choice(options[:3])
    return dict(person, bags=bags, per_bag=per_bag, friends=friends, kept=kept)


def _cartons(rng: random.Random) -> _Values:
    item = rng.choice(("pencils", "erasers", "markers", "rulers", "glue sticks"))
    classes, per_class_carton, cartons = rng.randint(2, 6), rng.randint(2, 6), rng.randint(2, 9)
    per_carton, per_class = classes * per_class_carton, cartons * per_class_carton
    given = rng.randint(1, per_class - 1)
    return dict(item=item, classes=classes, cartons=cartons, per_carton=per_carton, given=given)


def _journey(rng: random.Random) -> _Values:
    vehicle, low, high = rng.choice(
        (("train", 60, 120), ("bus", 40, 80), ("truck", 50, 90), ("cyclist", 12, 25))
    )
    v1, v2 = rng.randint(low, high), rng.randint(low, high)
    t1, t2 = rng.randint(2, 5), rng.randint(2, 4)
    return dict(vehicle=vehicle, v1=v1, v2=v2, t1=t1, t2=t2)


def _hike(rng: random.Random) -> _Values:
    person = _person(rng)
    mode, low, high = rng.choice((("walks", 3, 6), ("cycles", 10, 20), ("rows", 4, 8)))
    speed, hours, rest = rng.randint(low, high), rng.randint(2, 8), rng.randint(2, 4)
    return dict(person, mode=mode, distance=speed * hours, speed=speed, rest=rest)


def _saving_weeks(rng: random.Random) -> _Values:
    person = _person(rng)
    item = rng.choice(("bike", "guitar", "tablet", "pair of skates", "telescope", "camera"))
    saved, weekly, weeks = rng.randint(5, 60), rng.randint(4, 25), rng.randint(3, 12)
    price = saved + weekly * weeks
    return dict(person, item=item, price=price, saved=saved, weekly=weekly)


def _saving_left(rng: random.Random) -> _Values:
    person = _person(rng)
    gift = rng.choice(("a gift", "a book", "concert tickets", "a jacket", "a board game"))
    weekly, weeks, bonus = rng.randint(5, 30), rng.randint(3, 10), rng.randint(5, 40)
    spent = rng.randint(5, weekly * weeks + bonus - 1)
    return dict(person, gift=gift, weekly=weekly, weeks=weeks, bonus=bonus, spent=spent)


def _reading(rng: random.Random) -> _Values:
    person = _person(rng)
    first_rate, first_days = rng.randint(8, 30), rng.randint(2, 7)
    later_rate, later_days = rng.randint(10, 40), rng.randint(2, 8)
    while later_rate == first_rate:
        later_rate = rng.randint(10, 40)
    pages = first_rate * first_days + later_rate * later_days
    return dict(
        person, pages=pages, first_rate=first_rate, first_days=first_days, later_rate=later_rate
    )


def _tickets(rng: random.Random) -> _Values:
    place = rng.choice(("zoo", "museum", "cinema", "aquarium", "theme park", "concert"))
    adult, child = rng.randint(8, 30), rng.randint(3, 15)
    adults, children = rng.randint(2, 4), rng.randint(2, 5)
    return dict(place=place, adult=adult, child=child, adults=adults, children=children)


def _garden(rng: random.Random) -> _Values:
    person = _person(rng)
    first, second = rng.sample(("tulips", "roses", "daffodils", "lettuces", "carrots"), 2)
    rows1, per1 = rng.randint(3, 12), rng.randint(5, 15)
    rows2, per2 = rng.randint(2, 10), rng.randint(4, 12)
    while rows2 * per2 > rows1 * per1:
        rows2, per2 = rng.randint(2, 10), rng.randint(4, 12)
    return dict(person, first=first, second=second, rows1=rows1, per1=per1, rows2=rows2, per2=per2)


# The word-problem templates, drawn with equal chances.
_PROBLEMS = (
    _WordProblem(
        _shopping,
        "{name} buys {qty} {items} at ${each} each and {extra} for ${extra_cost}. "
        "{He} pays with a ${note} note. How much change, in dollars, does {he} get?",
        "The {items} cost [cost = qty * each] dollars.",
        "With {extra} the total is [total = cost + extra_cost] dollars.",
        "The change from ${note} is [change = note - total] dollars.",
    ),
    _WordProblem(
        _sweets,
        "{name} has {bags} bags with {per_bag} sweets in each. {He} keeps {kept} of them and "
        "shares the rest equally among {friends} friends. How many sweets does each friend get?",
        "{name} has [total = bags * per_bag] sweets.",
        "After keeping {kept}, {he} has [rest = total - kept] sweets left to share.",
        "Each friend gets [each = rest / friends] sweets.",
    ),
    _WordProblem(
        _cartons,
        "A school orders {cartons} cartons of {item} with {per_carton} {item} in each "
        "carton. The {item} are shared equally among {classes} classes, and each class "
        "gives {given} of its {item} to the art room. How many {item} does each class keep?",
        "The school gets [total = cartons * per_carton] {item}.",
        "Each class receives [per_class = total / classes] {item}.",
        "After giving some away, each class keeps [kept = per_class - given] {item}.",
    ),
    _WordProblem(
        _journey,
        "A {vehicle} travels at {v1} km per hour for {t1} hours, then at {v2} km per hour "
        "for {t2} hours. How many kilometres does it travel in total?",
        "In the first part it covers [d1 = v1 * t1] km.",
        "In the second part it covers [d2 = v2 * t2] km.",
        "In total it travels [total = d1 + d2] km.",
    ),
    _WordProblem(
        _hike,
        "{name} {mode} {distance} km at {speed} km per hour, and {he} takes breaks of "
        "{rest} hours in total. How many hours does {his} whole trip take?",
        "Moving takes [moving = distance / speed] hours.",
        "With the breaks the trip takes [total = moving + rest] hours.",
    ),
    _WordProblem(
        _saving_weeks,
        "{name} wants a {item} that costs ${price}. {He} has already saved "
        "${saved} and saves ${weekly} every week. How many weeks does {he} need to save?",
        "{name} still needs [missing = price - saved] dollars.",
        "At ${weekly} a week that takes [needed = missing / weekly] weeks.",
    ),
    _WordProblem(
        _saving_left,
        "{name} saves ${weekly} every week for {weeks} weeks and then gets ${bonus} from "
        "{his} grandparents. {He} spends ${spent} on {gift}. How many dollars does {he} have left?",
        "{name} saves [saved = weekly * weeks] dollars.",
        "With the money from {his} grandparents {he} has [total = saved + bonus] dollars.",
        "After buying {gift} {he} has [left = total - spent] dollars left.",
    ),
    _WordProblem(
        _reading,
        "A book has {pages} pages. {name} reads {first_rate} pages a day for {first_days} "
        "days, then {later_rate} pages a day. How many more days does {he} need to "
        "finish the book?",
        "In the first {first_days} days {he} reads [read = first_rate * first_days] pages.",
        "That leaves [left = pages - read] pages.",
        "At {later_rate} pages a day this takes [days = left / later_rate] days.",
    ),
    _WordProblem(
        _tickets,
        "Tickets for the {place} cost ${adult} for adults and ${child} for children. "
        "A group of {adults} adults and {children} children goes to the {place}. "
        "How many dollars do they pay in total?",
        "The adult tickets cost [adult_cost = adults * adult] dollars.",
        "The children's tickets cost [child_cost = children * child] dollars.",
        "Together they pay [total = adult_cost + child_cost] dollars.",
    ),
    _WordProblem(
        _garden,
        "{name} plants {rows1} rows of {per1} {first} and {rows2} rows of {per2} {second}. "
        "How many more {first} than {second} does {he} plant?",
        "{name} plants [n1 = rows1 * per1] {first}.",
        "{He} plants [n2 = rows2 * per2] {second}.",
        "The difference is [diff = n1 - n2].",
    ),
)


def _problem_stream(seed: int) -> Iterator[Row]:
    rng = random.Random(seed)
    while True:
        question, steps, answer = rng.choice(_PROBLEMS)(rng)
        assert answer >= 0 and str(answer) in steps[-1], (question, steps, answer)
        yield {
            "question": question,
            "rationale": " ".join([*steps, f"The answer is {answer}."]),
            "answer": str(answer),
        }


def word_problems(n: int, seed: int, *, exclude: Collection[str] = ()) -> list[Row]:
    """``n`` arithmetic word problems (``question``, ``rationale``, ``answer``).

    Questions are distinct; those in ``exclude`` are skipped (more are drawn instead).

    >>> row = word_problems(1, seed=0)[0]
    >>> row["rationale"].endswith(f"The answer is {row['answer']}.")
    True
    """
    return _draw(_problem_stream(seed), "question", n, exclude)


# --------------------------------------------------------------------------- files


def _draw(stream: Iterator[Row], key: str, n: int, exclude: Collection[str]) -> list[Row]:
    """The first ``n`` rows of ``stream`` whose ``key`` is new and not in ``exclude``."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    seen = set(exclude)
    rows: list[Row] = []
    while len(rows) < n:
        row = next(stream)
        if row[key] not in seen:
            seen.add(row[key])
            rows.append(row)
    return rows


def _write(path: Path, fields: tuple[str, ...], rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)


def write_demo_tasks(root: Path, seed: int = 0) -> dict[str, Path]:
    """Write the ``generation`` and ``reasoning`` demo CSVs under ``root``.

    Files: ``root/{generation,reasoning}/{train,test}.csv`` with the sizes in
    :data:`DEMO_TASK_SIZES`. Train is drawn with seed ``2 * seed`` and test with
    ``2 * seed + 1``; test skips any input already in train. Returns the written paths,
    keyed ``generation/train`` etc.
    """
    root = Path(root)
    makers = {"generation": product_descriptions, "reasoning": word_problems}
    written: dict[str, Path] = {}
    for task, make in makers.items():
        key = _FIELDS[task][0]
        train = make(DEMO_TASK_SIZES["train"], 2 * seed)
        test = make(DEMO_TASK_SIZES["test"], 2 * seed + 1, exclude={r[key] for r in train})
        for split, rows in (("train", train), ("test", test)):
            path = root / task / f"{split}.csv"
            _write(path, _FIELDS[task], rows)
            written[f"{task}/{split}"] = path
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m taskfit.data.demo_tasks",
        description="Write the generation and reasoning demo CSVs under OUTDIR.",
    )
    parser.add_argument("outdir", type=Path, help="e.g. src/taskfit/data/demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for path in write_demo_tasks(args.outdir, seed=args.seed).values():
        print(path)


if __name__ == "__main__":
    main()
