"""Text analysis for matching and search: tokenise, normalise, stem, identify the language.

Only matching and search see this form; what users read keeps the publisher's spelling.
Every distinct surface token is normalised once (camel-tools chain, casefolding, accent
folding, stemming) and remembered, so an article costs one tokeniser pass and one dict
lookup per token: news vocabulary repeats, and the camel-tools chain is the expensive part.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

import snowballstemmer

# A token is a run of letters/digits plus the marks that sit inside Arabic and decomposed
# Latin words (harakat, superscript alef, tatweel, combining accents); anything else splits.
_TOKEN_RE: Final = re.compile(
    r"[\w\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED\u0300-\u036F]+"
)
_TATWEEL: Final = "\u0640"
# camel-tools' normalize_unicode spells out two ligatures NFKC leaves alone.
_LIGATURE_FIX: Final = str.maketrans({"\ufdfc": "ريال", "\ufdfd": "بسم الله الرحمن الرحيم"})
# After NFKC: camel-tools' diacritics and tatweel dropped, alef variants to bare alef,
# alef maksura to yeh, teh marbuta to heh.
_FOLD_AR: Final = str.maketrans(
    {
        **dict.fromkeys("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"),
        _TATWEEL: None,
        **dict.fromkeys("\u0625\u0623\u0671\u0622", "\u0627"),
        "\u0649": "\u064a",
        "\u0629": "\u0647",
    }
)

# Light10-style affixes, applied after alef / alef maksura / teh marbuta folding (so ة is ه).
_AR_ARTICLES: Final = ("وال", "فال", "بال", "كال", "لل", "ال")
_AR_SUFFIXES: Final = ("ا", "ها", "ات", "ان", "ون", "ين", "يه", "ه", "ي")
# One-letter proclitics that Light10 leaves alone because they are often root letters
# (بوتين, لبنان); the matcher tries the stem with and without them instead.
_AR_SHORT_PROCLITICS: Final = frozenset("بلكف")

_STEMMERS: Final = {
    "en": snowballstemmer.stemmer("english"),
    "fr": snowballstemmer.stemmer("french"),
}

# Tokens per table generation: two generations at most are kept.
_CACHE_LIMIT: Final = 150_000

# Function words for telling English from French.
# fmt: off
_EN_STOP: Final = frozenset({
    "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at",
    "from", "it", "are", "be", "has", "have", "this", "an", "which", "were", "their", "said",
    "its", "will", "after",
})
_FR_STOP: Final = frozenset({
    "le", "la", "les", "de", "des", "du", "et", "un", "une", "est", "dans", "pour", "que", "qui",
    "sur", "au", "aux", "par", "pas", "ce", "cette", "il", "elle", "ont", "sont", "avec", "plus",
    "son", "ses", "leur",
})
# fmt: on


class Token(NamedTuple):
    """One analysed token: its matching key, an alternative key, and its span in the source."""

    key: str
    alt: str | None
    start: int
    end: int


def is_arabic_char(ch: str) -> bool:
    """Whether a character belongs to the Arabic script blocks."""
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF


def fold_arabic(token: str) -> str:
    """camel-tools' Arabic normalisation of one token (unicode, dediac, alef, alef maksura,
    teh marbuta), plus tatweel removal.

    Every step after NFKC maps or drops single characters, so one translate table does
    them all; a test checks it against the camel-tools chain.
    """
    if "\ufdfc" in token or "\ufdfd" in token:
        token = token.translate(_LIGATURE_FIX)
    s = unicodedata.normalize("NFKC", token).translate(_FOLD_AR)
    # A few compatibility ligatures expand to several words; keep one token.
    return "".join(s.split())


def fold_latin(token: str) -> str:
    """Casefold and strip accents from a Latin-script token."""
    s = unicodedata.normalize("NFKD", token.casefold())
    if s.isascii():
        return s
    return "".join(c for c in s if not unicodedata.combining(c))


def stem_arabic(word: str) -> str:
    """Light10-style stem of a folded Arabic word: proclitics, article, common suffixes."""
    if len(word) >= 4 and word[0] == "و":
        word = word[1:]
    for prefix in _AR_ARTICLES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
    return word


def latin_stemmer_lang(lang: str | None) -> str | None:
    """Which snowball stemmer Latin tokens get in a text of this language."""
    if lang == "fr":
        return "fr"
    if lang in (None, "en", "ar", "any"):
        return "en"
    return None


class Keyed(NamedTuple):
    """A text's tokens as parallel lists, for the classifier's hot loop and the search index."""

    keys: list[str]
    alts: list[str | None]
    search: str  # every key and alternative, space-joined: normalise_for_search's result


# Surface token -> (key, alt, search form), one table per Latin stemmer since Latin keys
# depend on it. A token with no key (only marks) maps to _NO_KEY and is dropped.
_Keys = tuple[str, str | None, str]
_caches: dict[str | None, dict[str, _Keys]] = {}
_NO_KEY: Final[_Keys] = ("", None, "")


# The generation before: a token looked up again moves back to the current table, the
# others are dropped when the current table fills up and takes its place. A table
# emptied at once instead makes every token, however common, costly again after it.
_older: dict[str | None, dict[str, _Keys]] = {}


def clear_caches() -> None:
    """Forget every normalised token (benchmarks use this to measure the cold path)."""
    _caches.clear()
    _older.clear()


def _arabic_keys(folded: str) -> tuple[str, str | None]:
    """Stem of a folded Arabic token, and its stem without a possible one-letter proclitic."""
    key = stem_arabic(folded)
    body = folded[1:] if folded.startswith("و") and len(folded) >= 5 else folded
    if len(body) < 4 or body[0] not in _AR_SHORT_PROCLITICS or body.startswith(_AR_ARTICLES):
        return key, None
    alt = stem_arabic(body[1:])
    return key, (None if alt == key else alt)


def _compute_keys(token: str, stemmer: str | None) -> tuple[str, str | None]:
    """Matching key and alternative key of one surface token, uncached."""
    if is_arabic_char(token[0]) or (not token.isascii() and any(map(is_arabic_char, token))):
        return _arabic_keys(fold_arabic(token))
    key = fold_latin(token)
    if stemmer is not None:
        key = _STEMMERS[stemmer].stemWord(key)
    return key, None


def _table(stemmer: str | None) -> dict[str, _Keys]:
    """The current token table for one Latin stemmer; a full one becomes the older one."""
    table = _caches.get(stemmer)
    if table is None or len(table) >= _CACHE_LIMIT:
        if table is not None:
            _older[stemmer] = table
        table = _caches[stemmer] = {}
    return table


def _remember(table: dict[str, _Keys], token: str, stemmer: str | None) -> _Keys:
    """A surface token's keys, from the older table or computed, kept in the current one."""
    older = _older.get(stemmer)
    keys = older.pop(token, None) if older else None
    if keys is None:
        key, alt = _compute_keys(token, stemmer)
        keys = (key, alt, f"{key} {alt}" if alt else key) if key else _NO_KEY
    table[token] = keys
    return keys


def token_keys(token: str, lang: str | None) -> tuple[str, str | None]:
    """Matching key (and alternative key) of one surface token in a text of language lang."""
    stemmer = latin_stemmer_lang(lang)
    table = _table(stemmer)
    keys = table.get(token) or _remember(table, token, stemmer)
    return keys[0], keys[1]


def surface_tokens(text: str) -> list[str]:
    """The surface tokens of a text, in order."""
    return _TOKEN_RE.findall(text)


def key_tokens(text: str, lang: str | None) -> Keyed:
    """The keys of a text's tokens (those that have one), for a text in language lang."""
    stemmer = latin_stemmer_lang(lang)
    table = _table(stemmer)
    # The hot path of classification: comprehensions over findall, one dict lookup a token.
    found = [table.get(tok) or _remember(table, tok, stemmer) for tok in _TOKEN_RE.findall(text)]
    if _NO_KEY in found:
        found = [keys for keys in found if keys[0]]
    return Keyed(
        [keys[0] for keys in found],
        [keys[1] for keys in found],
        " ".join([keys[2] for keys in found]),
    )


def token_spans(text: str, lang: str | None, kept: int | None = None) -> list[tuple[int, int]]:
    """Start and end of each token that key_tokens keeps, in the same order.

    `kept`, the number of keys key_tokens gave, spares the lookups when no token was dropped.
    """
    spans = [m.span() for m in _TOKEN_RE.finditer(text)]
    if len(spans) == kept:
        return spans
    stemmer = latin_stemmer_lang(lang)
    table = _table(stemmer)
    return [
        (start, end)
        for start, end in spans
        if (table.get(text[start:end]) or _remember(table, text[start:end], stemmer))[0]
    ]


def analyse(text: str, lang: str | None) -> list[Token]:
    """Tokens of a text with their keys and spans, for a text in language lang."""
    keyed = key_tokens(text, lang)
    return [
        Token(key, alt, start, end)
        for key, alt, (start, end) in zip(
            keyed.keys, keyed.alts, token_spans(text, lang, len(keyed.keys)), strict=True
        )
    ]


def phrase_keys(phrase: str, lang: str | None) -> tuple[str, ...]:
    """The key sequence a term or exclusion phrase matches."""
    return tuple(k for k in (token_keys(t, lang)[0] for t in surface_tokens(phrase)) if k)


_AR_RUN_RE: Final = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]+")
_LATIN_RUN_RE: Final = re.compile(r"[A-Za-z\u00C0-\u024F]+")
# Letters of Persian and Urdu that Arabic does not use (پ چ ژ گ ک ی ٹ ڈ ڑ ں ے ہ).
_NOT_ARABIC_RE: Final = re.compile(
    r"[\u067E\u0686\u0698\u06AF\u06A9\u06CC\u0679\u0688\u0691\u06BA\u06D2\u06C1]"
)


def detect_language(text: str) -> str | None:
    """Language of a text: "ar", "en", "fr", or None when unsure or another language.

    Arabic is told by its script, unless letters only Persian or Urdu use are common;
    English and French by counting their function words.
    """
    latin_runs = _LATIN_RUN_RE.findall(text)
    if not latin_runs and not _NOT_ARABIC_RE.search(text):
        # Most Arabic articles: no Latin word and no Persian letter, so nothing to count.
        return "ar" if _AR_RUN_RE.search(text) else None
    arabic_runs = _AR_RUN_RE.findall(text)
    if not arabic_runs and not latin_runs:
        return None
    if len(arabic_runs) >= len(latin_runs):
        letters = sum(map(len, arabic_runs))
        return None if len(_NOT_ARABIC_RE.findall(text)) * 30 > letters else "ar"
    en = fr = 0
    for word in latin_runs:
        low = word.lower()
        en += low in _EN_STOP
        fr += low in _FR_STOP
    if en == fr:
        return None
    return "en" if en > fr else "fr"


def normalise_for_search(text: str, lang: str | None = None) -> str:
    """Space-joined matching keys of a text, for a full-text index and for its queries.

    These are the stems the classifier matches on, not surface forms: Arabic attaches
    articles, conjunctions and prepositions to words, so «للإرهاب» and «والإرهابيين» only meet
    a query for «إرهاب» as stems. A token that may carry a one-letter proclitic (بموسكو) also
    contributes its stem without it, so documents are found by «موسكو»; queries should be
    built with query_alternatives() to OR those pairs. Latin tokens are stemmed with the
    text's language (English when unknown), so pass the query's language when it is known.
    """
    return key_tokens(text, lang or detect_language(text)).search


def query_alternatives(text: str, lang: str | None = None) -> list[tuple[str, ...]]:
    """Per query token, the keys any of which a matching document may contain."""
    lang = lang or detect_language(text)
    return [(t.key, t.alt) if t.alt else (t.key,) for t in analyse(text, lang)]
