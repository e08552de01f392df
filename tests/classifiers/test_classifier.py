"""What the built-in topics catch and what they leave alone, with readable evidence.

The texts are written for these tests (never copied from publishers); each negative one
names a case the topic definitions exclude.
"""

from __future__ import annotations

import pytest

from classifiers import Classification, Classifier, Topic, explain, topic_from_dict
from classifiers.topics import without_exclusion

TERRORISM = "terrorism"
CYBER = "cybersecurity"
ARAB_RUSSIA = "arab_russia_diplomacy"

POSITIVE = [
    (
        "مقتل قيادي في تنظيم القاعدة بغارة",
        "أعلن الجيش مقتل قيادي بارز في تنظيم القاعدة في غارة جوية، وقال إن القيادي كان "
        "مسؤولا عن تجنيد المقاتلين والتخطيط لهجمات إرهابية.",
        {TERRORISM},
    ),
    (
        "تفكيك خلايا نائمة تابعة لداعش",
        "أعلنت وزارة الداخلية تفكيك خلايا نائمة تابعة لتنظيم داعش كانت تخطط لهجمات إرهابية.",
        {TERRORISM},
    ),
    (
        "البرلمان يقر قانونا جديدا لمكافحة الإرهاب",
        "أقر البرلمان قانونا جديدا لمكافحة الإرهاب وتمويله يشدد العقوبات على المتورطين في "
        "التجنيد عبر الإنترنت.",
        {TERRORISM},
    ),
    (
        "Court sentences ISIS recruiter to 20 years",
        "A court sentenced a man who recruited fighters online for the Islamic State group.",
        {TERRORISM},
    ),
    (
        "Attentat à la bombe revendiqué par l'État islamique",
        "Un attentat suicide a fait douze morts ; le groupe djihadiste État islamique a "
        "revendiqué l'attaque.",
        {TERRORISM},
    ),
    (
        "هاكر يخترق حساب وزارة الصحة على تويتر",
        "تمكن قراصنة من اختراق حساب الوزارة على تويتر ونشروا رسائل مسيئة، وأكدت الوزارة أنها "
        "استعادت السيطرة على الحساب وفتحت تحقيقا في الهجوم الإلكتروني.",
        {CYBER},
    ),
    (
        "Une cyberattaque paralyse un hôpital",
        "Un rançongiciel a chiffré les données de l'hôpital ; les pirates informatiques "
        "réclament une rançon.",
        {CYBER},
    ),
    (
        "Ransomware gang leaks patient records after hospital refuses to pay",
        "The hackers exploited an unpatched vulnerability and stole data on 2 million patients.",
        {CYBER},
    ),
    (
        "Lavrov meets Egyptian counterpart in Moscow",
        "Russian Foreign Minister Sergei Lavrov held talks with Egypt's foreign minister on "
        "Gaza and Sudan.",
        {ARAB_RUSSIA},
    ),
    (
        "بوتين يستقبل ولي العهد السعودي في الكرملين",
        "استقبل الرئيس الروسي فلاديمير بوتين ولي العهد السعودي الأمير محمد بن سلمان في "
        "الكرملين، وبحث الجانبان العلاقات الثنائية والأوضاع في سوريا.",
        {ARAB_RUSSIA},
    ),
    (
        "Qatar brokers prisoner swap between Russia and Ukraine",
        "Qatari mediation secured the release of dozens of prisoners, Russia's foreign "
        "ministry said.",
        {ARAB_RUSSIA},
    ),
    (
        "Sergueï Lavrov en visite officielle en Algérie",
        "Le ministre russe des affaires étrangères a rencontré son homologue algérien pour "
        "renforcer la coopération.",
        {ARAB_RUSSIA},
    ),
    (
        "موسكو تدين الهجوم الإرهابي على مسجد في الرياض",
        "أدانت الخارجية الروسية في بيان الهجوم الإرهابي الذي استهدف مسجدا في الرياض، وقدمت "
        "تعازيها إلى المملكة العربية السعودية مؤكدة استعدادها للتعاون في مكافحة الإرهاب.",
        {TERRORISM, ARAB_RUSSIA},
    ),
]

NEGATIVE = [
    (
        "horror film (ar)",
        "«ليلة الرعب» فيلم رعب جديد يتصدر شباك التذاكر",
        "يروي فيلم رعب الموسم قصة عائلة تطاردها أشباح في منزل قديم، ويصف المخرج مشاهد الهجوم "
        "الإرهابي المتخيل على القرية بأنها الأكثر إثارة في أفلام الرعب هذا العام.",
        TERRORISM,
    ),
    (
        "horror film (en)",
        "Review: a horror film that makes terror feel close",
        "The horror film follows a family hunted by a masked killer; its terrorist attack scene "
        "is the most frightening moment of the year's horror movie season.",
        TERRORISM,
    ),
    (
        "«القاعدة» as a rule",
        "القاعدة الذهبية للاستثمار في الأسهم",
        "ينصح الخبراء بالالتزام بالقاعدة الذهبية: لا تضع كل أموالك في سهم واحد. وتبقى القاعدة "
        "الأساسية أن التنويع يحمي المستثمر من هجوم البائعين المفاجئ على السوق.",
        TERRORISM,
    ),
    (
        "«القاعدة» as a base",
        "وصول تعزيزات إلى القاعدة العسكرية",
        "وصلت تعزيزات إلى القاعدة العسكرية شمال البلاد بعد هجوم صاروخي استهدف محيط القاعدة "
        "الجوية، وفق بيان للجيش.",
        TERRORISM,
    ),
    (
        "stem cells",
        "حملة للتبرع بالخلايا الجذعية",
        "أطلقت وزارة الصحة حملة وطنية للتبرع بالخلايا الجذعية لعلاج مرضى سرطان الدم، وأكد "
        "الأطباء أن الخلايا الجذعية تهاجم الخلايا السرطانية وتساعد على تجديد نخاع العظم.",
        TERRORISM,
    ),
    (
        "hoax",
        "Man jailed for false bomb threat on flight",
        "A man who claimed there was a terrorist on board was jailed; police said the false "
        "alarm was a hoax.",
        TERRORISM,
    ),
    (
        "war between states",
        "Kyiv says Russian missile strike was a terrorist act",
        "Ukraine said a Russian missile strike on an apartment block was a terrorist act; Russia "
        "said it targeted military sites with drones and missiles.",
        TERRORISM,
    ),
    (
        "kidnapping gang",
        "الشرطة تطيح بعصابة خطف في العاصمة",
        "أطاحت الشرطة بعصابة متخصصة في خطف الأطفال وطلب الفدية، وضبطت أسلحة بحوزة أفراد العصابة.",
        TERRORISM,
    ),
    (
        "political attacks",
        "Trump attacks Biden over border policy",
        "Donald Trump attacked Joe Biden in a speech on Tuesday, renewing his attack on the "
        "administration's record.",
        TERRORISM,
    ),
    (
        "«هجوم» in football",
        "الهلال يكتسح الاتحاد بثلاثية في مباراة قوية",
        "قاد خط الهجوم الهلالي فريقه إلى فوز كبير، وشن الفريق هجوما متواصلا طوال المباراة.",
        TERRORISM,
    ),
    (
        "gas explosion",
        "انفجار أسطوانة غاز يصيب 4 أشخاص في مطعم",
        "أصيب أربعة أشخاص إثر انفجار أسطوانة غاز داخل مطعم، وأوضح الدفاع المدني أن الانفجار "
        "نتج عن تسرب غاز.",
        TERRORISM,
    ),
    (
        "«اختراق» as a breakthrough",
        "اختراق علمي في علاج السكري",
        "حقق فريق من الباحثين اختراقا علميا في علاج مرض السكري، إذ تمكنوا من تطوير خلايا تفرز "
        "الإنسولين. ووصف الأطباء الإنجاز بأنه اختراق طبي طال انتظاره.",
        CYBER,
    ),
    (
        "«اختراق» as infiltration",
        "الجيش يمنع اختراق الحدود",
        "أحبطت قوات حرس الحدود محاولة اختراق الحدود الشمالية من قبل مهربين، وقال المتحدث إن "
        "الدوريات منعت اختراق الحدود للمرة الثالثة هذا الشهر.",
        CYBER,
    ),
    (
        "product leak (ar)",
        "تسريب صور هاتف سامسونج الجديد قبل إطلاقه",
        "كشفت تسريبات جديدة عن تصميم الهاتف المرتقب، وأظهرت الصور المسربة كاميرا ثلاثية وشاشة "
        "أكبر، بحسب موقع متخصص في تسريبات الهواتف.",
        CYBER,
    ),
    (
        "product leak (en)",
        "New phone design leaked ahead of launch",
        "Leaked images of the new phone show a larger camera; the leaked renders come from a "
        "well-known tipster.",
        CYBER,
    ),
    (
        "biological virus (ar)",
        "ارتفاع إصابات فيروس كورونا في المدينة",
        "سجلت وزارة الصحة ارتفاعا في إصابات فيروس كورونا، ودعت إلى تلقي اللقاح، مؤكدة أن "
        "الفيروس ينتشر بسرعة بين كبار السن.",
        CYBER,
    ),
    (
        "biological virus (en)",
        "Flu virus cases rise as winter begins",
        "Health officials said the flu virus is spreading quickly; a virus infection can be "
        "serious for older people, and HIV patients should get vaccinated.",
        CYBER,
    ),
    (
        "film and song piracy",
        "حملة على قرصنة الأفلام والأغاني",
        "أطلقت الوزارة حملة لمكافحة قرصنة الأفلام وقرصنة الأغاني على المواقع غير المرخصة.",
        CYBER,
    ),
    (
        "cyberbullying",
        "حملة مدرسية ضد التنمر الإلكتروني",
        "أطلقت المدارس حملة للتوعية بمخاطر التنمر الإلكتروني بين الطلاب عبر الإنترنت.",
        CYBER,
    ),
    (
        "e-commerce without a security angle",
        "نمو التجارة الإلكترونية في المملكة",
        "ارتفعت مبيعات التجارة الإلكترونية بنسبة 20 في المئة، مع توسع خدمات الحكومة "
        "الإلكترونية والدفع الرقمي.",
        CYBER,
    ),
    (
        "Russia–Ukraine without an Arab party",
        "Putin and Zelensky envoys hold talks in Istanbul",
        "Russian and Ukrainian delegations met in Istanbul for talks on a prisoner exchange, "
        "the Kremlin said.",
        ARAB_RUSSIA,
    ),
    (
        "an Arab city as a mere venue",
        "Russia shows new fighter jet at Dubai Airshow",
        "Russia displayed its latest fighter jet at the Dubai Airshow as it seeks buyers "
        "despite Western sanctions.",
        ARAB_RUSSIA,
    ),
    (
        "Arab–US diplomacy without Russia",
        "Blinken visits Riyadh for talks with Saudi crown prince",
        "The US secretary of state met Mohammed bin Salman to discuss Gaza and normalisation.",
        ARAB_RUSSIA,
    ),
    (
        "oil-market piece",
        "Saudi Arabia and Russia extend OPEC+ output cuts",
        "Saudi Arabia and Russia said they would extend voluntary production cuts under the "
        "OPEC+ agreement to support oil prices.",
        ARAB_RUSSIA,
    ),
]


@pytest.mark.parametrize(("title", "text", "expected"), POSITIVE, ids=lambda x: str(x)[:30])
def test_tags_what_the_definitions_include(
    classifier: Classifier, title: str, text: str, expected: set[str]
) -> None:
    assert set(classifier.classify(title, text).topics) == expected


@pytest.mark.parametrize(("case", "title", "text", "topic"), NEGATIVE, ids=[n[0] for n in NEGATIVE])
def test_leaves_what_the_definitions_exclude(
    classifier: Classifier, case: str, title: str, text: str, topic: str
) -> None:
    assert topic not in classifier.classify(title, text).topics, case


@pytest.mark.parametrize(
    ("topic_id", "surface", "title", "text"),
    [
        (TERRORISM, "بالخلايا الجذعية", "حملة للتبرع بالخلايا الجذعية", "التبرع بالخلايا الجذعية."),
        (TERRORISM, "horror film", "A horror film", "The horror film opens on Friday."),
        (CYBER, "اختراق علمي", "اختراق علمي", "حقق الفريق اختراقا علميا في علاج السكري."),
        (CYBER, "فيروس كورونا", "فيروس كورونا", "انتشار فيروس كورونا في المدينة."),
        (CYBER, "تسريب صور", "تسريب صور الهاتف", "تسريب صور الهاتف الجديد."),
    ],
)
def test_exclusions_show_what_they_cancelled(
    classifier: Classifier, topic_id: str, surface: str, title: str, text: str
) -> None:
    result = classifier.classify(title, text).result(topic_id)
    # The exclusion is shown as the publisher wrote it, where it was found.
    assert f"{surface} (title)" in result.excluded
    assert result.score < 0


def test_an_exclusion_is_what_keeps_a_story_out(topics: list[Topic]) -> None:
    title = "Jihadist drama hits cinemas"
    text = "The horror film about a terrorist cell recruiting online."
    assert TERRORISM not in Classifier(topics).classify(title, text).topics
    loosened = [
        without_exclusion(t, "horror film", "en") if t.id == TERRORISM else t for t in topics
    ]
    assert TERRORISM in Classifier(loosened).classify(title, text).topics


def test_a_passing_mention_deep_in_the_body_is_not_enough(classifier: Classifier) -> None:
    filler = " ".join(["وأضاف المتحدث أن الموسم الزراعي كان جيدا هذا العام"] * 6)
    text = f"{filler}. وفي سياق آخر أعلنت الشرطة القبض على عنصرين من داعش."
    assert TERRORISM not in classifier.classify("محصول القمح يرتفع", text).topics
    assert TERRORISM in classifier.classify("القبض على عنصرين من داعش", text).topics


def test_arab_russia_needs_the_three_groups_close_together(classifier: Classifier) -> None:
    far = (
        "Russia held naval drills in the Baltic Sea on Monday. "
        + "The exercise involved dozens of ships and aircraft over several days. " * 3
        + "Separately, Egypt opened a new port. Talks on trade continue."
    )
    result = classifier.classify("Naval drills", far).result(ARAB_RUSSIA)
    assert not result.matched
    assert result.missing == ("all groups within 20 words",)


def test_missing_groups_are_named(classifier: Classifier) -> None:
    result = classifier.classify("Putin meets Zelensky envoy", "Talks in Istanbul.")
    assert result.result(ARAB_RUSSIA).missing == ("arab",)


class TestEvidence:
    def test_evidence_keeps_the_publishers_spelling_and_field(self, classifier: Classifier) -> None:
        result = classifier.classify(
            "إدانة واسعة للهجوم الإرهابـي", "وأدان الوزراء الإرهابَ بكل أشكاله، ودعوا إلى مكافحته."
        ).result(TERRORISM)
        assert "الإرهابـي (title)" in result.evidence
        assert "الإرهابَ (body)" in result.evidence

    def test_repeated_evidence_is_counted(self, classifier: Classifier) -> None:
        result = classifier.classify("", "Terrorism, terrorism and terrorism again.", "en")
        assert result.result(TERRORISM).evidence == ("Terrorism (body)", "terrorism (body ×2)")

    def test_a_phrase_is_evidence_once(self, classifier: Classifier) -> None:
        result = classifier.classify("انفجار سيارة مفخخة قرب السوق", "").result(TERRORISM)
        assert "سيارة مفخخة (title)" in result.evidence
        assert "مفخخة (title)" not in result.evidence

    def test_clitic_forms_match(self, classifier: Classifier) -> None:
        result = classifier.classify("", "اجتماع بموسكو بين وزيري خارجية روسيا والسعودية", "ar")
        assert "بموسكو (body)" in result.result(ARAB_RUSSIA).evidence

    def test_explain_is_readable(self, classifier: Classifier) -> None:
        text = explain(classifier.classify("Lavrov meets Egyptian counterpart in Moscow", ""))
        assert "YES arab_russia_diplomacy" in text
        assert "Lavrov (title)" in text
        assert "no  terrorism" in text
        assert text.splitlines()[-1] == "topics: arab_russia_diplomacy"


class TestClassification:
    def test_one_result_per_topic_in_order(self, classifier: Classifier) -> None:
        result = classifier.classify("", "")
        assert [r.topic for r in result.results] == [TERRORISM, CYBER, ARAB_RUSSIA]
        assert result.topics == ()
        assert result.language is None

    def test_language_is_detected_or_taken(self, classifier: Classifier) -> None:
        assert classifier.classify("Hackers", "The hackers were arrested.").language == "en"
        assert classifier.classify("x", "y", lang="fr").language == "fr"

    def test_result_lookup(self, classifier: Classifier) -> None:
        result = classifier.classify("", "")
        assert result.result(CYBER).threshold == 5.5
        with pytest.raises(KeyError):
            result.result("sport")

    def test_is_frozen(self, classifier: Classifier) -> None:
        result: Classification = classifier.classify("", "")
        with pytest.raises(AttributeError):
            result.language = "ar"  # type: ignore[misc]


class TestCustomTopics:
    def test_a_term_for_any_language(self) -> None:
        topic = topic_from_dict({"id": "apt", "threshold": 2, "terms": {"any": {"APT28": 2}}})
        classifier = Classifier([topic])
        assert classifier.classify("", "APT28 strikes again", "en").topics == ("apt",)
        assert classifier.classify("", "هجوم جديد لمجموعة APT28", "ar").topics == ("apt",)

    def test_other_languages_only_with_their_own_terms(self) -> None:
        topic = topic_from_dict(
            {"id": "floods", "threshold": 1, "terms": {"en": {"flood": 1}, "de": {"Hochwasser": 1}}}
        )
        classifier = Classifier([topic])
        assert classifier.classify("", "Hochwasser in Bayern", "de").topics == ("floods",)
        assert classifier.classify("", "flood in Bavaria", "de").topics == ()

    def test_duplicate_topic_ids_are_refused(self, topics: list[Topic]) -> None:
        with pytest.raises(ValueError, match="distinct"):
            Classifier([topics[0], topics[0]])

    def test_title_weight_counts(self) -> None:
        topic = topic_from_dict({"id": "t", "threshold": 2, "terms": {"en": {"storm": 1}}})
        classifier = Classifier([topic])
        assert classifier.classify("Storm", "", "en").topics == ("t",)
        assert classifier.classify("", "Storm", "en").topics == ()


def test_search_text_from_classification_equals_normalise_for_search() -> None:
    from classifiers import Classifier, load_topics_toml, normalise_for_search
    from config import TOPICS_FILE

    classifier = Classifier(load_topics_toml(TOPICS_FILE.read_text(encoding="utf-8")))
    title = "بموسكو: لافروف يستقبل وزير الخارجية السعودي"
    text = "بحث الجانبان مكافحة الإرهاب والأمن السيبراني، وقالت Reuters إن اللقاء كان مثمراً."
    result, search_text = classifier.classify_for_index(title, text)
    assert search_text == normalise_for_search(f"{title}\n{text}", result.language)
    assert result == classifier.classify(title, text)
