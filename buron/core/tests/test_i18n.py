from __future__ import annotations

from types import SimpleNamespace

from django.utils.translation import override

from buron.core.i18n import localized


def test_it_gives_the_text_of_the_active_language() -> None:
    obj = SimpleNamespace(note_fr="Travaux", note_en="Works")
    with override("fr"):
        assert localized(obj, "note") == "Travaux"
    with override("en"):
        assert localized(obj, "note") == "Works"


def test_it_falls_back_to_french_when_the_english_text_is_missing() -> None:
    obj = SimpleNamespace(note_fr="Travaux", note_en="")
    with override("en"):
        assert localized(obj, "note") == "Travaux"
    with override("de"):
        assert localized(obj, "note") == "Travaux"
