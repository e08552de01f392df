"""What threading reads: number words, loose spellings of names, reactions, the term reader;
and the decisions they change: a toll headlined differently, a condemnation of the event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from classifiers import story_terms
from classifiers.stories import StoryParams, StoryThreader
from classifiers.story_terms import TermReader, is_reaction, loose_keys, numeral_value

from .test_stories import ABHA_1, DAMMAM_1, DAMMAM_2, FILLER, T0, article, stories_of


class TestNumberWords:
    @pytest.mark.parametrize(
        ("word", "value"),
        [("ثمانية", "8"), ("وثمانيةُ", "8"), ("بثلاثة", "3"), ("والعشرين", "20"), ("ستين", "60")],
    )
    def test_number_words_read_as_digits(self, word: str, value: str) -> None:
        assert numeral_value(word) == value

    @pytest.mark.parametrize("word", ["تسعى", "وتسعى", "عشرات", "ثلاثي", "الاربعينات", "وزير"])
    def test_words_sharing_a_stem_with_a_number_are_not_numbers(self, word: str) -> None:
        # «تسعى» (strives) has the stem of «تسع», «عشرات» (dozens) that of «عشر».
        assert numeral_value(word) is None

    def test_the_reader_gives_the_figure(self) -> None:
        terms = TermReader().terms("قتل ثمانية مسلحين وتسعى موسكو إلى عشرين", "ar", {})
        assert "8" in terms and "20" in terms and "9" not in terms


class TestLooseKeys:
    @pytest.mark.parametrize(
        ("one", "other"),
        [
            ("غروزني", "جروزني"),
            ("تاغيلوف", "تاجيلوف"),
            ("مايكروسوفت", "ميكروسوفت"),
            ("قبردين", "كاباردينو"),
        ],
    )
    def test_transliterations_share_a_loose_key(self, one: str, other: str) -> None:
        assert set(loose_keys(one)) & set(loose_keys(other))

    def test_short_words_get_none(self) -> None:
        # Three letters or fewer once vowels go: «يؤكد» and «يوجد» would meet.
        assert loose_keys("يؤكد") == () and loose_keys("يوجد") == ()
        assert loose_keys("2015") == () and loose_keys("putin") == ()


class TestReactions:
    @pytest.mark.parametrize(
        "title",
        [
            "مصر تدين تفجير الدمام",
            "الأزهر يستنكر التفجير",
            "روسيا تعرب عن تعازيها",
            "Egypt condemns",
        ],
    )
    def test_reaction_headlines(self, title: str) -> None:
        assert is_reaction(title)

    @pytest.mark.parametrize(
        "title", ["من دمّر عدن وتعز", "مقتل 5 في تفجير بالدمام", "ندوة الأديان"]
    )
    def test_other_headlines(self, title: str) -> None:
        # «تعز» (Taiz) shares the stem of «تعزي» (condoles): reactions are whole words.
        assert not is_reaction(title)


def test_reader_gives_the_same_terms_after_its_tables_turn_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "وصل وزير الخارجية بموسكو والتقى لافروف في موسكو وبحث مكافحة الإرهاب مع نظيره"
    df = {"موسكو": 3}
    fresh = TermReader().terms(text, "ar", df)
    monkeypatch.setattr(story_terms, "_TOKEN_TABLE", 4)
    reader = TermReader()
    for _ in range(3):
        assert reader.terms(text, "ar", df) == fresh
    assert "موسكو" in fresh and "بموسكو" not in fresh  # the counts chose the bare name


# A security operation headlined with different tolls: the first report's headline gives
# the 14 of an earlier count, its lede the six of this operation.
OPERATION_1 = (
    "مقتل 14 مسلحا في عملية أمنية بمدينة نالتشيك",
    "أعلنت أجهزة الأمن مقتل 14 مسلحا في عملية خاصة في مدينة نالتشيك عاصمة كاباردينو، "
    "وقالت اللجنة إن القوات قتلت ستة مسلحين تحصنوا في شقة بعد مفاوضات استمرت ساعات.",
)
OPERATION_2 = (
    "مقتل 6 مسلحين في عملية بنالتشيك",
    "قالت لجنة مكافحة الإرهاب الروسية إن قوات الأمن قتلت ستة أشخاص يشتبه بضلوعهم في جرائم "
    "إرهاب دولي في نالتشيك، بعدما رفضوا إلقاء السلاح وفتحوا النار على رجال الأمن.",
)


def operation_stream(first_text: str) -> list:
    """Filler news, then the two reports of the operation."""
    out = [article(f"f{i}", t, x, T0 + timedelta(minutes=i)) for i, (t, x) in enumerate(FILLER)]
    later = T0 + timedelta(hours=2)
    out.append(article("o1", OPERATION_1[0], first_text, later, "outlet1"))
    out.append(article("o2", *OPERATION_2, later + timedelta(hours=1), "outlet2"))
    return out


def test_a_toll_headlined_differently_joins_when_the_lede_gives_it() -> None:
    stories = stories_of(StoryThreader(), operation_stream(OPERATION_1[1]))
    assert stories["o2"] == "o1"


def test_a_toll_no_lede_reconciles_stays_apart() -> None:
    # Without the six in the first report, 14 against 6 is two operations' tolls.
    text = OPERATION_1[1].replace("ستة", "عشرات")
    stories = stories_of(StoryThreader(), operation_stream(text))
    assert stories["o2"] == "o2"


# A condemnation: its headline names who reacts, its first sentence the event, the rest is
# its own commentary, sharing few words with the reports.
CONDEMNATION_DAMMAM = (
    "مصر تدين بشدة التفجير الإرهابي في السعودية",
    "أدانت مصر بشدة التفجير الانتحاري الذي استهدف مسجد العنود في الدمام خلال صلاة الجمعة. "
    "وأكدت الخارجية المصرية في بيانها تضامنها الكامل مع المملكة حكومة وشعبا في مواجهة "
    "الإرهاب الأسود، مشددة على أن هذه الأعمال الجبانة لن تنال من عزيمة الشعوب، ومطالبة "
    "المجتمع الدولي بتكثيف الجهود لاجتثاث الفكر المتطرف وتجفيف منابع تمويله.",
)


def condemnation_stream() -> list:
    """Filler, the two bombings' first reports, a second Dammam report, the condemnation."""
    out = [article(f"f{i}", t, x, T0 + timedelta(minutes=i)) for i, (t, x) in enumerate(FILLER)]
    later = T0 + timedelta(hours=3)
    for i, (aid, (title, text)) in enumerate(
        [("d1", DAMMAM_1), ("a1", ABHA_1), ("d2", DAMMAM_2), ("c1", CONDEMNATION_DAMMAM)]
    ):
        out.append(article(aid, title, text, later + timedelta(minutes=20 * i), f"outlet{i}"))
    return out


def test_a_condemnation_joins_the_event_it_names() -> None:
    stories = stories_of(StoryThreader(), condemnation_stream())
    assert stories["c1"] == "d1"
    assert stories["a1"] == "a1"


def test_without_reading_reactions_the_condemnation_is_a_story_of_its_own() -> None:
    stories = stories_of(StoryThreader(params=StoryParams(reactions=False)), condemnation_stream())
    assert stories["c1"] == "c1"
