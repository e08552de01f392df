"""Every camel_tools function Marsad calls works in the lean install (no torch)."""

from __future__ import annotations

from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.charmap import CharMapper
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)


def test_unicode_normalisation_folds_presentation_forms() -> None:
    assert normalize_unicode("\ufefb") == "\u0644\u0627"  # lam-alef ligature


def test_dediacritisation_and_letter_folding() -> None:
    assert dediac_ar("الإِرْهَابُ") == "الإرهاب"
    assert normalize_alef_ar("إأآا") == "اااا"
    assert normalize_alef_maksura_ar("مستشفى") == "مستشفي"
    assert normalize_teh_marbuta_ar("مدينة") == "مدينه"


def test_charmap_and_tokeniser() -> None:
    mapper = CharMapper({"\u0640": ""})  # tatweel, which dediac_ar leaves in place
    assert mapper.map_string("إرهــاب") == "إرهاب"
    assert simple_word_tokenize("هجوم، في 2025!") == ["هجوم", "،", "في", "2025", "!"]
