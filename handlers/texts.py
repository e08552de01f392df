"""What the bot says, in Arabic and English. Placeholders are filled with str.format."""

from __future__ import annotations

from telegram import Update

LANGUAGES = ("ar", "en")

TEXTS: dict[str, dict[str, str]] = {
    "ar": {
        "start": (
            "مرحباً، أنا <b>مرصد</b>: أتابع مواقع الأخبار وأرسل لك ملخصاً لكل خبر جديد "
            "في المواضيع التي تختارها.\n\nالمواضيع:\n{topics}\n\n"
            "للاشتراك: /subscribe terrorism\nللبحث: /search الإرهاب\nالأوامر: /help"
        ),
        "help": (
            "<b>الأوامر</b>\n"
            "/topics — المواضيع واشتراكات هذه المحادثة\n"
            "/subscribe terrorism — اشترك في موضوع\n"
            "/unsubscribe terrorism — ألغِ الاشتراك\n"
            "/mysubs — اشتراكاتك"
        ),
        "topics": "<b>المواضيع</b>\n{topics}",
        "topic_line": "{mark} <code>{id}</code> — {name}",
        "subscribed": "تم الاشتراك في: {topics}",
        "already": "هذه المحادثة مشتركة أصلاً في: {topics}",
        "unsubscribed": "أُلغي الاشتراك في: {topics}",
        "not_subscribed": "هذه المحادثة غير مشتركة في: {topics}",
        "unknown_topics": "مواضيع غير معروفة: {names}. المواضيع المتاحة: {ids}",
        "subscribe_usage": "الاستعمال: /subscribe &lt;موضوع&gt; … مثل /subscribe terrorism",
        "unsubscribe_usage": "الاستعمال: /unsubscribe &lt;موضوع&gt; … مثل /unsubscribe terrorism",
        "mysubs": "<b>اشتراكات هذه المحادثة</b>\n{topics}",
        "mysubs_none": "هذه المحادثة غير مشتركة في أي موضوع. جرّب /subscribe terrorism",
        "admins_only": "في المجموعات، مشرفو المجموعة وحدهم يغيّرون الاشتراكات.",
        "unknown_command": "أمر غير معروف. الأوامر: /help",
        "error": "حدث خطأ ولم يُنفَّذ الأمر. حاول مرة أخرى بعد قليل.",
    },
    "en": {
        "start": (
            "Hello, I am <b>Marsad</b>: I watch news sites and send you a short summary of "
            "every new article on the topics you choose.\n\nTopics:\n{topics}\n\n"
            "Subscribe: /subscribe terrorism\nSearch: /search terrorism\nCommands: /help"
        ),
        "help": (
            "<b>Commands</b>\n"
            "/topics — the topics and this chat's subscriptions\n"
            "/subscribe terrorism — subscribe to a topic\n"
            "/unsubscribe terrorism — unsubscribe\n"
            "/mysubs — your subscriptions"
        ),
        "topics": "<b>Topics</b>\n{topics}",
        "topic_line": "{mark} <code>{id}</code> — {name}",
        "subscribed": "Subscribed to: {topics}",
        "already": "This chat is already subscribed to: {topics}",
        "unsubscribed": "Unsubscribed from: {topics}",
        "not_subscribed": "This chat is not subscribed to: {topics}",
        "unknown_topics": "Unknown topics: {names}. Available topics: {ids}",
        "subscribe_usage": "Usage: /subscribe &lt;topic&gt; … e.g. /subscribe terrorism",
        "unsubscribe_usage": "Usage: /unsubscribe &lt;topic&gt; … e.g. /unsubscribe terrorism",
        "mysubs": "<b>This chat's subscriptions</b>\n{topics}",
        "mysubs_none": "This chat has no subscriptions. Try /subscribe terrorism",
        "admins_only": "In groups, only the group's admins change subscriptions.",
        "unknown_command": "Unknown command. Commands: /help",
        "error": "Something went wrong and the command was not carried out. Try again shortly.",
    },
}


def user_language(update: Update) -> str:
    """Arabic when Telegram says the user's language is Arabic, else English."""
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "ar" if code.lower().startswith("ar") else "en"


def say(language: str, key: str, **values: str) -> str:
    """A text in language (English when there is no such language), filled in."""
    table = TEXTS.get(language, TEXTS["en"])
    return table[key].format(**values)
