"""Indicators of personal data in the texts: emails, phone numbers, card and IBAN numbers.

Detectors are regular expressions with validation, tuned for precision: a profile that
cries wolf on every order number is ignored.

- **email**: ``local@domain.tld``.
- **card**: 13-19 digits, not starting with 0, optionally grouped by spaces or dashes,
  that pass the Luhn check.
- **iban**: a known country code, two check digits and the country's BBAN length (spaces
  allowed between groups), that pass the ISO 13616 mod-97 check.
- **phone**: a digit group (digits with spaces, dots, dashes or parentheses between them)
  that is one of: international (``+`` and 8-15 digits, or ``00`` and 10-15 digits);
  national with a trunk ``0`` and 10-11 digits (``07700 900123``, ``020 7946 0958``);
  North American ``(555) 123-4567`` / ``555-123-4567`` / ``555.123.4567``. Plain digit
  runs without ``+``, ``0`` or separators (order and reference numbers), dates
  (``2023-01-15``, ``15/01/2023``), amounts (``$100``, ``1,250.00``) and years are not
  phones. A 13-19 digit group that fails the Luhn check is reported as nothing.
- **person names** are not checked: no name detector is installed, and a capitalised-word
  heuristic would flag every product and city name. ``PiiReport.name_detector`` is None.

Findings carry a masked value (``j***@e***.com``, ``**** **** **** 1234``,
``+44 ** **** **58``, ``GB** **** ... **32``); the full value is never stored, returned
or logged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from taskfit.types import PiiFinding, PiiReport

__all__ = ["KINDS", "find_pii", "iban_valid", "luhn_valid", "scan_pii"]

KINDS = ("email", "phone", "card", "iban")

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)
# IBAN length per country (ISO 13616 registry).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
# Start of an IBAN: country code and check digits; the rest is read by _iban_at.
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?=\s?[A-Za-z0-9])")
# A group of digits separated by at most two of: space, dot, dash, parentheses.
_DIGITS = re.compile(r"(?<![\w+.,/$£€¥%-])(?:\+|\(\+?)?\d(?:[ .\-()]{0,2}\d)+(?![\w/%$£€¥]|[.,]\d)")
_NANP = re.compile(r"(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")
_CARD_SHAPE = re.compile(r"\d+(?:[ -]\d+)*")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a string of digits.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check of a compact IBAN (no spaces), country length included.

    >>> iban_valid("GB82WEST12345698765432"), iban_valid("GB82WEST12345698765433")
    (True, False)
    """
    s = iban.upper()
    if _IBAN_LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit() or not s.isalnum():
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _iban_at(text: str, m: re.Match[str]) -> tuple[int, str] | None:
    """The end and compact form of a valid IBAN starting at ``m``, if any."""
    cc = m.group(1).upper()
    length = _IBAN_LENGTHS.get(cc)
    if length is None:
        return None
    chars: list[str] = []
    i = m.start()
    while i < len(text) and len(chars) < length:
        ch = text[i]
        if ch.isascii() and ch.isalnum():
            chars.append(ch)
        elif not (ch == " " and chars and i + 1 < len(text) and text[i + 1].isalnum()):
            break
        i += 1
    if len(chars) != length or (i < len(text) and text[i].isalnum()):
        return None
    compact = "".join(chars)
    return (i, compact) if iban_valid(compact) else None


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    labels = domain.split(".")
    return f"{local[0]}***@{labels[0][0]}***.{labels[-1]}"


def _mask_digits(value: str, keep_first: int, keep_last: int) -> str:
    """Replace every digit but the first ``keep_first`` and last ``keep_last`` by ``*``."""
    n = sum(c.isdigit() for c in value)
    out, seen = [], 0
    for c in value:
        if c.isdigit():
            out.append(c if seen < keep_first or seen >= n - keep_last else "*")
            seen += 1
        else:
            out.append(c)
    return "".join(out)


def _mask_card(digits: str) -> str:
    return "**** " * ((len(digits) - 4 + 3) // 4) + digits[-4:]


def _mask_iban(compact: str) -> str:
    masked = compact[:2] + "*" * (len(compact) - 4) + compact[-2:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def _phone(span: str, digits: str) -> bool:
    n = len(digits)
    if span.lstrip("(").startswith("+"):
        return 8 <= n <= 15
    if digits.startswith("00"):
        return 10 <= n <= 15
    if digits.startswith("0"):
        return 10 <= n <= 11
    return _NANP.fullmatch(span) is not None


def find_pii(text: str) -> list[tuple[str, str]]:
    """``(kind, masked value)`` for every match in ``text``, in text order per kind.

    >>> find_pii("mail jo.doe@example.com or call +44 20 7946 0958")
    [('email', 'j***@e***.com'), ('phone', '+44 ** **** **58')]
    """
    found: list[tuple[int, str, str]] = []
    blanked = text
    for m in _EMAIL.finditer(text):
        found.append((m.start(), "email", _mask_email(m.group())))
        blanked = blanked[: m.start()] + " " * (m.end() - m.start()) + blanked[m.end() :]
    for m in _IBAN_START.finditer(blanked):
        hit = _iban_at(blanked, m)
        if hit is not None:
            end, compact = hit
            found.append((m.start(), "iban", _mask_iban(compact)))
            blanked = blanked[: m.start()] + " " * (end - m.start()) + blanked[end:]
    for m in _DIGITS.finditer(blanked):
        span = m.group()
        digits = "".join(c for c in span if c.isdigit())
        if (
            13 <= len(digits) <= 19
            and digits[0] != "0"  # issuer numbers start with 1-9; "00 44 ..." is a phone
            and not span.startswith(("+", "("))
            and _CARD_SHAPE.fullmatch(span)
        ):
            if luhn_valid(digits):
                found.append((m.start(), "card", _mask_card(digits)))
            continue  # a card-like number that fails Luhn is not a phone either
        if _phone(span, digits):
            keep_first = 2 if span.lstrip("(").startswith("+") else 0
            found.append((m.start(), "phone", _mask_digits(span, keep_first, 2)))
    found.sort(key=lambda f: f[0])
    return [(kind, masked) for _, kind, masked in found]


def scan_pii(splits: Mapping[str, Sequence[str]], *, max_examples: int = 10) -> PiiReport:
    """Scan every row of every split for emails, phone numbers, cards and IBANs.

    ``counts`` is, per kind, the number of rows with at least one match (all splits
    together); ``examples`` lists at most ``max_examples`` findings, masked. Person names
    are not checked (``name_detector`` is None): see the module docstring.

    >>> r = scan_pii({"train": ["card 4111 1111 1111 1111 please", "hi"], "test": ["ok"]})
    >>> r.counts["card"], r.rows_with_pii, r.n_rows, r.examples[0].masked
    (1, 1, 3, '**** **** **** 1111')
    """
    counts = dict.fromkeys(KINDS, 0)
    rows_with_pii = n_rows = 0
    examples: list[PiiFinding] = []
    for split, rows in splits.items():
        for row, text in enumerate(rows):
            n_rows += 1
            hits = find_pii(text)
            if not hits:
                continue
            rows_with_pii += 1
            for kind in {k for k, _ in hits}:
                counts[kind] += 1
            for kind, masked in hits:
                if len(examples) < max_examples:
                    examples.append(PiiFinding(kind=kind, split=split, row=row, masked=masked))
    return PiiReport(
        counts=counts,
        rows_with_pii=rows_with_pii,
        n_rows=n_rows,
        examples=tuple(examples),
        name_detector=None,
    )
