"""Text analysis for matching and search: tokenise, normalise, stem, identify the language.

Only matching and search see this form; what users read keeps the publisher's spelling.
Every distinct surface token is normalised once (camel-tools chain, casefolding, accent
folding, stemming) and remembered, so an article costs one tokeniser pass and one dict
lookup per token: news vocabulary repeats, and the camel-tools chain is the expensive part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import snowballstemmer
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

# A token is a run of letters/digits plus the marks that sit inside Arabic and decomposed
# Latin words (harakat, superscript alef, tatweel, combining accents); anything else splits.
_TOKEN_RE: Final = re.compile(
    r"[\w\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED\u0300-\u036F]+"
)
_TATWEEL: Final = "\u0640"

# Light10-style affixes, applied after alef / alef maksura / teh marbuta folding (so ة is ه).
_AR_ARTICLES: Final = ("وال", "فال", "بال", "كال", "لل", "ال")
_AR_SUFFIXES: Final = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# One-letter proclitics that Light10 leaves alone because they are often root letters
# (بوتين, لبنان); the matcher tries the stem with and without them instead.
_AR_SHORT_PROCLITICS: Final = frozenset("بلكف")

_STEMMERS: Final = {
    "en": snowballstemmer.stemmer("english"),
    "fr": snowballstemmer.stemmer("french"),
}

_CACHE_LIMIT: Final = 200_000

# Function words for telling the languages apart (Arabic ones in both common spellings).
_AR_STOP: Final = frozenset(
    {
        "في", "من", "على", "إلى", "الى", "أن", "ان", "التي", "الذي", "عن", "مع", "هذا", "هذه",
        "كان", "قد", "أو", "او", "ما", "لا", "ثم", "بين", "كما", "إن",
    }
)
_EN_STOP: Final = frozenset(
    {
        "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at",
        "from", "it", "are", "be", "has", "have", "this", "an", "which", "were", "their", "said",
        "its", "will", "after",
    }
)
_FR_STOP: Final = frozenset(
    {
        "le", "la", "les", "de", "des", "du", "et", "un", "une", "est", "dans", "pour", "que",
        "qui", "sur", "au", "aux", "par", "pas", "ce", "cette", "il", "elle", "ont", "sont",
        "avec", "plus", "son", "ses", "leur",
    }
)


@dataclass(frozen=True, slots=True)
class Token:
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
    """camel-tools normalisation of one Arabic token, plus tatweel removal."""
    s = normalize_unicode(token)
    s = dediac_ar(s)
    # dediac_ar keeps tatweel (a presentation stretch), so it goes here.
    s = s.replace(_TATWEEL, "")
    s = normalize_alef_ar(s)
    s = normalize_alef_maksura_ar(s)
    s = normalize_teh_marbuta_ar(s)
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


_ar_cache: dict[str, tuple[str, str | None]] = {}
_latin_cache: dict[tuple[str, str | None], str] = {}


def _arabic_keys(token: str) -> tuple[str, str | None]:
    """Stem of an Arabic token and, if it may carry a one-letter proclitic, the stem without it."""
    hit = _ar_cache.get(token)
    if hit is not None:
        return hit
    folded = fold_arabic(token)
    key = stem_arabic(folded)
    body = folded[1:] if folded.startswith("و") and len(folded) >= 5 else folded
    alt = None
    if len(body) >= 4 and body[0] in _AR_SHORT_PROCLITICS:
        alt = stem_arabic(body[1:])
        if alt == key:
            alt = None
    if len(_ar_cache) >= _CACHE_LIMIT:
        _ar_cache.clear()
    _ar_cache[token] = (key, alt)
    return key, alt


def _latin_key(token: str, stemmer: str | None) -> str:
    """Folded and (for English and French) stemmed form of a Latin-script token."""
    hit = _latin_cache.get((token, stemmer))
    if hit is not None:
        return hit
    key = fold_latin(token)
    if stemmer is not None:
        key = _STEMMERS[stemmer].stemWord(key)
    if len(_latin_cache) >= _CACHE_LIMIT:
        _latin_cache.clear()
    _latin_cache[(token, stemmer)] = key
    return key


def token_keys(token: str, lang: str | None) -> tuple[str, str | None]:
    """Matching key (and alternative key) of one surface token in a text of language lang."""
    if is_arabic_char(token[0]):
        return _arabic_keys(token)
    return _latin_key(token, latin_stemmer_lang(lang)), None


def surface_tokens(text: str) -> list[str]:
    """The surface tokens of a text, in order."""
    return _TOKEN_RE.findall(text)


def analyse(text: str, lang: str | None) -> list[Token]:
    """Tokens of a text with their keys and spans, for a text in language lang."""
    stemmer = latin_stemmer_lang(lang)
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        tok = m.group()
        if is_arabic_char(tok[0]):
            key, alt = _arabic_keys(tok)
        else:
            key, alt = _latin_key(tok, stemmer), None
        if key:
            out.append(Token(key, alt, m.start(), m.end()))
    return out


def phrase_keys(phrase: str, lang: str | None) -> tuple[str, ...]:
    """The key sequence a term or exclusion phrase matches."""
    return tuple(k for k in (token_keys(t, lang)[0] for t in surface_tokens(phrase)) if k)


def detect_language_tokens(tokens: Iterable[str]) -> str | None:
    """Language of a token sequence: Arabic by script, English or French by stopwords."""
    arabic = latin = ar_stop = en_stop = fr_stop = 0
    for tok in tokens:
        if tok.isdigit():
            continue
        if is_arabic_char(tok[0]):
            arabic += 1
            if tok in _AR_STOP:
                ar_stop += 1
        elif tok.isascii() or tok[0].isalpha():
            latin += 1
            low = tok.lower()
            en_stop += low in _EN_STOP
            fr_stop += low in _FR_STOP
    if arabic == 0 and latin == 0:
        return None
    if arabic >= latin:
        # Persian and Urdu share the script but not these function words.
        return "ar" if arabic < 8 or ar_stop > 0 else None
    if en_stop == fr_stop:
        return None
    return "en" if en_stop > fr_stop else "fr"


def detect_language(text: str) -> str | None:
    """Language of a text: "ar", "en", "fr", or None when unsure or another language."""
    return detect_language_tokens(surface_tokens(text))


def normalise_for_search(text: str, lang: str | None = None) -> str:
    """Space-joined matching keys of a text, for a full-text index and for its queries.

    These are the stems the classifier matches on, not surface forms: Arabic attaches
    articles, conjunctions and prepositions to words, so «للإرهاب» and «والإرهابيين» only meet
    a query for «إرهاب» as stems. A token that may carry a one-letter proclitic (بموسكو) also
    contributes its stem without it, so documents are found by «موسكو»; queries should be
    built with query_alternatives() to OR those pairs. Latin tokens are stemmed with the
    text's language (English when unknown), so pass the query's language when it is known.
    """
    lang = lang or detect_language(text)
    parts: list[str] = []
    for tok in analyse(text, lang):
        parts.append(tok.key)
        if tok.alt:
            parts.append(tok.alt)
    return " ".join(parts)


def query_alternatives(text: str, lang: str | None = None) -> list[tuple[str, ...]]:
    """Per query token, the keys any of which a matching document may contain."""
    lang = lang or detect_language(text)
    return [(t.key, t.alt) if t.alt else (t.key,) for t in analyse(text, lang)]
