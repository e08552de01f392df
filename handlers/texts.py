"""What the bot says: one module per UI language (Arabic first), looked up by key.

Every language has every key (tests/telegram/test_texts.py checks the code's keys).
Placeholders are filled with str.format.
"""

from __future__ import annotations

from telegram import Update

from handlers.texts_ar import AR
from handlers.texts_en import EN

LANGUAGES = ("ar", "en")

TEXTS: dict[str, dict[str, str]] = {"ar": AR, "en": EN}


def user_language(update: Update) -> str:
    """Arabic when Telegram says the user's language is Arabic, else English."""
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "ar" if code.lower().startswith("ar") else "en"


def say(language: str, key: str, **values: str) -> str:
    """A text in language (English when there is no such language), filled in."""
    table = TEXTS.get(language, TEXTS["en"])
    return table[key].format(**values)
