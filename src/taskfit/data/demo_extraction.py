"""Seeded generator for the bundled ``extraction`` demo data: typed spans in support messages.

Short messages written to customer support at Northwind (the fictional company of the
classification demo), each with the character spans of the entities it mentions. There
are four entity types:

- ``ORDER_ID``: order numbers, ``NW-`` and five digits (``NW-48213``)
- ``PRODUCT``: Northwind product names from a closed list (``Northwind Hub 2``, ``Hub Mini``,
  ``Motion Sensor``, ``Northwind app``, ``Plus plan``, ...), now and then written in lower
  case. The names in :data:`TEST_ONLY_PRODUCTS` occur only in the test split, so a
  dictionary of the training names cannot find every product.
- ``DATE``: dates in several forms (``March 3``, ``3 March``, ``May 3rd``, ``3/14``,
  ``2026-05-02``, ``Monday``, ``last Tuesday``, ``yesterday``)
- ``AMOUNT``: sums of money (``$49.99``, ``$129``, ``120 dollars``, ``€15``, ``£20``)

Rules:

- Every message comes from one of the message templates (:data:`TEMPLATES`); its slots
  are filled with values drawn at random, and the spans are recorded while the text is
  built, never found by searching it afterwards.
- Spans are end-exclusive character offsets ``[start, end)``, sorted, not overlapping and
  strictly inside the text; ``text[start:end]`` is the mention, with no surrounding spaces.
- Every span starts and ends on a token boundary of the tokeniser ``\\w+|[^\\w\\s]``
  (:data:`TOKEN`), so the CoNLL BIO form of the data loses nothing; this is checked.
- Messages have 8-40 words and 0-4 spans; some have none.
- Messages are distinct within each split, and no test message is in train.

Files, under ``extraction/``: ``train.jsonl`` and ``test.jsonl``, one JSON object per line
(``{"text": ..., "spans": [{"start": ..., "end": ..., "label": ...}, ...]}``), and
``test.conll``, the test split as ``token TAG`` lines with BIO tags and a blank line after
each message.

Everything is drawn from :class:`random.Random` with a fixed seed, so the files are
reproducible byte for byte. Regenerate them with::

    python -m taskfit.data.demo_extraction src/taskfit/data/demo
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TypedDict

__all__ = [
    "EXTRACTION_SIZES",
    "LABELS",
    "PRODUCTS",
    "TEMPLATES",
    "TEST_ONLY_PRODUCTS",
    "TOKEN",
    "Message",
    "Span",
    "check_message",
    "support_messages",
    "to_conll",
    "write_demo_extraction",
]

# messages per split
EXTRACTION_SIZES = {"train": 240, "test": 80}

LABELS = ("ORDER_ID", "PRODUCT", "DATE", "AMOUNT")

# the tokeniser of the CoNLL file
TOKEN = re.compile(r"\w+|[^\w\s]")


class Span(TypedDict):
    """An entity mention: characters ``[start, end)`` of the text, of type ``label``."""

    start: int
    end: int
    label: str


class Message(TypedDict):
    """A support message and the spans of its entities, sorted by ``start``."""

    text: str
    spans: list[Span]


# --------------------------------------------------------------------------- values

# slot -> the product names it draws from (the closed list of both splits)
PRODUCTS: dict[str, tuple[str, ...]] = {
    "device": (
        "Northwind Hub 2", "Hub 2", "Hub Mini", "Motion Sensor", "Door Sensor",
        "Smart Plug", "Leak Sensor", "Indoor Camera", "Outdoor Camera", "Smart Bulb",
    ),
    "plan": ("Basic plan", "Plus plan", "Pro plan"),
    "app": ("Northwind app",),
}  # fmt: skip

# devices that appear only in the test split
TEST_ONLY_PRODUCTS = ("Video Doorbell", "Keypad", "Range Extender", "Smart Thermostat")

_TEST_ONLY_SHARE = 0.3  # of the devices drawn for test messages
_LOWER_SHARE = 0.1  # of the product names, written in lower case

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RELATIVE = ("yesterday", "two weeks ago", "three days ago", "last week", "a few days ago")

# A value drawn for a slot: (text before the mention, the mention, its label). The text
# before it is not part of the span (``on `` before an absolute date); a label of ``""``
# marks filler text that is not an entity.
_Fill = tuple[str, str, str]


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date(rng: random.Random) -> _Fill:
    month, day, year = rng.randint(1, 12), rng.randint(1, 28), rng.choice((2025, 2026))
    name = _MONTHS[month - 1]
    kind = rng.randrange(8)
    if kind == 0:
        return "on ", f"{name} {day}", "DATE"
    if kind == 1:
        return "on ", f"{day} {name}", "DATE"
    if kind == 2:
        return "on ", f"{name} {_ordinal(day)}", "DATE"
    if kind == 3:
        return "on ", f"{month}/{day}", "DATE"
    if kind == 4:
        return "on ", f"{year}-{month:02d}-{day:02d}", "DATE"
    if kind == 5:
        return "on ", rng.choice(_WEEKDAYS), "DATE"
    if kind == 6:
        return "", f"last {rng.choice(_WEEKDAYS)}", "DATE"
    return "", rng.choice(_RELATIVE), "DATE"


def _amount(rng: random.Random) -> _Fill:
    whole = rng.choice((rng.randint(3, 60), rng.randint(60, 260)))
    cents = rng.choice((99, 95, 50, 49))
    kind = rng.randrange(8)
    if kind == 0:
        return "", f"${whole}", "AMOUNT"
    if kind in (1, 2):
        return "", f"${whole}.{cents:02d}", "AMOUNT"
    if kind == 3:
        return "", f"{whole} dollars", "AMOUNT"
    if kind == 4:
        return "", f"€{whole}", "AMOUNT"
    if kind == 5:
        return "", f"€{whole}.{cents:02d}", "AMOUNT"
    if kind == 6:
        return "", f"£{whole}", "AMOUNT"
    return "", f"{whole}.{cents:02d} USD", "AMOUNT"


def _order(rng: random.Random) -> _Fill:
    return "", f"NW-{rng.randint(10000, 99999)}", "ORDER_ID"


def _product(kind: str, test: bool) -> Callable[[random.Random], _Fill]:
    def draw(rng: random.Random) -> _Fill:
        if kind == "device" and test and rng.random() < _TEST_ONLY_SHARE:
            name = rng.choice(TEST_ONLY_PRODUCTS)
        else:
            name = rng.choice(PRODUCTS[kind])
        if rng.random() < _LOWER_SHARE:
            name = name.lower()
        return "", name, "PRODUCT"

    return draw


def _filler(*options: str) -> Callable[[random.Random], _Fill]:
    def draw(rng: random.Random) -> _Fill:
        return "", rng.choice(options), ""

    return draw


# slots whose values are not entities
_FILLERS: dict[str, Callable[[random.Random], _Fill]] = {
    "hi": _filler("", "", "Hi, ", "Hello, ", "Hey, ", "Hi there, ", "Hello team, "),
    "bye": _filler("", "", " Thanks.", " Thank you!", " Thanks in advance.", " Cheers."),
    "screen": _filler(
        "camera tab", "automations page", "notification settings", "family sharing screen",
        "device list", "energy page",
    ),
}  # fmt: skip

# --------------------------------------------------------------------------- templates

# The message templates. ``{order}``, ``{device}``, ``{plan}``, ``{app}``, ``{date}`` and
# ``{amount}`` are entities; ``{hi}``, ``{bye}`` and ``{screen}`` are filler. A template
# that starts with ``{hi}`` continues in lower case; the first letter is raised when the
# greeting is empty. ``{date}`` brings its own ``on`` where the form needs one.
TEMPLATES = (
    "{hi}my {device} from order {order} arrived {date} with a cracked case.{bye}",
    "I was charged {amount} twice for my {plan} {date}. Can you refund one of the payments?",
    "Order {order} still hasn't shipped and I placed it {date}. What is going on?",
    "{hi}can I move from the {plan} to the {plan} without losing my camera history?{bye}",
    "The {app} keeps logging me out since I updated it {date}.{bye}",
    "I sent the {device} back {date} but the refund of {amount} is not on my card yet.",
    "{hi}please cancel order {order}, I picked the wrong {device} by mistake.{bye}",
    "How do I reset my password? The reset email never arrives in my inbox.{bye}",
    "{hi}the light on my {device} is blinking amber and the {app} says it is offline.",
    "Does the {device} work with the {device}, or do I need to buy something else?",
    "I paid {amount} for express shipping on {order} and it still came two days late.",
    "{hi}I need to change the delivery address for order {order} before it ships.{bye}",
    "My {plan} renewed {date} for {amount} even though I had already cancelled it.",
    "The {device} I bought {date} stopped responding after a week. Is it faulty?",
    "Is there a student discount on the {plan}? I can send proof that I am enrolled.",
    "where is my order {order}?? tracking hasn't changed since {date} and nobody answers",
    "{hi}the box for order {order} was crushed and the {device} inside will not turn on.",
    "You charged me {amount} instead of {amount} for the {device}. Please fix the invoice.",
    "Thanks for the quick help, everything is working again now and the alarms are back.",
    "I want to return the {device} and the {device} from order {order}.{bye}",
    "The {app} shows my {device} as offline, but the light on it is solid white.",
    "Why did my bill go up to {amount}? I did not change anything in my account.",
    "{hi}I still have not received the refund of {amount} you promised {date}.{bye}",
    "my {device} keeps sending false alerts at night even when nobody is home",
    "Order {order} went to the wrong address. Tracking says it was left at a door {date}.",
    "Could you tell me when my {plan} trial ends? I started it {date}.{bye}",
    "I would like to switch my billing from monthly to yearly. Who can help me with that?",
    "The {device} and the {device} I ordered {date} came in separate boxes, is that normal?",
    "{hi}I was billed {amount} {date} and again {date} for the same {plan}.",
    "Can I pay the remaining {amount} for order {order} with a gift card?{bye}",
    "My warranty claim for the {device} was rejected, but I bought it {date} from your store.",
    "The {app} crashes every time I open the {screen}. Please fix this soon.",
    "How long does delivery to Canada usually take? I need the parcel before my holiday.",
    "Is there any way to get my camera clips back after my subscription ended?{bye}",
    "{hi}setup went fine but the {device} will not pair and the {app} just keeps spinning.",
    "I am moving house soon and want to keep all my automations. What should I do?",
    "{hi}since the update the {screen} in the {app} is empty. Is something broken?{bye}",
    "Got order {order} {date}, but the {device} was missing from the box.",
    "What does it cost to add a second home to my {plan}? I was quoted {amount}.",
    "{hi}the {device} fell off the wall and cracked. Does the warranty cover that?{bye}",
    "{amount} for the {device}? That seems far too high.",
    "When will the {device} be back in stock again?",
    "{hi}refund for order {order} please, it arrived broken.",
    "My {device} will not turn on at all.",
    "Which battery does the {device} take, and where can I buy one?",
    "I ordered the {device} and the {device} {date} under order {order}. Only one arrived "
    "and the packing slip does not list the other. Could you check and send the missing "
    "item?",
    "I have had the {plan} for two years and I was happy with it, but the last invoice of "
    "{amount} is much higher than before. Nothing changed in my home, so can you explain?",
    "We moved the {device} to the garage {date} and since then the {app} shows it as "
    "offline, even though the Wi-Fi is strong and other devices work fine. What else can "
    "I try?",
    "{hi}the {screen} in the app is blank after the update. Is something broken on your side?{bye}",
    "{hi}how do I add a second person to my home so they get the alarms too?{bye}",
    "{hi}my partner cannot open the {screen} even though I invited them as an admin.{bye}",
    "The sensor in the hallway sends a low battery warning every night. Which battery does "
    "it need?",
)

_SLOT = re.compile(r"\{(\w+)\}")


def _slots(test: bool) -> dict[str, Callable[[random.Random], _Fill]]:
    entities: dict[str, Callable[[random.Random], _Fill]] = {
        "order": _order,
        "date": _date,
        "amount": _amount,
        **{kind: _product(kind, test) for kind in PRODUCTS},
    }
    return {**entities, **_FILLERS}


def _build(
    template: str, slots: dict[str, Callable[[random.Random], _Fill]], rng: random.Random
) -> Message:
    """Fill ``template``: the text and the spans of its entity slots, recorded as built."""
    parts = _SLOT.split(template)  # literal, slot, literal, slot, ..., literal
    text = ""
    spans: list[Span] = []
    used: set[str] = set()  # entity values already in this message
    for i, part in enumerate(parts):
        if i % 2 == 0:  # literal text
            if not text and part:
                part = part[0].upper() + part[1:]
            text += part
            continue
        before, mention, label = slots[part](rng)
        for _ in range(100):  # an entity is not repeated within a message
            if not label or mention.lower() not in used:
                break
            before, mention, label = slots[part](rng)
        if label:
            used.add(mention.lower())
        if not text and before:
            before = before[0].upper() + before[1:]
        text += before
        if label:
            spans.append({"start": len(text), "end": len(text) + len(mention), "label": label})
        elif not text and mention:
            mention = mention[0].upper() + mention[1:]
        text += mention
    return {"text": text, "spans": spans}


def check_message(message: Message) -> None:
    """Raise :class:`ValueError` unless ``message`` keeps the rules of the demo data.

    The spans are sorted, do not overlap, lie inside the text, hold a stripped non-empty
    mention of a known type and begin and end on :data:`TOKEN` boundaries; the message
    has 8-40 words and at most 4 spans.
    """
    text, spans = message["text"], message["spans"]
    words = len(text.split())
    if not 8 <= words <= 40:
        raise ValueError(f"{words} words, not 8-40: {text!r}")
    if len(spans) > 4:
        raise ValueError(f"{len(spans)} spans, more than 4: {text!r}")
    starts = {m.start() for m in TOKEN.finditer(text)}
    ends = {m.end() for m in TOKEN.finditer(text)}
    previous_end = 0
    for span in spans:
        start, end, label = span["start"], span["end"], span["label"]
        mention = text[start:end]
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}: {text!r}")
        if not 0 <= previous_end <= start < end <= len(text):
            raise ValueError(f"span {span} is empty, outside or overlapping: {text!r}")
        if mention != mention.strip():
            raise ValueError(f"span {span} has surrounding spaces: {text!r}")
        if start not in starts or end not in ends:
            raise ValueError(f"span {span} ({mention!r}) cuts a token: {text!r}")
        previous_end = end


def _message_stream(seed: int, test: bool) -> Iterator[Message]:
    rng = random.Random(seed)
    slots = _slots(test)
    while True:
        message = _build(rng.choice(TEMPLATES), slots, rng)
        check_message(message)
        yield message


def support_messages(
    n: int, seed: int, *, test: bool = False, exclude: Collection[str] = ()
) -> list[Message]:
    """``n`` distinct support messages with their entity spans.

    ``test`` lets the devices in :data:`TEST_ONLY_PRODUCTS` be drawn. Messages whose text
    is in ``exclude`` are skipped (more are drawn instead).

    >>> message = support_messages(1, seed=0)[0]
    >>> [(message["text"][s["start"] : s["end"]], s["label"]) for s in message["spans"]]
    [('NW-65125', 'ORDER_ID'), ('last Sunday', 'DATE')]
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    seen = set(exclude)
    messages: list[Message] = []
    stream = _message_stream(seed, test)
    while len(messages) < n:
        message = next(stream)
        if message["text"] not in seen:
            seen.add(message["text"])
            messages.append(message)
    return messages


# --------------------------------------------------------------------------- files


def to_conll(messages: list[Message]) -> str:
    """``messages`` in CoNLL BIO form: a ``token TAG`` line per :data:`TOKEN` token and a
    blank line after each message. A token is tagged ``B-``/``I-`` when it overlaps a span
    (``B-`` for the span's first token), ``O`` otherwise.

    >>> print(to_conll([{"text": "Order NW-10001 late", "spans": [
    ...     {"start": 6, "end": 14, "label": "ORDER_ID"}]}]), end="")
    Order O
    NW B-ORDER_ID
    - I-ORDER_ID
    10001 I-ORDER_ID
    late O
    <BLANKLINE>
    """
    lines: list[str] = []
    for message in messages:
        spans = message["spans"]
        for token in TOKEN.finditer(message["text"]):
            tag = "O"
            for span in spans:
                if token.start() < span["end"] and span["start"] < token.end():
                    prefix = "B" if token.start() <= span["start"] else "I"
                    tag = f"{prefix}-{span['label']}"
                    break
            lines.append(f"{token.group()} {tag}")
        lines.append("")
    return "".join(f"{line}\n" for line in lines)


def _write_jsonl(path: Path, messages: list[Message]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for message in messages:
            f.write(json.dumps(message, ensure_ascii=False) + "\n")


def write_demo_extraction(root: Path, seed: int = 0) -> dict[str, Path]:
    """Write the ``extraction`` demo files under ``root/extraction/``.

    ``train.jsonl`` and ``test.jsonl`` have the sizes in :data:`EXTRACTION_SIZES`;
    ``test.conll`` is the test split in BIO form (:func:`to_conll`). Train is drawn with
    seed ``2 * seed`` and test with ``2 * seed + 1``; test skips any message already in
    train. Returns the written paths, keyed ``train``, ``test`` and ``test_conll``.
    """
    folder = Path(root) / "extraction"
    train = support_messages(EXTRACTION_SIZES["train"], 2 * seed)
    test = support_messages(
        EXTRACTION_SIZES["test"], 2 * seed + 1, test=True, exclude={m["text"] for m in train}
    )
    written = {"train": folder / "train.jsonl", "test": folder / "test.jsonl"}
    _write_jsonl(written["train"], train)
    _write_jsonl(written["test"], test)
    written["test_conll"] = folder / "test.conll"
    with written["test_conll"].open("w", encoding="utf-8", newline="\n") as f:
        f.write(to_conll(test))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m taskfit.data.demo_extraction",
        description="Write the extraction demo files under OUTDIR/extraction.",
    )
    parser.add_argument("outdir", type=Path, help="e.g. src/taskfit/data/demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for path in write_demo_extraction(args.outdir, seed=args.seed).values():
        print(path)


if __name__ == "__main__":
    main()
