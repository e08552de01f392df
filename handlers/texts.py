"""What the bot says, in Arabic and English. Placeholders are filled with str.format."""

from __future__ import annotations

from telegram import Update

LANGUAGES = ("ar", "en")

TEXTS: dict[str, dict[str, str]] = {
    "ar": {
        "start": (
            "مرحباً، أنا <b>مرصد</b>: أتابع مواقع الأخبار وأرسل لك ملخصاً لكل خبر جديد "
            "في المواضيع التي تختارها، مع سبب التنبيه.\n\nالمواضيع:\n{topics}\n\n"
            "للاشتراك: /subscribe (قائمة بالأزرار) أو /subscribe terrorism\n"
            "مثال بحث: /search الإرهاب since:7d\nكل الأوامر: /help"
        ),
        "help": (
            "<b>الأوامر</b>\n"
            "/topics — المواضيع واشتراكات هذه المحادثة\n"
            "/subscribe terrorism — اشترك (دون موضوع: قائمة بالأزرار)\n"
            "/unsubscribe terrorism — ألغِ الاشتراك\n"
            "/mysubs — اشتراكات هذه المحادثة وإعداداتها\n"
            "/search الإرهاب topic:terrorism since:24h lang:ar — ابحث في الأخبار\n"
            "/digest daily 08:00 — موجز يومي (أو hourly، أو off للتنبيهات فرادى)\n"
            "/timezone Africa/Casablanca — المنطقة الزمنية للمواعيد\n"
            "/mute 3 — أوقف التنبيهات 3 ساعات (/mute 0 للإلغاء)\n"
            "/why — ردّاً على تنبيه: لماذا أُرسل\n"
            "/lang en — لغة الردود (ar أو en)"
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
        "slow_down": (
            "مهلاً، وصلتني أوامر كثيرة في وقت قصير فلم أنفّذ الأخيرة منها. "
            "انتظر بضع ثوانٍ ثم أعد إرسال ما تحتاجه."
        ),
        # Journalists' commands (issue 6)
        "mysubs_settings": (
            "التنبيهات: {digest} · المنطقة الزمنية: {tz} · لغة الردود: {lang}{muted}"
        ),
        "digest_mode_off": "فرادى",
        "digest_mode_hourly": "موجز كل ساعة",
        "digest_mode_daily": "موجز يومي الساعة {time}",
        "muted_until_note": " · موقوفة حتى {time}",
        "lang_auto": "حسب لغة تيليغرام",
        "choose_topics": "اضغط على موضوع لتشترك فيه هذه المحادثة أو تلغي اشتراكها:",
        "toggled_on": "تم الاشتراك: {topic}",
        "toggled_off": "أُلغي الاشتراك: {topic}",
        "keyboard_stale": "هذه القائمة قديمة؛ أرسل /subscribe من جديد.",
        "settings_admins_only": "في المجموعات، مشرفو المجموعة وحدهم يغيّرون إعداداتها.",
        "search_usage": (
            "الاستعمال: /search &lt;كلمات&gt; [topic:موضوع] [since:24h|7d] [lang:ar|en|fr] "
            "— مثل /search الإرهاب since:7d"
        ),
        "search_unbalanced": ("علامة تنصيص غير مغلقة. ابحث بكلمات عادية، مثل /search داعش الموصل"),
        "search_no_words": "لا كلمات للبحث. اكتب كلمات، مثل /search الإرهاب",
        "search_bad_since": "مدة غير مفهومة: {value}. استعمل since:24h أو since:7d",
        "search_bad_lang": "لغة غير مدعومة: {value}. استعمل lang:ar أو lang:en أو lang:fr",
        "search_empty": "لا نتائج لـ {query}. جرّب حذف {hint}.",
        "search_hint_filter": "أحد المرشّحات (topic: أو since: أو lang:)",
        "search_hint_word": "كلمة أو استعمال كلمات أعم",
        "search_header": "<b>نتائج {first}–{last}</b> لـ {query}",
        "search_next": "الخمسة التالية ›",
        "search_prev": "‹ السابقة",
        "search_expired": "انتهت صلاحية هذا البحث؛ أرسل /search من جديد.",
        "search_source": "📰 {source} · {when}",
        "digest_usage": "الاستعمال: /digest off|hourly|daily [HH:MM] — مثل /digest daily 07:30",
        "digest_off": "ستصل التنبيهات فرادى من جديد.",
        "digest_hourly": "ستُجمع التنبيهات في موجز واحد كل ساعة.",
        "digest_daily": "ستُجمع التنبيهات في موجز واحد كل يوم الساعة {time} ({tz}).",
        "timezone_usage": (
            "الاستعمال: /timezone &lt;منطقة&gt; — مثل /timezone Asia/Riyadh (الحالية: {tz})"
        ),
        "timezone_unknown": "منطقة زمنية غير معروفة: {tz}. استعمل اسماً مثل Africa/Casablanca",
        "timezone_set": "المنطقة الزمنية الآن {tz} (الساعة هناك {time}).",
        "mute_usage": "الاستعمال: /mute &lt;ساعات&gt; (من 1 إلى 168)، و /mute 0 للإلغاء",
        "muted": "التنبيهات موقوفة حتى {time}، ثم يصل ما فاتك في موجز واحد.",
        "unmuted": "التنبيهات لم تعد موقوفة.",
        "why_usage": "أرسل /why ردّاً على تنبيه لتعرف سبب إرساله.",
        "why_unknown": "هذه الرسالة ليست تنبيهاً أرسلته في هذه المحادثة.",
        "why_header": "<b>لماذا أُرسل هذا التنبيه</b>",
        "why_topic": "• {name} (<code>{id}</code>، الدرجة {score}): {evidence}",
        "why_no_topics": "• لا مواضيع محفوظة لهذا الخبر.",
        "lang_usage": "الاستعمال: /lang ar|en",
        "lang_set": "سأجيب بالعربية في هذه المحادثة.",
        # Admins' commands (issue 7)
        "admin_refused": "عذراً، هذا الأمر لمشرفي مرصد فقط. لم يتغيّر شيء.",
        "admin_help": (
            "<b>أوامر المشرفين</b>\n"
            "/addfeed url [اسم] · /removefeed · /pausefeed · /resumefeed · /feeds\n"
            "/import (مع ملف OPML) · /export\n"
            "/addchannel @قناة موضوع … · /removechannel · /channels\n"
            "/newtopic id [اسم عربي] [اسم إنجليزي] · /deltopic · /terms\n"
            '/addterm موضوع "عبارة" [وزن] · /removeterm · /exclude\n'
            "/testfilter نص أو رابط · /reclassify [ساعات] [alert]\n"
            "/stats · /audit [n] · /addadmin id · /removeadmin id"
        ),
        "addfeed_usage": "الاستعمال: /addfeed &lt;رابط&gt; [اسم]",
        "not_a_feed": "لم أُضِف {url}: {reason}",
        "feed_known": "المصدر موجود أصلاً: <b>{id}</b> {name}",
        "feed_added": (
            "أُضيف المصدر <b>{id}</b> {name}\nعدد الأخبار فيه: {items} · اللغة: {lang}\n"
            "أول جلب يحفظ الأخبار الحالية دون تنبيه."
        ),
        "feed_unknown": "لا يوجد مصدر بهذا الرقم أو الرابط: {ref}",
        "removefeed_usage": "الاستعمال: /removefeed &lt;رقم أو رابط&gt;",
        "pausefeed_usage": "الاستعمال: /pausefeed &lt;رقم أو رابط&gt;",
        "resumefeed_usage": "الاستعمال: /resumefeed &lt;رقم أو رابط&gt;",
        "feed_removed": "حُذف المصدر {name} ولن يُجلب بعد الآن.",
        "feed_paused": "أُوقف المصدر {name} مؤقتاً.",
        "feed_resumed": "استُؤنف المصدر {name} وسيُجلب في الدورة القادمة.",
        "feed_unchanged": "لم يتغيّر شيء: المصدر {name} على هذه الحال أصلاً.",
        "feeds_none": "لا توجد مصادر. أضف واحداً: /addfeed &lt;رابط&gt;",
        "feeds_header": "<b>المصادر</b>: {n} · متعثرة: {failing}",
        "health_last_ok": "آخر نجاح: {when}",
        "health_per_day": "{n} خبر/يوم",
        "health_304": "304: {share}",
        "health_errors": "أخطاء متتالية: {n} ({error})",
        "health_next": "الجلب التالي: {when}",
        "health_paused": "متوقف: {reason}",
        "import_usage": "أرسل ملف OPML وفي تعليقه /import، أو ردّ على الملف بـ /import",
        "import_too_big": "الملف أكبر من 2 ميغابايت.",
        "import_bad": "لم أستورد شيئاً: {reason}",
        "import_done": (
            "الاستيراد: أُضيف {added} · موجود أصلاً {known} · حذفه مشرف سابقاً {removed} · "
            "رابط غير http(s) {refused}"
        ),
        "export_caption": "مصادر مرصد ({n})",
        "addchannel_usage": "الاستعمال: /addchannel &lt;@قناة أو رقم&gt; &lt;موضوع&gt; …",
        "removechannel_usage": "الاستعمال: /removechannel &lt;@قناة أو رقم&gt; [موضوع …]",
        "channel_not_found": "لم أجد المحادثة {ref}: {reason}",
        "channel_private": "{name} محادثة خاصة وليست قناة أو مجموعة.",
        "channel_not_member": "البوت ليس عضواً في {name}. أضفه أولاً.",
        "channel_not_admin": "البوت ليس مشرفاً في {name}. اجعله مشرفاً يستطيع النشر.",
        "channel_cannot_post": "البوت لا يملك صلاحية النشر في {name}.",
        "channel_added": "ستصل إلى {name} أخبار: {topics}",
        "channel_unknown": "لا تصل إلى {ref} أي مواضيع.",
        "channel_removed": "أُلغي {n} من اشتراكات {ref}.",
        "channels_none": "لا توجد قنوات أو مجموعات مشتركة.",
        "channels_header": "<b>القنوات والمجموعات</b>",
        "newtopic_usage": 'الاستعمال: /newtopic &lt;id&gt; ["اسم عربي"] ["English name"]',
        "topic_invalid": "لم يتغيّر شيء: {reason}",
        "topic_created": (
            'أُنشئ الموضوع <code>{id}</code>. أضف كلماته: /addterm {id} "عبارة" '
            "— كلمة واحدة تكفي ليُصنَّف الخبر."
        ),
        "topic_enabled": "أُعيد تفعيل الموضوع <code>{id}</code>.",
        "topic_exists": "الموضوع <code>{id}</code> موجود أصلاً.",
        "deltopic_usage": "الاستعمال: /deltopic &lt;موضوع&gt;",
        "topic_deleted": "حُذف الموضوع <code>{id}</code> واشتراكاته.",
        "topic_disabled": "عُطّل الموضوع المدمج <code>{id}</code> (أعِده بـ /newtopic {id}).",
        "topic_already_off": "الموضوع <code>{id}</code> معطّل أصلاً.",
        "terms_usage": "الاستعمال: /terms &lt;موضوع&gt;",
        "terms_header": "<b>{name}</b> <code>{id}</code> · العتبة: {threshold} · {state}",
        "topic_state_on": "مفعّل",
        "topic_state_off": "معطّل",
        "topic_state_draft": "مسودة",
        "terms_label": "كلمات",
        "exclusions_label": "استثناءات",
        "group_label": "مجموعة {name}",
        "topic_draft_hint": 'لا كلمات بعد: /addterm {id} "عبارة"',
        "addterm_usage": 'الاستعمال: /addterm &lt;موضوع&gt; "عبارة" … [وزن]',
        "term_added": "أُضيف إلى <code>{id}</code>: {terms} (الوزن {weight}، العتبة {threshold})",
        "removeterm_usage": "الاستعمال: /removeterm &lt;موضوع&gt; &lt;عبارة&gt;",
        "term_removed": "حُذفت {term} من <code>{id}</code>.",
        "exclude_usage": "الاستعمال: /exclude &lt;موضوع&gt; &lt;عبارة&gt; [خصم]",
        "exclusion_added": "أُضيف الاستثناء {term} إلى <code>{id}</code>.",
        "testfilter_usage": "الاستعمال: /testfilter &lt;نص الخبر أو رابطه&gt;",
        "testfilter_fetch_failed": "تعذّر جلب الصفحة: {reason}",
        "testfilter_header": "<b>اختبار القواعد</b> · اللغة: {lang}",
        "verdict_yes": "✅ <code>{id}</code>: {score} ≥ {threshold} — يُصنَّف",
        "verdict_no": "▫️ <code>{id}</code>: {score} &lt; {threshold} — لا يُصنَّف",
        "verdict_evidence": "الدليل: {evidence}",
        "verdict_excluded": "مستثنى: {items}",
        "verdict_missing": "ناقص: {items}",
        "reclassify_usage": "الاستعمال: /reclassify [ساعات] [alert]",
        "reclassify_started": "بدأت إعادة تصنيف أخبار آخر {hours} ساعة…",
        "reclassify_progress": "إعادة تصنيف أخبار آخر {hours} ساعة: {done}…",
        "reclassify_running": "إعادة تصنيف جارية أصلاً؛ رسالتها تبيّن أين وصلت.",
        "reclassify_skipped": ("أُعيد تصنيف أحدث {checked} خبر؛ ولم يُعَد تصنيف {skipped} خبراً أقدم."),
        "reclassify_done": (
            "أُعيد تصنيف أخبار آخر {hours} ساعة: {checked} خبراً، تغيّر {changed}: {details}\n"
            "تنبيهات جديدة: {alerts}"
        ),
        "stats": (
            "<b>إحصاءات</b>\nالمصادر: {feeds} (نشطة {active}، متعثرة {failing})\n"
            "أخبار اليوم: {articles} · تنبيهات اليوم: {alerts}\nفي الطابور: {pending}\n{cycle}"
        ),
        "stats_cycle": "آخر دورة: {seconds} ث لـ {feeds} مصدر",
        "stats_no_cycle": "لم تكتمل أي دورة بعد.",
        "audit_usage": "الاستعمال: /audit [عدد]",
        "audit_none": "سجل التغييرات فارغ.",
        "audit_header": "<b>آخر {n} تغييرات</b>",
        "audit_system": "النظام",
        "addadmin_usage": "الاستعمال: /addadmin &lt;رقم المستخدم&gt; (أو ردّ على رسالته)",
        "removeadmin_usage": "الاستعمال: /removeadmin &lt;رقم المستخدم&gt;",
        "admin_added": "أصبح {id} مشرفاً.",
        "admin_already": "{id} مشرف أصلاً.",
        "admin_removed": "لم يعد {id} مشرفاً.",
        "admin_configured": "{id} من ADMIN_IDS في الإعدادات ولا يُزال من المحادثة.",
        "admin_not_admin": "{id} ليس مشرفاً مضافاً.",
    },
    "en": {
        "start": (
            "Hello, I am <b>Marsad</b>: I watch news sites and send you a short summary of "
            "every new article on the topics you choose, with why it matched.\n\n"
            "Topics:\n{topics}\n\n"
            "Subscribe: /subscribe (buttons) or /subscribe terrorism\n"
            "Example search: /search ransomware since:7d\nAll commands: /help"
        ),
        "help": (
            "<b>Commands</b>\n"
            "/topics — the topics and this chat's subscriptions\n"
            "/subscribe terrorism — subscribe (no topic: a keyboard of topics)\n"
            "/unsubscribe terrorism — unsubscribe\n"
            "/mysubs — this chat's subscriptions and settings\n"
            "/search ransomware topic:cybersecurity since:24h lang:en — search the news\n"
            "/digest daily 08:00 — one digest a day (or hourly, or off for single alerts)\n"
            "/timezone Africa/Casablanca — the time zone for times and digests\n"
            "/mute 3 — silence alerts for 3 hours (/mute 0 ends it)\n"
            "/why — in reply to an alert: why it was sent\n"
            "/lang ar — the language of replies (ar or en)"
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
        "slow_down": (
            "Slow down a little: that was many commands in a short time, so I skipped the "
            "last ones. Wait a few seconds, then send again what you need."
        ),
        # Journalists' commands (issue 6)
        "mysubs_settings": "Alerts: {digest} · Time zone: {tz} · Reply language: {lang}{muted}",
        "digest_mode_off": "one by one",
        "digest_mode_hourly": "hourly digest",
        "digest_mode_daily": "daily digest at {time}",
        "muted_until_note": " · muted until {time}",
        "lang_auto": "from Telegram",
        "choose_topics": "Tap a topic to subscribe this chat to it, or to unsubscribe:",
        "toggled_on": "Subscribed: {topic}",
        "toggled_off": "Unsubscribed: {topic}",
        "keyboard_stale": "This keyboard is out of date; send /subscribe again.",
        "settings_admins_only": "In groups, only the group's admins change its settings.",
        "search_usage": (
            "Usage: /search &lt;words&gt; [topic:id] [since:24h|7d] [lang:ar|en|fr] "
            "— e.g. /search ransomware since:7d"
        ),
        "search_unbalanced": (
            "A quote is not closed. Search for plain words, e.g. /search ISIS Mosul"
        ),
        "search_no_words": "Nothing to search for: type words, e.g. /search terrorism",
        "search_bad_since": "Unclear period: {value}. Use since:24h or since:7d",
        "search_bad_lang": "Unsupported language: {value}. Use lang:ar, lang:en or lang:fr",
        "search_empty": "Nothing found for {query}. Try dropping {hint}.",
        "search_hint_filter": "a filter (topic:, since: or lang:)",
        "search_hint_word": "a word, or using more general words",
        "search_header": "<b>Results {first}–{last}</b> for {query}",
        "search_next": "Next five ›",
        "search_prev": "‹ Previous",
        "search_expired": "This search has expired; send /search again.",
        "search_source": "📰 {source} · {when}",
        "digest_usage": "Usage: /digest off|hourly|daily [HH:MM] — e.g. /digest daily 07:30",
        "digest_off": "Alerts arrive one by one again.",
        "digest_hourly": "Alerts are gathered into one digest every hour.",
        "digest_daily": "Alerts are gathered into one digest every day at {time} ({tz}).",
        "timezone_usage": (
            "Usage: /timezone &lt;zone&gt; — e.g. /timezone Africa/Casablanca (now: {tz})"
        ),
        "timezone_unknown": "Unknown time zone: {tz}. Use a name like Africa/Casablanca",
        "timezone_set": "Time zone set to {tz} (it is {time} there).",
        "mute_usage": "Usage: /mute &lt;hours&gt; (1 to 168); /mute 0 ends it",
        "muted": "Alerts are muted until {time}; what arrives meanwhile comes as one digest after.",
        "unmuted": "Alerts are no longer muted.",
        "why_usage": "Reply to an alert with /why to see why it was sent.",
        "why_unknown": "That message is not an alert I sent in this chat.",
        "why_header": "<b>Why this alert</b>",
        "why_topic": "• {name} (<code>{id}</code>, score {score}): {evidence}",
        "why_no_topics": "• No topics are stored for this article.",
        "lang_usage": "Usage: /lang ar|en",
        "lang_set": "I will answer in English in this chat.",
        # Admins' commands (issue 7)
        "admin_refused": "Sorry, only Marsad's admins may use this command. Nothing was changed.",
        "admin_help": (
            "<b>Admins' commands</b>\n"
            "/addfeed url [name] · /removefeed · /pausefeed · /resumefeed · /feeds\n"
            "/import (with an OPML file) · /export\n"
            "/addchannel @channel topic … · /removechannel · /channels\n"
            "/newtopic id [Arabic name] [English name] · /deltopic · /terms\n"
            '/addterm topic "phrase" [weight] · /removeterm · /exclude\n'
            "/testfilter text or URL · /reclassify [hours] [alert]\n"
            "/stats · /audit [n] · /addadmin id · /removeadmin id"
        ),
        "addfeed_usage": "Usage: /addfeed &lt;url&gt; [name]",
        "not_a_feed": "Not added, {url}: {reason}",
        "feed_known": "Already watched: <b>{id}</b> {name}",
        "feed_added": (
            "Added feed <b>{id}</b> {name}\nItems: {items} · language: {lang}\n"
            "Its first poll stores the current items without alerting."
        ),
        "feed_unknown": "No feed with that id or URL: {ref}",
        "removefeed_usage": "Usage: /removefeed &lt;id or url&gt;",
        "pausefeed_usage": "Usage: /pausefeed &lt;id or url&gt;",
        "resumefeed_usage": "Usage: /resumefeed &lt;id or url&gt;",
        "feed_removed": "Removed {name}; it will not be fetched again.",
        "feed_paused": "Paused {name}.",
        "feed_resumed": "Resumed {name}; it is fetched in the next cycle.",
        "feed_unchanged": "Nothing changed: {name} already is that way.",
        "feeds_none": "No feeds yet. Add one: /addfeed &lt;url&gt;",
        "feeds_header": "<b>Feeds</b>: {n} · failing: {failing}",
        "health_last_ok": "last success: {when}",
        "health_per_day": "{n} items/day",
        "health_304": "304s: {share}",
        "health_errors": "error streak: {n} ({error})",
        "health_next": "next check: {when}",
        "health_paused": "paused: {reason}",
        "import_usage": "Send an OPML file with /import as its caption, or reply /import to it.",
        "import_too_big": "The file is larger than 2 MB.",
        "import_bad": "Nothing imported: {reason}",
        "import_done": (
            "Import: {added} added · {known} already watched · {removed} removed by an admin "
            "before · {refused} not http(s)"
        ),
        "export_caption": "Marsad's feeds ({n})",
        "addchannel_usage": "Usage: /addchannel &lt;@channel or id&gt; &lt;topic&gt; …",
        "removechannel_usage": "Usage: /removechannel &lt;@channel or id&gt; [topic …]",
        "channel_not_found": "Could not find {ref}: {reason}",
        "channel_private": "{name} is a private chat, not a channel or group.",
        "channel_not_member": "The bot is not a member of {name}. Add it first.",
        "channel_not_admin": "The bot is not an admin of {name}. Make it an admin that can post.",
        "channel_cannot_post": "The bot may not post in {name}.",
        "channel_added": "{name} will receive: {topics}",
        "channel_unknown": "{ref} receives no topics.",
        "channel_removed": "Removed {n} of {ref}'s subscriptions.",
        "channels_none": "No channels or groups receive topics.",
        "channels_header": "<b>Channels and groups</b>",
        "newtopic_usage": 'Usage: /newtopic &lt;id&gt; ["Arabic name"] ["English name"]',
        "topic_invalid": "Nothing changed: {reason}",
        "topic_created": (
            'Created topic <code>{id}</code>. Add its terms: /addterm {id} "phrase" '
            "— one term is enough to tag an article."
        ),
        "topic_enabled": "Enabled topic <code>{id}</code> again.",
        "topic_exists": "Topic <code>{id}</code> already exists.",
        "deltopic_usage": "Usage: /deltopic &lt;topic&gt;",
        "topic_deleted": "Deleted topic <code>{id}</code> and its subscriptions.",
        "topic_disabled": "Disabled built-in topic <code>{id}</code> (/newtopic {id} restores it).",
        "topic_already_off": "Topic <code>{id}</code> is already disabled.",
        "terms_usage": "Usage: /terms &lt;topic&gt;",
        "terms_header": "<b>{name}</b> <code>{id}</code> · threshold: {threshold} · {state}",
        "topic_state_on": "enabled",
        "topic_state_off": "disabled",
        "topic_state_draft": "draft",
        "terms_label": "terms",
        "exclusions_label": "exclusions",
        "group_label": "group {name}",
        "topic_draft_hint": 'No terms yet: /addterm {id} "phrase"',
        "addterm_usage": 'Usage: /addterm &lt;topic&gt; "phrase" … [weight]',
        "term_added": (
            "Added to <code>{id}</code>: {terms} (weight {weight}, threshold {threshold})"
        ),
        "removeterm_usage": "Usage: /removeterm &lt;topic&gt; &lt;term&gt;",
        "term_removed": "Removed {term} from <code>{id}</code>.",
        "exclude_usage": "Usage: /exclude &lt;topic&gt; &lt;phrase&gt; [penalty]",
        "exclusion_added": "Added exclusion {term} to <code>{id}</code>.",
        "testfilter_usage": "Usage: /testfilter &lt;article text or URL&gt;",
        "testfilter_fetch_failed": "Could not fetch the page: {reason}",
        "testfilter_header": "<b>Filter test</b> · language: {lang}",
        "verdict_yes": "✅ <code>{id}</code>: score {score} ≥ threshold {threshold} — tagged",
        "verdict_no": "▫️ <code>{id}</code>: score {score} &lt; threshold {threshold} — not tagged",
        "verdict_evidence": "evidence: {evidence}",
        "verdict_excluded": "excluded: {items}",
        "verdict_missing": "missing: {items}",
        "reclassify_usage": "Usage: /reclassify [hours] [alert]",
        "reclassify_started": "Reclassifying the articles of the last {hours} hours…",
        "reclassify_progress": "Reclassifying the last {hours} hours: {done}…",
        "reclassify_running": "A reclassification is already running; its message shows how far.",
        "reclassify_skipped": "{checked} newest reclassified; {skipped} older ones were not.",
        "reclassify_done": (
            "Reclassified the last {hours} hours: {checked} articles, {changed} changed: "
            "{details}\nNew alerts: {alerts}"
        ),
        "stats": (
            "<b>Stats</b>\nFeeds: {feeds} ({active} active, {failing} failing)\n"
            "Articles today: {articles} · alerts today: {alerts}\nQueue: {pending}\n{cycle}"
        ),
        "stats_cycle": "Last cycle: {seconds}s for {feeds} feeds",
        "stats_no_cycle": "No cycle has finished yet.",
        "audit_usage": "Usage: /audit [n]",
        "audit_none": "The audit log is empty.",
        "audit_header": "<b>Last {n} changes</b>",
        "audit_system": "system",
        "addadmin_usage": "Usage: /addadmin &lt;user id&gt; (or reply to their message)",
        "removeadmin_usage": "Usage: /removeadmin &lt;user id&gt;",
        "admin_added": "{id} is now an admin.",
        "admin_already": "{id} already is an admin.",
        "admin_removed": "{id} is no longer an admin.",
        "admin_configured": "{id} is in ADMIN_IDS; only the settings can remove them.",
        "admin_not_admin": "{id} is not an admin added from chat.",
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
