"""Extractive, Arabic-aware summaries: the lead sentences that carry the news.

Pure text in, text out; `ArticleSummaries` keeps each article's for one delivery pass.
What users read keeps the publisher's spelling; the light
normalisation here only decides which sentences repeat the headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.models import Article

ELLIPSIS = "…"
_MAX_SENTENCES = 3  # a third only when the first two are very short

# Lines that are publisher furniture whatever their length (matched at the start of a line).
_BOILERPLATE_LINE = re.compile(
    r"^\W*(?:"
    r"رابط\s+(?:الخبر|مختصر|المقال)|[اأإ]ترك\s+تعليق|أضف\s+تعليق|[اإ]قرأ\s+(?:أيض|ايض|المزيد)|"
    r"لن\s+يتم\s+نشر\s+عنوان\s+بريدك|الحقول\s+الإلزامية|"
    r"read\s+(?:more|also)|continue\s+reading|share\s+this|leave\s+a\s+(?:reply|comment)|"
    r"your\s+email\s+address\s+will\s+not|required\s+fields\s+are\s+marked"
    r")",
    re.IGNORECASE,
)
# Words that are furniture only on a short line: "شارك" alone also means "took part".
_SHORT_BOILERPLATE = re.compile(
    r"^\W*(?:"
    r"شارك(?:\s+(?:الخبر|المقال|هذا|على|عبر)|\s*[:|]|\s*$)|تابعونا|تابعوا\s+(?:آخر|على|عبر)|"
    r"للمزيد|اضغط\s+هنا|التعليقات|جميع\s+الحقوق|حقوق\s+النشر|"
    r"share\b|follow\s+us|click\s+here|advertisement|copyright|©|related\b|comments?\b|"
    # Bylines, datelines and credits: short lines that name people or times, not news.
    r"by\s|بقلم|كتبت?\s*:|تحرير\s*:|إعداد\s*:|آخر\s+تحديث|تاريخ\s+النشر|نشر\s+في|"
    r"updated\b|published\b|last\s+updated|photo\b|image\b|صورة\s*:|المصدر\s*:|source\s*:"
    r")",
    re.IGNORECASE,
)
_SHORT_LINE = 60
# Trailing furniture inside a line: "... Read more »", "... [...]", "The post X appeared ...".
_BOILERPLATE_TAIL = re.compile(
    r"(?:\s*(?:\[(?:…|\.\.\.|&hellip;)\]|(?:read|continue)\s+(?:more|reading)\b.*|"
    r"اقرأ\s+المزيد.*|إقرأ\s+المزيد.*|المزيد\s*»))\s*$",
    re.IGNORECASE,
)
_APPEARED_FIRST = re.compile(r"The post .{1,300}? appeared first on .{1,200}?(?:\.|$)", re.I)

# Sentence ends: . ! ? ؟ ؛ … followed by closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?؟؛…]+[\"'»”’)\]]*(?=\s)")
_ABBREVIATION = re.compile(
    r"mr|mrs|ms|dr|prof|st|jr|sr|gen|lt|col|sgt|capt|gov|sen|rep|inc|ltd|co|corp|vs|etc|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|approx|dept|fig|vol",
    re.IGNORECASE,
)
_ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")
_WORD = re.compile(r"\w+")


def summarise(title: str, text: str, *, target: int = 350) -> str:
    """The one or two lead sentences of ``text`` that say more than ``title``, ~``target`` chars."""
    sentences = [s for s in split_sentences(clean_text(text)) if not _repeats(s, title)]
    substantial = [s for s in sentences if len(_WORD.findall(s)) >= 4] or sentences
    if not substantial:
        return ""
    return _pick(substantial, target)


Summariser = Callable[[str, str], str]  # (title, text) -> summary


class ArticleSummaries:
    """Each article's summary for one delivery pass, computed once however many chats get it."""

    def __init__(self, summariser: Summariser = summarise) -> None:
        """Summarise with `summariser` (summarise itself, unless a test counts calls)."""
        self.summariser = summariser
        self._done: dict[int, str] = {}

    def __call__(self, article: Article) -> str:
        """The article's summary, computed on first use."""
        if article.id not in self._done:
            self._done[article.id] = self.summariser(article.title, article.text)
        return self._done[article.id]


def clean_text(text: str) -> str:
    """Drop publisher boilerplate lines and tails; collapse spaces inside lines."""
    text = _APPEARED_FIRST.sub("", text)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        if not line or _is_boilerplate(line):
            continue
        line = _BOILERPLATE_TAIL.sub("", line).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def _is_boilerplate(line: str) -> bool:
    """Whether a whole line is publisher furniture."""
    if _BOILERPLATE_LINE.match(line):
        return True
    return len(line) <= _SHORT_LINE and bool(_SHORT_BOILERPLATE.match(line))


def split_sentences(text: str) -> list[str]:
    """Split on . ! ? ؟ ؛ and line breaks, sparing decimals, initials and abbreviations."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _SENTENCE_END.finditer(line):
            if _is_abbreviation(line, match.start(), match.group()):
                continue
            sentences.append(line[start : match.end()].strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [s for s in sentences if _WORD.search(s)]


def _is_abbreviation(line: str, at: int, mark: str) -> bool:
    """Whether the full stop at ``at`` ends an abbreviation ("U.S.", "Dr.") not a sentence."""
    if not mark.startswith(".") or mark.startswith(".."):
        return False
    word = re.search(r"([\w.]+)$", line[:at])
    token = word.group(1) if word else ""
    if re.fullmatch(r"(?:[^\W\d]\.)*[^\W\d]", token):  # U.S, e.g, initials "F", "د"
        return True
    if _ABBREVIATION.fullmatch(token):
        return True
    rest = line[at + len(mark) :].lstrip()
    return bool(rest) and rest[0].islower()  # English sentences start with a capital


def _fold(text: str) -> list[str]:
    """Words folded for comparison only: case, diacritics, alef/yaa/taa marbuta."""
    text = _ARABIC_DIACRITICS.sub("", text.casefold())
    text = re.sub("[أإآٱ]", "ا", text).replace("ى", "ي").replace("ة", "ه")
    return _WORD.findall(text)


def _repeats(sentence: str, title: str) -> bool:
    """Whether a sentence merely restates the headline."""
    words, headline = _fold(sentence), set(_fold(title))
    if not words or not headline:
        return False
    shared = sum(1 for w in words if w in headline)
    return shared / len(words) >= 0.8


def _pick(sentences: list[str], target: int) -> str:
    """Lead-biased: first sentence, plus the next while short and within bounds."""
    ceiling = target + target // 7  # 350 -> 400: "about 300-400 characters"
    summary = sentences[0]
    for count, sentence in enumerate(sentences[1:_MAX_SENTENCES], start=1):
        enough = target * (0.6 if count == 1 else 0.4)
        if len(summary) >= enough or len(summary) + 1 + len(sentence) > ceiling:
            break
        summary = f"{summary} {sentence}"
    summary = truncate_words(summary, ceiling)
    # A clause cut at a semicolon reads as unfinished; say so instead of ending on "؛".
    return re.sub(r"\s*[؛;]$", ELLIPSIS, summary)


def truncate_words(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, adding an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    space = cut.rfind(" ")
    if space > 0 and not text[len(cut)].isspace():
        cut = cut[:space]  # the cut fell inside a word: drop the partial word
    cut = cut.rstrip(" ,،;؛:-–—(«\"'")
    return f"{cut}{ELLIPSIS}" if cut else ""
