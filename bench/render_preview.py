"""Write an HTML page that approximates how Telegram shows Marsad's messages.

Usage: python bench/render_preview.py OUT.html [--raw]
Then screenshot it, e.g. chromium --headless --no-sandbox --screenshot=out.png OUT.html.
Each line's direction is decided as Telegram's clients do (first strong character, skipping
FSI...PDI isolates); ``--raw`` strips the isolates to show what they prevent.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.delivery.summarise import summarise
from bot.render import FSI, PDI, DigestItem, TopicTable, render_alert, render_digest
from classifiers import load_topics_toml
from config import TOPICS_FILE

BOOK = TopicTable(load_topics_toml(TOPICS_FILE.read_text(encoding="utf-8")))  # the built-ins

PUBLISHED = datetime(2026, 11, 29, 11, 5, tzinfo=UTC)

AR_TITLE = "تنظيم ISIS يتبنى هجوماً إلكترونياً على خوادم Microsoft في دبي"
AR_TEXT = "\n".join(
    [
        AR_TITLE,
        "دبي - أعلن تنظيم ISIS مسؤوليته عن هجوم إلكتروني استهدف خوادم شركة Microsoft في دبي"
        " صباح الأحد، وقالت الشركة إن 3.5 مليون حساب تأثرت بالاختراق الذي استغل ثغرة"
        " CVE-2025-1234 في نظام Exchange Server 2019. وأكد المتحدث باسم الشركة أن فرق الطوارئ"
        " تعمل على احتواء الأضرار بالتنسيق مع مركز الأمن السيبراني.",
        "رابط الخبر: https://example.com/a/1",
        "اترك تعليقاً",
    ]
)

EN_TITLE = "Russian and Saudi foreign ministers meet in Riyadh over Gaza ceasefire"
EN_TEXT = "\n".join(
    [
        "RIYADH (Reuters) - Russian Foreign Minister Sergei Lavrov met his Saudi counterpart"
        " Prince Faisal bin Farhan in Riyadh on Sunday, the U.S. State Department said, as talks"
        " on a Gaza ceasefire entered a third week. The two ministers discussed a 12-point plan,"
        " officials said.",
        "The post Russian and Saudi foreign ministers meet appeared first on Example News.",
        "Read more »",
    ]
)
MIXED_TITLE = "Hackers hit Gulf banks in 2025 campaign, says Kaspersky"
MIXED_TEXT = (
    "Hackers linked to the Lazarus group hit at least 14 Gulf banks in a 2025 campaign, "
    "Kaspersky said on Tuesday, stealing $40m through fake SWIFT messages."
)
AR_SOURCE_TITLE = "لافروف: موسكو مستعدة لدعم مبادرة «السلام العربية» خلال قمة 2026"
AR_SOURCE_TEXT = (
    "قال وزير الخارجية الروسي سيرغي لافروف في مؤتمر صحفي بموسكو إن بلاده مستعدة لدعم "
    "مبادرة السلام العربية، مشيراً إلى أن 22 دولة عربية ستشارك في قمة 2026 المقبلة."
)


def messages() -> list[tuple[str, str]]:
    """(caption, Telegram HTML) pairs: Arabic, English, mixed, a digest and hostile text."""
    hostile = "<script>alert('x')</script> & AT&T <b>bold?</b> " + "نص طويل جداً " * 400
    return [
        (
            "ar chat, Arabic article",
            render_alert(
                title=AR_TITLE,
                summary=summarise(AR_TITLE, AR_TEXT),
                url="https://example.com/a/1",
                source="سكاي نيوز عربية",
                published=PUBLISHED,
                topics=["terrorism", "cybersecurity"],
                language="ar",
                book=BOOK,
                tz="Asia/Dubai",
                why=["داعش (العنوان)", "Microsoft (النص)"],
            ),
        ),
        (
            "en chat, English article",
            render_alert(
                title=EN_TITLE,
                summary=summarise(EN_TITLE, EN_TEXT),
                url="https://example.com/e/2",
                source="Reuters",
                published=PUBLISHED,
                topics=["arab_russia_diplomacy"],
                language="en",
                book=BOOK,
                tz="Europe/London",
                why=["Lavrov (body)", "Saudi (title)"],
            ),
        ),
        (
            "ar chat, English article",
            render_alert(
                title=MIXED_TITLE,
                summary=summarise(MIXED_TITLE, MIXED_TEXT),
                url="https://example.com/m/3",
                source="BBC News",
                published=PUBLISHED,
                topics=["cybersecurity", "custom-topic"],
                language="ar",
                book=BOOK,
                tz="Africa/Cairo",
            ),
        ),
        (
            "en chat, Arabic article",
            render_alert(
                title=AR_SOURCE_TITLE,
                summary=summarise(AR_SOURCE_TITLE, AR_SOURCE_TEXT),
                url="https://example.com/r/4",
                source="RT Arabic",
                published=PUBLISHED,
                topics=["arab_russia_diplomacy"],
                language="en",
                book=BOOK,
                why=["لافروف (title)"],
            ),
        ),
        (
            "ar digest",
            render_digest(
                [
                    DigestItem(AR_TITLE, "https://example.com/a/1", "الجزيرة", ["terrorism"]),
                    DigestItem(MIXED_TITLE, "https://example.com/m/3", "BBC", ["cybersecurity"]),
                    DigestItem(AR_SOURCE_TITLE, "https://example.com/r/4", "RT Arabic"),
                ],
                "ar",
                BOOK,
            )[0],
        ),
        (
            "ar chat, numbers, codes and per-topic evidence",
            render_alert(
                title="مقاتلات F-16 تعترض 1,000 مسيّرة وارتفاع الهجمات 45% منذ 7 أكتوبر",
                summary=(
                    "قال الجيش إن طائرات F-16 وF-35 اعترضت أكثر من 1,000 مسيّرة خلال 24 ساعة،"
                    " فيما ذكرت وكالة AP أن مجموعة APT28 (Fancy Bear) تبنت هجوماً على موقع"
                    " www.gov.example ليلة 5/11."
                ),
                url="https://example.com/n/5?utm_source=x&id=9",
                source="AP",
                published=PUBLISHED,
                topics=["terrorism", "cybersecurity"],
                language="ar",
                book=BOOK,
                tz="Asia/Riyadh",
                why=["terrorism: مسيّرة (body), هجوم (title)", "cybersecurity: APT28 (body)"],
            ),
        ),
        (
            "ar chat, hostile text (cut to 4096)",
            render_alert(
                title="<i>عنوان</i> & 2025",
                summary=hostile,
                url="javascript:alert(1)",
                source="<b>x</b>",
                published=PUBLISHED,
                topics=["1"],
                language="ar",
                book=BOOK,
            ),
        ),
    ]


def first_strong_rtl(line: str) -> bool | None:
    """UBA P2: the first strong character decides, text inside isolates is skipped."""
    depth = 0
    for char in line:
        if char in "\u2066\u2067\u2068":
            depth += 1
        elif char == PDI and depth:
            depth -= 1
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return True
            if kind == "L":
                return False
    return None


def bubble(caption: str, message: str, raw: bool) -> str:
    """One message bubble; lines become blocks with the direction Telegram would give them."""
    if raw:
        message = message.replace(FSI, "").replace(PDI, "")
    rows = []
    for line in message.split("\n"):
        visible = html.unescape(re.sub(r"<[^>]*>", "", line))
        rtl = first_strong_rtl(visible)
        direction = "rtl" if rtl else "ltr"
        body = line.replace("<tg-spoiler>", "<span class=sp>").replace("</tg-spoiler>", "</span>")
        rows.append(f'<div class=line dir="{direction}">{body or "&nbsp;"}</div>')
    return (
        f"<section><p class=cap>{html.escape(caption)}</p>"
        f"<div class=bubble>{''.join(rows)}</div></section>"
    )


STYLE = """
body { background: #8fb28a; margin: 0; padding: 16px; width: 980px;
       font: 15px/1.35 Roboto, "Noto Sans", "Noto Sans Arabic", "Noto Color Emoji", sans-serif;
       display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
section { width: 470px; }
.cap { margin: 0 0 4px; font: 12px monospace; color: #123; }
.bubble { background: #fff; border-radius: 12px; padding: 8px 10px; max-width: 440px;
          box-shadow: 0 1px 1px rgba(0,0,0,.2); overflow-wrap: anywhere; max-height: 900px;
          overflow: hidden; }
.line { min-height: 1em; }
a { color: #168acd; text-decoration: none; }
.sp { background: #ccc; }
"""


def page(raw: bool, only: int | None = None) -> str:
    """The whole preview page."""
    chosen = [m for i, m in enumerate(messages()) if only is None or i == only]
    bubbles = "".join(bubble(caption, message, raw) for caption, message in chosen)
    return f"<!doctype html><meta charset=utf-8><style>{STYLE}</style>{bubbles}"


def main() -> None:
    """Write the page to the path given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--raw", action="store_true", help="strip FSI/PDI isolates")
    parser.add_argument("--only", type=int, help="show only the message with this index")
    args = parser.parse_args()
    args.out.write_text(page(args.raw, args.only), encoding="utf-8")


if __name__ == "__main__":
    main()
