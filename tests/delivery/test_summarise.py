"""Summaries carry the news in the lead sentences, without boilerplate, about 300-400 chars."""

from __future__ import annotations

import random

import pytest

from bot.delivery.summarise import ELLIPSIS, clean_text, split_sentences, summarise

TITLE = "هجوم إلكتروني يستهدف وزارة الخارجية"
LEAD = (
    "أعلنت وزارة الخارجية، الأحد، أنها تعرضت لهجوم إلكتروني واسع استهدف أنظمة البريد "
    "الداخلي، وقالت إن مجموعة مرتبطة بتنظيم ISIS تبنت العملية."
)
SECOND = "وأضاف المتحدث د. أحمد علي أن الأضرار بلغت 3.5 مليون دولار؟"
THIRD = "وتواصل فرق الطوارئ عملها منذ صباح الأحد لاستعادة الخدمات المتضررة كافة في الوزارة."


def test_lead_sentences_after_a_repeated_headline() -> None:
    text = f"{TITLE}.\n{LEAD} {SECOND} {THIRD}"
    assert summarise(TITLE, text) == f"{LEAD} {SECOND}"


def test_a_long_lead_stands_alone() -> None:
    lead = "Officials in Washington said " + "the attack on the ministry was serious, " * 7
    lead = lead.rstrip(", ") + "."
    assert 250 < len(lead) <= 400
    assert summarise("Attack", f"{lead} Another sentence follows here today.") == lead


@pytest.mark.parametrize(
    "boilerplate",
    [
        "رابط الخبر: https://example.com/1",
        "رابط مختصر https://x.test/a",
        "اترك تعليقاً",
        "اترك تعليقا",
        "أترك تعليق",
        "اقرأ أيضاً: عنوان خبر آخر عن موضوع مختلف تماماً لا علاقة له بالخبر",
        "Read more »",
        "Read more: https://example.com",
        "Share this:",
        "شارك",
        "شارك الخبر",
        "تابعونا على تويتر وفيسبوك",
        "Your email address will not be published. Required fields are marked *",
        "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
        "Leave a Reply",
        "The post Hackers breach systems appeared first on Example News.",
        "By Jane Doe and John Roe, Reuters",
        "بقلم: محمد أحمد الصحفي في الجريدة",
        "آخر تحديث: 29 نوفمبر 2026 - 10:00 صباحاً",
        "Updated on 29 November 2026 at 10:00 GMT",
        "Photo: Getty Images via AFP News Agency",
    ],
)
def test_boilerplate_is_removed(boilerplate: str) -> None:
    summary = summarise(TITLE, f"{LEAD}\n{boilerplate}\n{THIRD}")
    assert boilerplate not in summary and LEAD in summary
    assert summarise(TITLE, f"{boilerplate}\n{LEAD}").startswith(LEAD)  # not taken as the lead
    assert boilerplate not in clean_text(f"{LEAD}\n{boilerplate}")


def test_trailing_read_more_is_cut_from_the_line() -> None:
    assert clean_text("Officials confirmed the breach. Read more »") == (
        "Officials confirmed the breach."
    )
    assert clean_text("Officials confirmed the breach [...]") == "Officials confirmed the breach"


def test_news_that_starts_like_a_share_prompt_is_kept() -> None:
    line = "شارك آلاف المتظاهرين في مسيرة حاشدة وسط العاصمة احتجاجاً على القرار الحكومي الأخير."
    assert summarise("مسيرة", line) == line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. Treasury said so. Then it stopped.",
            ["The U.S. Treasury said so.", "Then it stopped."],
        ),
        (
            "Losses reached 3.5 million. Police came.",
            ["Losses reached 3.5 million.", "Police came."],
        ),
        ("Dr. Smith spoke. John F. Kennedy died.", ["Dr. Smith spoke.", "John F. Kennedy died."]),
        ("هل انتهى؟ نعم؛ انتهى. حقاً!", ["هل انتهى؟", "نعم؛", "انتهى.", "حقاً!"]),
        ("قال د. أحمد إن النسبة 2.5 بالمئة.", ["قال د. أحمد إن النسبة 2.5 بالمئة."]),
        ("«انتهت المعركة.» وعاد الهدوء.", ["«انتهت المعركة.»", "وعاد الهدوء."]),
        ("line one\nline two", ["line one", "line two"]),
        ("Wait... what happened?", ["Wait...", "what happened?"]),
    ],
)
def test_sentence_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_never_cuts_mid_word() -> None:
    words = [f"كلمة{i}" for i in range(200)]
    summary = summarise("عنوان", " ".join(words))
    assert summary.endswith(ELLIPSIS) and 300 <= len(summary) <= 400
    assert summary.removesuffix(ELLIPSIS).split()[-1] in words


def test_nothing_to_say() -> None:
    assert summarise(TITLE, "") == ""
    assert summarise(TITLE, TITLE) == ""
    assert summarise(TITLE, "اترك تعليقاً\nشارك") == ""


def test_semicolon_clause_ends_with_an_ellipsis() -> None:
    short = "قصف مدفعي على المدينة؛"
    assert summarise("عنوان مختلف", short).endswith(ELLIPSIS)


WORDS = [
    "هجوم",
    "إلكتروني",
    "ISIS",
    "2025",
    "U.S.",
    "3.5",
    "😀",
    "𝔘𝔫𝔦",
    "Microsoft",
    "الخارجية",
    "attack",
    "«قال»",
    "e.g.",
    "د.",
    "&",
    "<b>",
    "news",
]
PUNCT = ["", "", "", ".", "!", "؟", "؛", "\n", ",", "،"]


@pytest.mark.parametrize("seed", range(40))
def test_random_text_keeps_bounds_and_words(seed: int) -> None:
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) + rng.choice(PUNCT) for _ in range(rng.randint(0, 300)))
    summary = summarise("عنوان الخبر", text)
    assert len(summary) <= 400
    source_words = set(clean_text(text).split())
    kept = summary.removesuffix(ELLIPSIS).split()
    # Every word but a cut last one comes from the text unchanged (publisher's spelling).
    assert all(w in source_words for w in kept[:-1])
