"""Feeds generated for tests: small Arabic news items, RSS and Atom, any encoding."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

ARABIC_ITEMS = (
    (
        "وزارة الصحة تعلن افتتاح مستشفى جديد في المدينة",
        "<p>أعلنت وزارة الصحة صباح اليوم افتتاح مستشفى جديد يضم مئتي سرير.</p>"
        "<p>وقال المتحدث باسم الوزارة إن المستشفى سيخدم سكان الأحياء الشمالية.</p>",
    ),
    (
        "ارتفاع أسعار القمح في الأسواق العالمية",
        "<p>ارتفعت أسعار القمح للأسبوع الثالث على التوالي بسبب موجة الجفاف.</p>",
    ),
    (
        "مُنتخب الكرة يفوز على منافسه بهدفين نظيفين",
        "<p>حقق المنتخب فوزاً مستحقاً في المباراة التي أقيمت مساء أمس &amp; حضرها الآلاف.</p>",
    ),
)


@dataclass(frozen=True)
class Item:
    """One generated feed item."""

    title: str
    html: str
    link: str
    guid: str | None = None
    published: str | None = "Sun, 29 Nov 2026 08:00:00 +0300"


def arabic_items(base: str = "https://news.example/ar", count: int = 3) -> list[Item]:
    """`count` Arabic items cycling over the sample texts, with tracking params on the links."""
    items = []
    for i in range(count):
        title, html = ARABIC_ITEMS[i % len(ARABIC_ITEMS)]
        link = f"{base}/{i}?utm_source=rss&utm_medium=feed#top"
        items.append(Item(title=title, html=html, link=link, guid=f"ar-{i}"))
    return items


def rss(
    items: list[Item],
    *,
    encoding: str = "utf-8",
    declare: bool = True,
    title: str = "أخبار مرصد",
    language: str | None = "ar",
    ttl: int | None = None,
) -> bytes:
    """An RSS 2.0 document, encoded; `declare` puts the encoding in the XML declaration."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""]
    parts.append('<rss version="2.0"><channel>')
    parts.append(f"<title>{escape(title)}</title><link>https://news.example/</link>")
    if language:
        parts.append(f"<language>{language}</language>")
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>")
        parts.append(f"<description>{escape(item.html)}</description>")
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published is not None:
            parts.append(f"<pubDate>{item.published}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)


def atom(items: list[Item], *, encoding: str = "utf-8", lang: str = "ar") -> bytes:
    """An Atom 1.0 document with xhtml-free html content."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>']
    parts.append(f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">')
    parts.append("<title>مرصد أتوم</title><id>urn:marsad:test</id>")
    parts.append("<updated>2026-11-29T08:00:00Z</updated>")
    for item in items:
        parts.append("<entry>")
        parts.append(f'<title type="text">{escape(item.title)}</title>')
        parts.append(f'<link rel="alternate" href="{escape(item.link)}"/>')
        parts.append(f"<id>urn:marsad:{escape(item.guid or item.link)}</id>")
        parts.append("<updated>2026-11-29T05:00:00Z</updated>")
        parts.append(f'<content type="html">{escape(item.html)}</content>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "".join(parts).encode(encoding)
