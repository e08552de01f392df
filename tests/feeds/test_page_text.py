"""Article pages read in the charset they declare: BOM, then HTTP header, then <meta>."""

from __future__ import annotations

import codecs

import pytest

from bot.feeds.article import META_PRESCAN_BYTES, page_charset, page_text

ARABIC = "تبنى تنظيم داعش الهجوم"


@pytest.mark.parametrize(
    ("page", "headers", "codec"),
    [
        (b"<p>x</p>", {"content-type": "text/html; charset=windows-1256"}, "cp1256"),
        (b"<p>x</p>", {"content-type": 'text/html; charset="Windows-1256"'}, "cp1256"),
        (b'<head><meta charset="windows-1256">', {"content-type": "text/html"}, "cp1256"),
        (b"<head><meta charset=windows-1256>", {}, "cp1256"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-6">',
            {},
            "iso8859-6",
        ),
        # The header wins over the page, the BOM over both.
        (b'<meta charset="utf-8">', {"content-type": "text/html; charset=cp1256"}, "cp1256"),
        (codecs.BOM_UTF8 + b"<p>x</p>", {"content-type": "text/html; charset=cp1256"}, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "<p>".encode("utf-16-le"), {}, "utf-16"),
        # An unknown label is skipped; latin-1 and ascii are read as browsers read them.
        (b'<meta charset="windows-1256">', {"content-type": "text/html; charset=x-nope"}, "cp1256"),
        (b"<p>x</p>", {"content-type": "text/html; charset=ISO-8859-1"}, "cp1252"),
        (b'<meta charset="us-ascii">', {}, "cp1252"),
        (b'<meta charset="utf-16">', {}, "utf-8"),  # a page read as ASCII cannot be UTF-16
        (b"<p>x</p>", {"content-type": "text/html"}, "utf-8"),
        (b"<p>x</p>", {}, "utf-8"),
    ],
)
def test_the_declared_charset_is_used(page: bytes, headers: dict[str, str], codec: str) -> None:
    assert page_charset(page, headers) == codec


def test_a_meta_declared_after_the_prescan_is_not_seen() -> None:
    late = b"<!--" + b" " * META_PRESCAN_BYTES + b'--><meta charset="windows-1256">'
    assert page_charset(late, {}) == "utf-8"


def test_page_text_decodes_the_title_and_falls_back_to_the_whole_page() -> None:
    html = f"<html><head><title>{ARABIC}</title></head><body><p>{ARABIC}.</p></body></html>"
    got = page_text(html.encode("cp1256"), {"content-type": "text/html; charset=windows-1256"})
    assert got.title == ARABIC
    assert ARABIC in got.text


def test_page_text_keeps_the_article_and_drops_the_menus() -> None:
    paragraph = f"<p>{ARABIC} على السوق المركزي في المدينة وأسفر عن قتلى وجرحى. " * 4 + "</p>"
    html = (
        '<html><head><meta charset="windows-1256"><title>عنوان</title></head><body>'
        "<nav><ul><li>الرئيسية</li><li>رياضة</li></ul></nav>"
        f"<article>{paragraph * 3}</article><footer>حقوق النشر محفوظة</footer></body></html>"
    )
    got = page_text(html.encode("cp1256"), {})
    assert got.title == "عنوان"
    assert ARABIC in got.text and "حقوق النشر" not in got.text and "رياضة" not in got.text
