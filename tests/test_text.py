"""Polish search and sort keys."""

import unicodedata

import pytest

from forum_crm import text as text_module
from forum_crm.text import fold, polish_sort_key


@pytest.mark.parametrize(("typed", "stored"), [
    ("lodz", "Łódź"), ("LODZ", "łódź"), ("gorzow wielkopolski", "Gorzów Wielkopolski"), ("zolw", "Żółw"),
    ("sroda", "Środa"), ("  Nowy   Sącz ", "nowy sacz"),
])
def test_fold_ignores_case_diacritics_and_extra_spaces(typed, stored):
    assert fold(typed) == fold(stored)


def test_fold_keeps_cyrillic_letters_and_folds_their_case():
    assert fold("КИЇВ") == fold("Київ")
    assert fold("Київ").startswith("ки")


def test_polish_alphabetical_order():
    words = ["Żary", "Zabrze", "Łomża", "Lublin", "Śrem", "Szczecin", "Ćmielów", "Czersk", "Źródła",
             "Ósemka", "Ostrów", "Ząbki", "Łódź", "Luboń", "Ewa", "Éclair", "Київ"]
    expected = ["Czersk", "Ćmielów", "Éclair", "Ewa", "Lublin", "Luboń", "Łomża", "Łódź", "Ostrów",
                "Ósemka", "Szczecin", "Śrem", "Zabrze", "Ząbki", "Źródła", "Żary", "Київ"]
    assert sorted(words, key=polish_sort_key) == expected


def test_sort_key_orders_shorter_word_first_and_ignores_punctuation():
    assert polish_sort_key("Nowak Anna") < polish_sort_key("Nowakowska Ewa")
    assert polish_sort_key("„Most”") == polish_sort_key("most")


def test_sort_key_is_lower_case_ascii_so_every_collation_agrees():
    key = polish_sort_key("Żółć Київ 12")
    assert key.isascii() and key.isalpha() and key == key.lower()


def test_fold_of_ascii_text_is_what_the_full_folding_gives():
    every_ascii = "".join(map(chr, range(128)))
    for text in (every_ascii, every_ascii[::-1], "  Anna   KOWALSKA\t", "ANNA@Fundacja.ORG.pl", "a\x0bb\x1fc"):
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        assert fold(text) == " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def folded_whole(text: str) -> str:
    """Folding as defined: the whole text casefolded, strokes replaced, decomposed, combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(text_module._UNDECOMPOSABLE))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def test_fold_character_by_character_is_folding_the_whole_text(monkeypatch):
    # Latin with accents and strokes, combining marks alone, Greek (final sigma), Cyrillic, ligatures, the Turkish
    # dotted I, spaces of other widths, a musical symbol that decomposes into combining marks, Hangul, an emoji.
    characters = ([chr(point) for point in range(0xA0, 0x530)]
                  + list("\u0130\u1e9e\ufb01\u2003\u3000\U0001d15e\uac00\U0001f600"))
    texts = ["".join(characters), "".join(reversed(characters)), "Żaneta  Ślęzak-Źdźbło", "ΣΊΣΥΦΟΣ ὈΔΥΣΣΕΎΣ",
             "e\u0301 \u0301a", "Ǆemal Đorđević", "Straße Æsir Øresund"]
    for text in texts:
        assert fold(text) == folded_whole(text), text
    monkeypatch.setattr(text_module, "FOLDED_KEPT", 0)  # past its bound the table works out each character anew
    monkeypatch.setattr(text_module, "_FOLDED", text_module._FoldedCharacters())
    assert fold(texts[0]) == folded_whole(texts[0]) and not text_module._FOLDED
