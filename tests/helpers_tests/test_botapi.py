"""The local Bot API server behaves like Telegram for the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import urllib.request

import pytest
from telegram import (
    Bot,
    BotCommand,
    ChatMemberAdministrator,
    ChatMemberLeft,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from tests.helpers.botapi import (
    BotApiServer,
    Failure,
    HtmlParseError,
    TelegramLimits,
    callback_update,
    message_update,
    parse_telegram_html,
    utf16_len,
)
from tests.helpers.botapi_fixtures import application_builder_for, bot_for

pytestmark = [
    pytest.mark.timeout(30),
    # PTB 22 warns that RetryAfter.retry_after will become a timedelta; seconds() handles both.
    pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning"),
]


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB's settings."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# --------------------------------------------------------------------------- plain calls


async def test_get_me_describes_the_bot(tg_bot: Bot, botapi: BotApiServer) -> None:
    me = await tg_bot.get_me()
    assert me.is_bot and me.username == "marsad_test_bot" and me.id == botapi.bot_id
    assert [c.method for c in botapi.calls].count("getMe") >= 1


async def test_wrong_token_is_unauthorized(botapi: BotApiServer) -> None:
    bot = Bot("999:wrong", base_url=botapi.base_url)
    with pytest.raises(InvalidToken):
        await bot.get_me()


async def test_html_message_is_recorded_and_returned(tg_bot: Bot, botapi: BotApiServer) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("more", callback_data="a:1")]])
    message = await tg_bot.send_message(
        -1001234,
        '<b>عاجل</b> A &amp; B <a href="https://x.test/?a=1&amp;b=2">link</a>',
        parse_mode=ParseMode.HTML,
        message_thread_id=7,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert message.text == "عاجل A & B link"
    assert message.message_id > 0 and message.chat.id == -1001234
    kinds = {(e.type, e.offset, e.length, e.url) for e in message.entities}
    assert kinds == {("bold", 0, 4, None), ("text_link", 11, 4, "https://x.test/?a=1&b=2")}
    (sent,) = botapi.messages
    assert sent.chat_id == -1001234 and sent.message_thread_id == 7
    assert sent.parse_mode == "HTML" and sent.link_preview_disabled
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "more", "callback_data": "a:1"}]]}


async def test_message_ids_increase_per_chat(tg_bot: Bot) -> None:
    first = await tg_bot.send_message(42, "one")
    second = await tg_bot.send_message(42, "two")
    assert second.message_id == first.message_id + 1


async def test_disable_web_page_preview_is_recorded(botapi: BotApiServer) -> None:
    body = json.dumps({"chat_id": 5, "text": "x", "disable_web_page_preview": True}).encode()
    request = urllib.request.Request(
        f"{botapi.base_url}{botapi.token}/sendMessage",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    # A JSON body (not PTB's form encoding) as other clients send it; urllib blocks, so thread it.
    response = await asyncio.to_thread(urllib.request.urlopen, request, timeout=5)
    assert json.loads(response.read())["ok"] is True
    assert botapi.messages[0].disable_web_page_preview is True
    assert botapi.messages[0].link_preview_disabled


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<b>open",
        "<b><i>x</b></i>",
        "a < b",
        "Tom & Jerry",
        "<br>",
        '<span class="x">s</span>',
        "<a>no href</a>",
    ],
)
async def test_bad_html_is_a_bad_request(tg_bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await tg_bot.send_message(1, text, parse_mode=ParseMode.HTML)


async def test_too_long_counts_utf16_after_parsing(tg_bot: Bot) -> None:
    emoji = "😀" * 2048  # 2048 characters, 4096 UTF-16 units: exactly the limit
    await tg_bot.send_message(1, f"<b>{emoji}</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await tg_bot.send_message(1, emoji + "x", parse_mode=ParseMode.HTML)


async def test_long_callback_data_is_refused(tg_bot: Bot) -> None:
    button = InlineKeyboardButton("x", callback_data="ع" * 33)  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await tg_bot.send_message(1, "x", reply_markup=InlineKeyboardMarkup([[button]]))


# --------------------------------------------------------------------------- scripted failures


async def test_retry_after_reaches_ptb(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.fail_next("sendMessage", Failure.retry_after(3))
    with pytest.raises(RetryAfter) as caught:
        await tg_bot.send_message(1, "x")
    assert seconds(caught.value.retry_after) == 3
    await tg_bot.send_message(1, "x")  # only the next call failed
    assert [c.status for c in botapi.calls_of("sendMessage")] == [429, 200]


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (Failure.blocked(), Forbidden),
        (Failure.kicked(), Forbidden),
        (Failure.server_error(500), NetworkError),
        (Failure.server_error(502), NetworkError),
    ],
)
async def test_failures_map_to_ptb_errors(
    tg_bot: Bot, botapi: BotApiServer, failure: Failure, error: type[Exception]
) -> None:
    botapi.fail_next("sendMessage", failure)
    with pytest.raises(error) as caught:
        await tg_bot.send_message(1, "x")
    assert not isinstance(caught.value, BadRequest)


async def test_migration_gives_the_new_chat_id(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.migrate_chat(-555, -1009999)
    for _ in range(2):  # a migrated group stays migrated
        with pytest.raises(ChatMigrated) as caught:
            await tg_bot.send_message(-555, "x")
        assert caught.value.new_chat_id == -1009999
    await tg_bot.send_message(-1009999, "x")
    assert [m.chat_id for m in botapi.messages] == [-1009999]


async def test_failures_can_target_one_chat(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.fail_next("sendMessage", Failure.blocked(), times=2, chat_id=2)
    await tg_bot.send_message(1, "to one")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await tg_bot.send_message(2, "to two")
    await tg_bot.send_message(2, "to two")
    assert [m.chat_id for m in botapi.messages] == [1, 2]


async def test_blocked_chat_stays_blocked(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.block(9)
    for _ in range(3):
        with pytest.raises(Forbidden, match="blocked"):
            await tg_bot.send_message(9, "x")
    botapi.unblock(9)
    await tg_bot.send_message(9, "x")


async def test_lost_response_is_sent_but_unanswered(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.fail_next("sendMessage", Failure.lost_response())
    with pytest.raises(NetworkError):
        await tg_bot.send_message(1, "in flight")
    assert [m.text for m in botapi.messages] == ["in flight"]  # Telegram did send it
    assert botapi.calls_of("sendMessage")[0].status == 0
    await tg_bot.send_message(1, "next")  # the server is still fine


# --------------------------------------------------------------------------- chats and commands


async def test_chat_member_roles(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.add_chat(-1007, "channel", title="Wire", bot_status="administrator")
    botapi.set_member(-1007, 50, "creator")
    botapi.add_chat(-1008, "channel", bot_status="left")
    me = await tg_bot.get_chat_member(-1007, botapi.bot_id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages
    assert isinstance(await tg_bot.get_chat_member(-1008, botapi.bot_id), ChatMemberLeft)
    admins = await tg_bot.get_chat_administrators(-1007)
    assert {a.user.id for a in admins} == {botapi.bot_id, 50}
    chat = await tg_bot.get_chat(-1007)
    assert chat.type == "channel" and chat.title == "Wire"


async def test_channel_needs_admin_rights_to_post(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.add_chat(-1001, "channel", bot_status="administrator", can_post_messages=False)
    botapi.add_chat(-1002, "channel", bot_status="left")
    with pytest.raises(BadRequest, match="administrator rights"):
        await tg_bot.send_message(-1001, "x")
    with pytest.raises(Forbidden, match="not a member"):
        await tg_bot.send_message(-1002, "x")


async def test_commands_round_trip(tg_bot: Bot) -> None:
    await tg_bot.set_my_commands([BotCommand("subscribe", "اشترك")], language_code="ar")
    assert [c.command for c in await tg_bot.get_my_commands(language_code="ar")] == ["subscribe"]
    assert await tg_bot.get_my_commands() == ()
    await tg_bot.delete_my_commands(language_code="ar")
    assert await tg_bot.get_my_commands(language_code="ar") == ()
    assert await tg_bot.delete_webhook() and await tg_bot.close()


async def test_edit_message_text(tg_bot: Bot, botapi: BotApiServer) -> None:
    sent = await tg_bot.send_message(3, "<b>a</b>", parse_mode=ParseMode.HTML)
    edited = await tg_bot.edit_message_text("<i>b</i>", 3, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.message_id == sent.message_id
    assert botapi.messages[0].plain_text == "b"
    with pytest.raises(BadRequest, match="not modified"):
        await tg_bot.edit_message_text("<i>b</i>", 3, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="not found"):
        await tg_bot.edit_message_text("c", 3, 1)


# --------------------------------------------------------------------------- getUpdates


async def test_long_poll_returns_when_an_update_is_queued() -> None:
    # The cap is far longer than the test timeout: only the wake-up can make this pass.
    async with BotApiServer(long_poll_cap=60) as server, bot_for(server) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=60, read_timeout=70))
        await server.wait_for_long_poll()
        server.queue_update(message_update("/start", chat_id=1, user_id=1))
        updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates if u.message] == ["/start"]


async def test_offset_confirms_updates(tg_bot: Bot, botapi: BotApiServer) -> None:
    first = botapi.queue_update(message_update("a", chat_id=1, user_id=1))
    botapi.queue_update(message_update("b", chat_id=1, user_id=1))
    assert len(await tg_bot.get_updates()) == 2
    later = await tg_bot.get_updates(offset=first + 1)
    assert [u.message.text for u in later if u.message] == ["b"]
    assert [u.message.text for u in await tg_bot.get_updates() if u.message] == ["b"]


async def test_closing_the_server_ends_a_pending_long_poll() -> None:
    server = BotApiServer(long_poll_cap=60)
    await server.__aenter__()
    async with bot_for(server) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=60, read_timeout=70))
        await server.wait_for_long_poll()
        await asyncio.wait_for(server.close(), 5)
        assert await asyncio.wait_for(poll, 5) == ()


async def test_a_second_poller_conflicts_the_first() -> None:
    async with (
        BotApiServer(long_poll_cap=60) as server,
        bot_for(server) as bot,
        bot_for(server) as other_instance,
    ):
        first = asyncio.create_task(bot.get_updates(timeout=60, read_timeout=70))
        await server.wait_for_long_poll()
        second = asyncio.create_task(other_instance.get_updates(timeout=0))
        with pytest.raises(Conflict):
            await asyncio.wait_for(first, 5)
        assert await second == ()


async def test_allowed_updates_filter(tg_bot: Bot, botapi: BotApiServer) -> None:
    botapi.queue_update(message_update("hi", chat_id=1, user_id=1))
    botapi.queue_update(callback_update("x", chat_id=1, user_id=1, message_id=5))
    updates = await tg_bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["x"]
    assert len(updates) == 1


async def test_wait_for_calls_fails_loudly(botapi: BotApiServer) -> None:
    with pytest.raises(AssertionError, match="sendMessage"):
        await botapi.wait_for_calls("sendMessage", 1, timeout=0.05)


async def test_application_answers_start_and_callbacks(botapi: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_html(
            f"<b>أهلاً</b> {update.effective_user.language_code}"
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("ok")

    application = application_builder_for(botapi).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(button))
    botapi.queue_update(message_update("/start", chat_id=77, user_id=77, language_code="ar"))
    botapi.queue_update(
        message_update("/start@marsad_test_bot", chat_id=-100500, user_id=8, chat_type="group")
    )
    botapi.queue_update(callback_update("topic:1", chat_id=77, user_id=77, message_id=1))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        messages = await botapi.wait_for_messages(2)
        await botapi.wait_for_calls("answerCallbackQuery")
        await application.updater.stop()
        await application.stop()
    assert {(m.chat_id, m.plain_text) for m in messages} == {(77, "أهلاً ar"), (-100500, "أهلاً ar")}
    assert botapi.calls_of("deleteWebhook")  # PTB's polling bootstrap ran against us
    assert botapi._updates == []  # stopping confirmed every update


# --------------------------------------------------------------------------- enforced limits


class FakeClock:
    """A clock the test moves by hand, so limit tests never sleep."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_private_chat_pace_with_burst() -> None:
    clock = FakeClock()
    async with BotApiServer(enforce_limits=True, clock=clock) as server, bot_for(server) as bot:
        for _ in range(3):
            await bot.send_message(1, "burst")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1, "too fast")
        assert seconds(caught.value.retry_after) == 1
        await bot.send_message(2, "another chat is not held back")
        clock.now += 1.0
        await bot.send_message(1, "after a second")
        assert server.rate_limited == 1 and server.throttled == [(1, 1)]


async def test_group_gets_twenty_per_minute() -> None:
    clock = FakeClock()
    async with BotApiServer(enforce_limits=True, clock=clock) as server, bot_for(server) as bot:
        for i in range(20):
            clock.now += 0.1
            await bot.send_message(-100, f"m{i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-100, "21st")
        assert 58 <= seconds(caught.value.retry_after) <= 60
        clock.now += 58.2  # the first message leaves the window
        await bot.send_message(-100, "21st, later")
        assert server.rate_limited == 1


async def test_global_ceiling_of_thirty_per_second() -> None:
    clock = FakeClock()
    limits = TelegramLimits(global_per_second=30)
    async with (
        BotApiServer(enforce_limits=True, limits=limits, clock=clock) as server,
        bot_for(server) as bot,
    ):
        for chat in range(1, 31):
            await bot.send_message(chat, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(31, "x")
        clock.now += 1.0
        await bot.send_message(31, "x")
        assert server.rate_limited == 1 and len(server.messages) == 31


async def test_windows_can_be_compressed_for_benchmarks() -> None:
    clock = FakeClock()
    limits = TelegramLimits(group_per_minute=2, group_window=6.0)
    async with (
        BotApiServer(enforce_limits=True, limits=limits, clock=clock) as server,
        bot_for(server) as bot,
    ):
        await bot.send_message(-5, "a")
        await bot.send_message(-5, "b")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-5, "c")
        assert seconds(caught.value.retry_after) == 6
        clock.now += 6.0
        await bot.send_message(-5, "c")
        assert server.rate_limited == 1


async def test_limits_are_off_unless_enforced(tg_bot: Bot, botapi: BotApiServer) -> None:
    for _ in range(10):
        await tg_bot.send_message(1, "x")
    assert botapi.rate_limited == 0


# --------------------------------------------------------------------------- the HTML parser


def test_parser_offsets_are_utf16() -> None:
    text, entities = parse_telegram_html("😀 <b>ab</b> <code>x&lt;y</code>")
    assert text == "😀 ab x<y"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "code", "offset": 6, "length": 3},
    ]


def test_parser_accepts_telegram_tags_and_entities() -> None:
    source = (
        "<strong>s</strong><em>e</em><ins>i</ins><strike>k</strike><del>d</del>"
        '<tg-spoiler>t</tg-spoiler><span class="tg-spoiler">p</span>'
        '<pre><code class="language-python">c</code></pre><blockquote>q</blockquote>'
        "<b>bold <i>both <a href='https://e.test/?q=&quot;'>l</a></i></b> &#1593;&#x639;"
    )
    text, entities = parse_telegram_html(source)
    assert text.endswith("bold both l عع")
    assert {"type": "pre", "offset": 7, "length": 1, "language": "python"} in entities
    assert any(e.get("url") == 'https://e.test/?q="' for e in entities)


@pytest.mark.parametrize(
    "source",
    ["<code><b>x</b></code>", '<a href="u"><a href="v">x</a></a>', "</b>", "&bogus;", "<b x=>"],
)
def test_parser_rejects(source: str) -> None:
    with pytest.raises(HtmlParseError):
        parse_telegram_html(source)


def test_non_strict_parser_keeps_bare_ampersand() -> None:
    assert parse_telegram_html("AT&T", strict=False)[0] == "AT&T"


def test_utf16_len() -> None:
    assert utf16_len("abc") == 3 and utf16_len("😀") == 2 and utf16_len("عربي") == 4
