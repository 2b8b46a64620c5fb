"""Language identification with the real offline detector (lingua)."""

from __future__ import annotations

import pytest

pytest.importorskip("lingua", reason="lingua-language-detector is a core dependency")

from taskfit.profile.language import detect_languages, language_report

EN = [
    "I lost my card yesterday and need to block it right away",
    "Why was I charged twice for the same coffee this morning?",
    "How long does a transfer to another bank usually take?",
    "My new card has still not arrived after two weeks",
]
ES = ["Perdí mi tarjeta ayer y necesito bloquearla ahora mismo", "¿Por qué me cobraron dos veces?"]
SW = [
    "Nimepoteza kadi yangu ya benki jana usiku na ninahitaji msaada",
    "Tafadhali nisaidie kubadilisha nenosiri la akaunti yangu",
    "Ninataka kujua salio la akaunti yangu ya akiba leo",
]


def test_detects_planted_languages():
    codes = detect_languages(EN + ES + SW)
    assert codes[: len(EN)] == ["en"] * len(EN)
    assert codes[len(EN) : len(EN) + len(ES)] == ["es"] * len(ES)
    assert codes[-len(SW) :] == ["sw"] * len(SW)


def test_short_texts_are_not_guessed():
    assert detect_languages(["top up", "refund"]) == [None, None]


def test_report_flags_low_resource_language_only_above_min_share():
    mixed = language_report(EN * 3 + SW)
    assert mixed.primary == "en"
    assert mixed.low_resource == ("sw",)
    assert mixed.mix["en"] == pytest.approx(12 / 15)
    english = language_report(EN * 5 + ES)
    assert english.low_resource == ()
    assert english.undetected_share == 0.0


def test_primary_low_resource():
    r = language_report(SW * 3 + EN[:1])
    assert r.primary == "sw"
    assert "sw" in r.low_resource
