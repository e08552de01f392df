"""Normalisation, stemming, tokenisation and language identification."""

from __future__ import annotations

import random

import pytest
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

from classifiers import detect_language, normalise_for_search, query_alternatives, text
from classifiers.text import (
    analyse,
    fold_arabic,
    fold_latin,
    key_tokens,
    phrase_keys,
    stem_arabic,
    token_keys,
    token_spans,
)


def key(word: str, lang: str = "ar") -> str:
    """The matching key of one word."""
    return token_keys(word, lang)[0]


class TestArabicFolding:
    def test_dediacritises(self) -> None:
        assert fold_arabic("الإِرْهَابُ") == "الارهاب"

    def test_removes_tatweel_that_dediac_leaves(self) -> None:
        assert fold_arabic("إرهـــاب") == "ارهاب"

    @pytest.mark.parametrize("word", ["أمن", "إمن", "آمن", "ٱمن"])
    def test_folds_alef_variants(self, word: str) -> None:
        assert fold_arabic(word) == "امن"

    def test_folds_alef_maksura_and_teh_marbuta(self) -> None:
        assert fold_arabic("مستشفى") == "مستشفي"
        assert fold_arabic("الجامعة") == "الجامعه"

    def test_expands_presentation_forms(self) -> None:
        # NFKC through camel-tools: isolated presentation forms become ordinary letters.
        assert fold_arabic("ﺍﻟﺤﻮﺛﻴﻴﻦ") == "الحوثيين"

    def test_spells_out_the_rial_sign_as_camel_tools_does(self) -> None:
        assert fold_arabic("\ufdfc") == "ريال"

    def test_same_as_the_camel_tools_chain(self) -> None:
        # The one-table fold must give what the camel-tools functions give, one by one,
        # on every character of the Arabic blocks and on mixed tokens of them.
        chain = [dediac_ar, normalize_alef_ar, normalize_alef_maksura_ar, normalize_teh_marbuta_ar]
        chars = [chr(c) for c in [*range(0x0600, 0x0700), *range(0xFB50, 0xFF00)]]
        rng = random.Random(5)
        tokens = chars + ["".join(rng.choices(chars, k=rng.randint(2, 7))) for _ in range(3000)]
        for token in tokens:
            expected = normalize_unicode(token)
            for step in chain:
                expected = step(expected)
            expected = "".join(expected.replace("\u0640", "").split())
            assert fold_arabic(token) == expected, token


class TestArabicStemming:
    @pytest.mark.parametrize(
        "word",
        [
            "إرهاب",
            "الإرهاب",
            "للإرهاب",
            "والإرهابيين",
            "الإرهابية",
            "بالإرهاب",
            "إرهابيون",
            "إرهابياً",
        ],
    )
    def test_clitics_and_suffixes_reach_the_stem(self, word: str) -> None:
        assert key(word) == "ارهاب"

    def test_the_article_is_not_stripped_from_a_two_letter_rest(self) -> None:
        assert stem_arabic("الا") == "الا"

    def test_short_words_keep_their_letters(self) -> None:
        assert stem_arabic("بيان") == "بيان"

    def test_one_letter_proclitic_gives_an_alternative_key(self) -> None:
        assert token_keys("بموسكو", "ar") == ("بموسكو", "موسكو")
        assert token_keys("لروسيا", "ar")[1] == "روس"

    def test_no_alternative_after_the_article(self) -> None:
        assert token_keys("للإرهاب", "ar") == ("ارهاب", None)

    def test_country_and_adjective_share_a_stem(self) -> None:
        assert key("روسيا") == key("الروسية") == key("الروسي")


class TestLatin:
    def test_casefolds_and_strips_accents(self) -> None:
        assert fold_latin("Cybersécurité") == "cybersecurite"

    def test_english_stemming(self) -> None:
        assert key("attacks", "en") == key("attack", "en")
        assert key("Hacked", "en") == key("hacking", "en")

    def test_french_stemming(self) -> None:
        assert key("attentats", "fr") == key("attentat", "fr")

    def test_phrases_split_on_hyphens_and_apostrophes(self) -> None:
        assert phrase_keys("al-Qaeda", "en") == ("al", "qaeda")
        assert phrase_keys("l'État islamique", "fr")[0] == "l"


class TestTokens:
    def test_spans_point_at_the_publishers_spelling(self) -> None:
        text = "قال: «الإرهـابُ» مرفوض"
        tokens = analyse(text, "ar")
        assert [text[t.start : t.end] for t in tokens] == ["قال", "الإرهـابُ", "مرفوض"]
        assert tokens[1].key == "ارهاب"

    def test_punctuation_is_not_a_token(self) -> None:
        assert analyse("«»، . !?", "ar") == []

    def test_a_token_of_marks_alone_is_dropped_and_spans_stay_aligned(self) -> None:
        text = "هجوم ـــ َ إرهابي"  # a stretch of tatweel and a lone fatha have no key
        keyed = key_tokens(text, "ar")
        spans = token_spans(text, "ar", len(keyed.keys))
        assert [text[a:b] for a, b in spans] == ["هجوم", "إرهابي"]
        assert keyed.keys == ["هجوم", "ارهاب"]
        assert keyed.search == normalise_for_search(text, "ar") == "هجوم ارهاب"

    def test_tokens_read_alike_after_the_table_turns_over(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A tiny table turns over every few tokens: tokens kept from the older generation
        # and tokens analysed again must give the keys a fresh analysis gives.
        sentence = "وصل الوزير بموسكو والتقى لافروف في موسكو لبحث الإرهاب والأمن السيبراني"
        text.clear_caches()
        fresh = key_tokens(sentence, "ar")
        monkeypatch.setattr(text, "_CACHE_LIMIT", 3)
        text.clear_caches()
        for _ in range(3):
            assert key_tokens(sentence, "ar") == fresh
            assert key_tokens(" ".join(reversed(sentence.split())), "ar").keys == list(
                reversed(fresh.keys)
            )
        assert "en" in text._older  # the table did turn over
        text.clear_caches()

    def test_search_form_carries_the_alternative_key(self) -> None:
        keyed = key_tokens("بموسكو", "ar")
        assert keyed.alts == ["موسكو"]
        assert keyed.search == f"{keyed.keys[0]} موسكو"


class TestLanguage:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("أعلنت وزارة الداخلية أن الهجوم وقع في العاصمة", "ar"),
            ("The ministry said the attack happened in the capital on Monday", "en"),
            ("Le ministère a indiqué que l'attaque a eu lieu dans la capitale", "fr"),
            ("", None),
            ("12345 678", None),
            ("Das Ministerium teilte mit, dass der Angriff gestern stattfand", None),
        ],
    )
    def test_detects(self, text: str, lang: str | None) -> None:
        assert detect_language(text) == lang

    def test_arabic_with_latin_names_stays_arabic(self) -> None:
        assert (
            detect_language("شركة Microsoft تطلق تحديث Windows الأمني في الولايات المتحدة") == "ar"
        )

    def test_persian_is_not_arabic(self) -> None:
        persian = (
            "وزارت امور خارجه ایران روز دوشنبه اعلام کرد که گفتگوها ادامه خواهد یافت و نتیجه خوبی"
        )
        assert detect_language(persian) is None


class TestSearchNormalisation:
    def test_documents_and_queries_meet_on_stems(self) -> None:
        doc = normalise_for_search("وأدان المجلس الهجمات الإرهابية في بغداد").split()
        assert normalise_for_search("إرهاب") in doc

    def test_clitic_alternative_is_indexed(self) -> None:
        assert "موسكو" in normalise_for_search("وصل الوفد بموسكو").split()

    def test_query_alternatives(self) -> None:
        assert query_alternatives("بموسكو") == [("بموسكو", "موسكو")]

    def test_latin_uses_the_language_stemmer(self) -> None:
        assert normalise_for_search("Terrorist attacks", "en") == "terrorist attack"
        assert normalise_for_search("Attentats terroristes", "fr") == "attentat terror"
