"""One alert per story: several outlets reporting one event send one message."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers.rss import Item
from tests.telegram.conftest import START, Newsroom

USER = 2001


def report(n: int, host: str, title: str, text: str, minutes: int) -> Item:
    """One outlet's report, published `minutes` after the newsroom's start."""
    return Item(
        f"s{n}", title, text, f"https://{host}/news/{n}", START + timedelta(minutes=minutes)
    )


BOMBING = (
    report(
        1,
        "okaz.example",
        "تفجير إرهابي يستهدف مسجدا في مدينة أبها وداعش يتبنى الهجوم",
        "استهدف تفجير إرهابي مسجدا في مدينة أبها جنوب المملكة، وأعلن تنظيم داعش الإرهابي "
        "مسؤوليته عن الهجوم الذي أسفر عن مقتل 15 شخصا.",
        1,
    ),
    report(
        2,
        "alriyadh.example",
        "داعش يتبنى تفجير مسجد أبها الإرهابي ومقتل 15",
        "تبنى تنظيم داعش الإرهابي التفجير الذي استهدف مسجدا في أبها وأدى إلى مقتل 15 شخصا، "
        "فيما أدانت الحكومة الهجوم الإرهابي.",
        3,
    ),
    report(
        3,
        "alwatan.example",
        "مقتل 15 في تفجير إرهابي بمسجد في أبها تبناه تنظيم داعش",
        "قتل 15 شخصا في تفجير إرهابي استهدف مسجدا في مدينة أبها، وأعلن تنظيم داعش مسؤوليته "
        "عن الهجوم الإرهابي.",
        5,
    ),
)
KIDNAPPING = report(
    4,
    "okaz.example",
    "خلية إرهابية تخطف رهائن في ميناء جدة وقوات الأمن تطوق الموقع",
    "اختطفت خلية إرهابية مسلحة ثلاثة رهائن في ميناء جدة الإسلامي، وطوقت قوات الأمن الموقع "
    "بعد تبادل لإطلاق النار مع الإرهابيين.",
    7,
)


async def test_several_outlets_send_one_message_and_a_second_event_its_own(
    newsroom: Newsroom,
) -> None:
    await newsroom.command("/subscribe terrorism", USER, language_code="ar")

    await newsroom.publish(*BOMBING)
    [alert] = newsroom.api.sent_to(USER)[1:]
    assert BOMBING[0].title in alert.plain_text

    await newsroom.publish(*BOMBING, KIDNAPPING)
    [_, second] = newsroom.api.sent_to(USER)[1:]
    assert KIDNAPPING.title in second.plain_text
