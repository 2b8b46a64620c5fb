"""PII indicators: planted emails, phones, cards and IBANs are counted per kind; invalid
checksums, dates, amounts and order numbers are not; full values never leave the scan."""

from __future__ import annotations

import dataclasses
import json
import random
import re

import pytest

from taskfit.profile.pii import find_pii, iban_valid, luhn_valid, scan_pii

EMAILS = [
    "john.doe@example.com",
    "a_b+tag@mail.co.uk",
    "support-team@bank.io",
    "Maria.Garcia99@correo.es",
]
PHONES = [
    "+44 20 7946 0958",
    "+44 7700 900123",
    "+1 (555) 123-4567",
    "+49 30 1234567",
    "+33 1 23 45 67 89",
    "0044 20 7946 0958",
    "07700 900123",
    "020 7946 0958",
    "(555) 123-4567",
    "555-123-4567",
    "555.123.4567",
]
CARDS = [
    "4111 1111 1111 1111",
    "5500-0000-0000-0004",
    "340000000000009",
    "6011000000000004",
    "4222222222222",
]
IBANS = [
    "GB82 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "NO9386011117947",
]
NOT_PII = [
    "My order #123456789 has not arrived",
    "Order 2023-000123 was charged twice",
    "transaction 98765432101 is pending",
    "I paid $100 on 2023-01-15 at 10:30",
    "It cost £1,250.00 and 100 EUR on 15/01/2023",
    "renewal on 01.02.2023, version 1.2.3",
    "in 2023 I topped up 1 000 000 times",
    "between 10 and 20 cards, 3 accounts",
    "card 4111 1111 1111 1112 was declined",  # fails Luhn
    "iban GB82 WEST 1234 5698 7654 33 please",  # fails mod-97
    "iban DE00 3704 0044 0532 0130 00 please",  # fails mod-97
    "sort code 12-34-56, ref 555 1234",
    "rate went up 1.5% on the 3rd",
]


def _luhn_number(rng: random.Random, length: int) -> str:
    body = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 2))
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable")


def _iban(rng: random.Random, country: str, bban_len: int) -> str:
    bban = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(bban_len))
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    return f"{country}{check:02d}{bban}"


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", v) for v in EMAILS]
    + [("phone", v) for v in PHONES]
    + [("card", v) for v in CARDS]
    + [("iban", v) for v in IBANS],
)
def test_each_planted_value_is_found_and_masked(kind, value):
    hits = find_pii(f"Hello, it is {value}. Thanks")
    assert [k for k, _ in hits] == [kind]
    masked = hits[0][1]
    assert masked != value and value not in masked
    if kind != "email":
        assert _digits(value) not in _digits(masked)
        assert masked.count("*") >= len(_digits(value)) // 2


@pytest.mark.parametrize("text", NOT_PII)
def test_dates_amounts_order_numbers_and_bad_checksums_are_not_flagged(text):
    assert find_pii(text) == []


def test_masks_keep_only_a_hint():
    assert find_pii("write to john.doe@example.com")[0][1] == "j***@e***.com"
    assert find_pii("card 4111 1111 1111 1111")[0][1] == "**** **** **** 1111"
    assert find_pii("call +44 20 7946 0958")[0][1] == "+44 ** **** **58"


def test_checksums():
    rng = random.Random(0)
    for length in range(13, 20):
        number = _luhn_number(rng, length)
        assert luhn_valid(number)
        assert not luhn_valid(number[:-1] + str((int(number[-1]) + 1) % 10))
    assert iban_valid(_iban(rng, "DE", 18)) and iban_valid(_iban(rng, "GB", 18))
    assert not iban_valid("GB82WEST1234569876543")  # wrong length for GB
    assert not iban_valid("XX82WEST12345698765432")  # unknown country


def test_scan_counts_rows_per_kind_and_never_shows_full_values():
    rng = random.Random(1)
    filler = [
        "my card was declined yesterday",
        "how do I top up by bank transfer",
        "the app keeps logging me out",
        "why was I charged a fee of $2.50 on 03/04/2024",
    ]
    cards = CARDS + [_luhn_number(rng, rng.randint(13, 19)) for _ in range(10)]
    ibans = IBANS + [_iban(rng, c, n) for c, n in [("DE", 18), ("GB", 18), ("NL", 14)] * 3]
    planted: dict[str, list[str]] = {"email": [], "phone": [], "card": [], "iban": []}
    rows: list[str] = []
    for kind, values in (("email", EMAILS), ("phone", PHONES), ("card", cards), ("iban", ibans)):
        for v in values:
            rows.append(f"{rng.choice(filler)} - {v} - {rng.choice(filler)}")
            planted[kind].append(v)
    # Two phones in one row count once; a row with an email and a phone counts for both.
    rows.append(f"call {PHONES[0]} or {PHONES[1]}")
    rows.append(f"mail {EMAILS[0]} or call {PHONES[2]}")
    rows += NOT_PII + filler * 20
    rng.shuffle(rows)
    split = len(rows) // 2
    report = scan_pii({"train": rows[:split], "test": rows[split:]}, max_examples=7)

    assert report.counts == {
        "email": len(EMAILS) + 1,
        "phone": len(PHONES) + 2,
        "card": len(cards),
        "iban": len(ibans),
    }
    assert report.rows_with_pii == len(EMAILS) + len(PHONES) + len(cards) + len(ibans) + 2
    assert report.n_rows == len(rows)
    assert len(report.examples) == 7
    assert report.name_detector is None
    for f in report.examples:
        source = rows[:split] if f.split == "train" else rows[split:]
        assert f.kind in {k for k, _ in find_pii(source[f.row])}

    everything = scan_pii({"train": rows[:split], "test": rows[split:]}, max_examples=10_000)
    assert len(everything.examples) >= sum(len(v) for v in planted.values())
    shown = repr(everything) + json.dumps(dataclasses.asdict(everything))
    compact = re.sub(r"[ .\-()]", "", shown)  # values written without their separators
    for kind, values in planted.items():
        for v in values:
            assert v not in shown
            if kind != "email":
                assert re.sub(r"[ .\-()]", "", v) not in compact


def test_examples_are_capped_and_empty_input_is_fine():
    rows = [f"mail me at user{i}@example.org" for i in range(30)]
    assert len(scan_pii({"train": rows}, max_examples=3).examples) == 3
    assert scan_pii({"train": rows}, max_examples=0).examples == ()
    empty = scan_pii({})
    assert empty.n_rows == 0 and empty.rows_with_pii == 0
    assert set(empty.counts) == {"email", "phone", "card", "iban"}
