"""The terms story threading reads: stop words, number words, figures, and the reader that
turns a text's tokens into terms."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

from classifiers.text import (
    fold_arabic,
    is_arabic_char,
    key_tokens,
    latin_stemmer_lang,
    surface_tokens,
    token_keys,
)

DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
DIGIT_RUN: Final = re.compile(r"\d+")
EASTERN_DIGIT: Final = re.compile("[٠-٩۰-۹]")

# Function words and reporting verbs of news Arabic, English and French: the running
# document frequencies discount them too, but only once enough articles went by.
# fmt: off
_STOP_SURFACE: Final = """
في من على الى إلى عن مع ان أن إن كان كانت يكون تكون هذا هذه ذلك تلك التي الذي الذين اللذين
هناك هنا قد لقد لا ما لم لن بعد قبل عند حيث كما او أو ثم كل بين اي أي الا إلا حتى منذ خلال ضمن
لدى امام أمام نحو غير به بها له لها لهم لهن هو هي هم هن نحن انه أنه انها أنها وقد وكان وكانت
وفي ومن وعلى وهو وهي ولا وما فيه فيها منه منها عليه عليها اليه إليه اليها إليها عنه عنها
قال قالت وقال وقالت اكد أكد أكدت اضاف أضاف وأضاف اوضح أوضح وأوضح اشار أشار وأشار مشيرا مؤكدا
يوم اليوم امس أمس العام عام حسب وفقا وفق اخرى أخرى اخر آخر الذى التى مما عندما بينما لكن ولكن
كذلك ايضا أيضا جدا تم يتم وتم اطار إطار الى خلال حول دون فقط سوى عدة عدد بعض جميع
كنا كنت نريد يريد تريد بدون ليس ليست
the of and to in is was for on that with as by at from it are be has have this an which were
their said its will after not but had been who they he she his her would more than into
le la les de des du et un une est dans pour que qui sur au aux par pas ce cette il elle ont
sont avec plus son ses leur été
"""
# fmt: on

# Number words, as folded (fold_arabic) and without their proclitics: three to ten and the
# tens. One and two are mostly not counts («أحد», the dual). Whole words only: the stems
# would also take «تسعى» (strives) for nine, «عشرات» (dozens) for ten, «ثلاثين» for three.
_NUMERALS: Final = {
    "3": "ثلاثه ثلاث",
    "4": "اربعه اربع",
    "5": "خمسه خمس خمسا",
    "6": "سته ست",
    "7": "سبعه سبع",
    "8": "ثمانيه ثماني ثمان",
    "9": "تسعه تسع",
    "10": "عشره عشر",
    "20": "عشرين عشرون",
    "30": "ثلاثين ثلاثون",
    "40": "اربعين اربعون",
    "50": "خمسين خمسون",
    "60": "ستين ستون",
    "70": "سبعين سبعون",
    "80": "ثمانين ثمانون",
    "90": "تسعين تسعون",
}
_NUMERAL_WORDS: Final = {w: value for value, words in _NUMERALS.items() for w in words.split()}
# What may precede a number word: a conjunction, a preposition, the article.
_NUMERAL_PREFIXES: Final = (
    *("", "و", "ف", "ب", "ل", "ك"),
    *("ال", "وال", "بال", "لل", "ولل", "وب", "ول"),
)


# Reaction words of news headlines (condemnation, condolence, solidarity), folded, whole
# words only: stems would take «تعز» (Taiz) for «تعزي». A reaction names the event it
# reacts to in its first sentence; the rest is its own commentary.
_REACTION_SURFACE: Final = """
يدين تدين ادان ادانت دان دانت ادانه تدينان يدينون يستنكر تستنكر استنكر استنكرت استنكار
يندد تندد ندد نددت تنديد يشجب تشجب شجب شجبت يعزي تعزي عزي عزت تعازي تعازيها تعازيه
تعزيه يعزون يواسي تواسي مواساه يتضامن تتضامن تضامن تضامنها
condemns condemn condemned condemnation condolences condamne condamnent condoléances
"""
_REACTION_WORDS: Final = frozenset(_REACTION_SURFACE.split())


def is_reaction(title: str) -> bool:
    """Whether a headline reports a reaction (a condemnation, condolences) to an event."""
    for token in surface_tokens(title):
        word = fold_arabic(token) if is_arabic_char(token[0]) else token.casefold()
        if word in _REACTION_WORDS or (word[:1] in ("و", "ف") and word[1:] in _REACTION_WORDS):
            return True
    return False


def stop_keys() -> frozenset[str]:
    """The matching keys of the stop words, as key_tokens gives them."""
    keys: set[str] = set()
    for lang in ("ar", "en", "fr"):
        keyed = key_tokens(_STOP_SURFACE, lang)
        keys.update(keyed.keys)
        keys.update(a for a in keyed.alts if a)
    return frozenset(keys)


def is_figure(term: str) -> bool:
    """Whether a term is a figure that tells events apart (a count, a toll), not a year."""
    if not term.isdigit():
        return False
    value = int(term)
    # Hijri and Gregorian years date an article; they do not tell two events apart.
    return not (1400 <= value <= 1499 or 1900 <= value <= 2099)


# Loose spelling of names transliterated into Arabic: long vowels and hamza seats dropped
# after the first letter, letters that render one foreign sound merged (g: غ ج ق ك; t: ط ت
# ث; s: ص س; d: ض د; z: ظ ذ ز), «تش» as «ج» (Suruç: سوروتش, سروج).
_LOOSE_MIN: Final = 4  # letters a loose key keeps: shorter keys join unrelated words
_LOOSE_DROP: Final = str.maketrans(dict.fromkeys("اويىءئؤأإآ"))
_LOOSE_MERGE: Final = str.maketrans("غجقطثصضظذ", "كككتتسدزز")


@functools.lru_cache(maxsize=65_536)
def loose_keys(term: str) -> tuple[str, ...]:
    """Loose spellings of a long Arabic term, with and without a one-letter proclitic."""
    if len(term) < 4 or not is_arabic_char(term[0]) or not term.isalpha():
        return ()
    forms = [term, term[1:]] if term[0] in "بلكف" and len(term) >= 5 else [term]
    keys = []
    for form in forms:
        rest = form[1:].replace("تش", "ج").translate(_LOOSE_DROP)
        key = (form[0] + rest).translate(_LOOSE_MERGE)
        if len(key) >= _LOOSE_MIN:
            keys.append(key)
    return tuple(keys)


def numeral_value(token: str) -> str | None:
    """The digits of an Arabic number word («وثمانية» -> "8"), None for any other token."""
    folded = fold_arabic(token)
    for prefix in _NUMERAL_PREFIXES:
        if folded.startswith(prefix) and (value := _NUMERAL_WORDS.get(folded[len(prefix) :])):
            return value
    return None


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two sparse vectors (unit-length ones give the cosine)."""
    # Intersecting the key views runs in C; few terms are shared, so few products remain.
    return sum([a[t] * b[t] for t in a.keys() & b.keys()])


# Surface tokens remembered per generation of the reader's tables (two at most): a token
# missing from both costs its whole analysis, one in the older table a move back.
_TOKEN_TABLE: Final = 100_000

# What a surface token reads as: its term ("" for none), or its key and alternative key
# when the running counts choose between them (بموسكو: «موسكو» once the window knows it).
_Reading = str | tuple[str, str]


class TermReader:
    """Turns texts into threading terms, each distinct surface token analysed once."""

    def __init__(self) -> None:
        """Empty tables; the stop words and number words are analysed now."""
        self._stop = stop_keys()
        # Per Latin stemmer (Latin keys depend on it): token -> reading, two generations;
        # a token found in the older table moves back, the rest go at the next turn.
        self._tables: dict[str | None, dict[str, _Reading]] = {}
        self._older: dict[str | None, dict[str, _Reading]] = {}

    def terms(
        self, text: str, lang: str | None, df: Mapping[str, int], limit: int | None = None
    ) -> list[str]:
        """The terms of a text's first limit tokens, in order; df chooses between keys."""
        if EASTERN_DIGIT.search(text):
            text = text.translate(DIGITS)
        tokens = surface_tokens(text)
        if limit is not None:
            tokens = tokens[:limit]
        stemmer = latin_stemmer_lang(lang)
        table = self._tables.get(stemmer)
        if table is None or len(table) >= _TOKEN_TABLE:
            if table is not None:
                self._older[stemmer] = table
            table = self._tables[stemmer] = {}
        read: dict[str, str] = {}
        for token in set(tokens):
            reading = table.get(token)
            if reading is None:
                reading = table[token] = self._reading(token, lang, stemmer)
            if isinstance(reading, tuple):
                key, alt = reading
                reading = self._term(alt if df.get(alt, 0) > df.get(key, 0) else key)
            read[token] = reading
        return [term for term in map(read.__getitem__, tokens) if term]

    def _reading(self, token: str, lang: str | None, stemmer: str | None) -> _Reading:
        """A token's reading, from the older table or analysed."""
        older = self._older.get(stemmer)
        reading = older.pop(token, None) if older else None
        if reading is not None:
            return reading
        key, alt = token_keys(token, lang)
        if not key:
            return ""
        if (value := numeral_value(token)) is not None:
            return value  # «ثمانية» and «8» are one figure
        if alt is None:
            return self._term(key)
        return key, alt

    def _term(self, key: str) -> str:
        """The term a matching key counts as: a figure's digits, or "" for a stop word."""
        if not key.isalpha() and (digits := DIGIT_RUN.search(key)):
            return digits.group()  # و4, 20م: the figure is what events differ by
        if key in self._stop or len(key) < 2:
            return ""
        return key
