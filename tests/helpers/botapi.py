"""A local Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

Build the bot with ``Bot(token, base_url=server.base_url, base_file_url=server.base_file_url)``:
PTB forms ``{base_url}{token}/{method}``, exactly as against api.telegram.org.

The server keeps Telegram's envelope (``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": ..., "description": ..., "parameters": {...}}``), validates HTML the way Telegram
does (stricter about bare ``&``), records every call, can be scripted to fail, and can enforce
Telegram's sending limits with a clock the test controls.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = dict[str, Any]
Clock = Callable[[], float]

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units after entity parsing
MAX_CALLBACK_DATA = 64  # bytes
LOST = 0  # Failure.status meaning "do the call, then drop the connection unanswered"
LONG_POLL_CAP = 2.0  # seconds: tests never need longer, and shutdown stays quick

# Form values arrive as strings; these stay strings, every other one is JSON-decoded (PTB
# JSON-encodes non-string values, see telegram.request.RequestParameter.json_value).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "language_code",
        "url",
        "inline_message_id",
        "title",
        "description",
        "short_description",
        "query",
        "business_connection_id",
        "message_effect_id",
        "name",
    }
)


# --------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class Failure:
    """One error answer in Telegram's envelope."""

    status: int
    description: str
    parameters: JSON | None = None

    def body(self) -> JSON:
        """The JSON body Telegram sends for this error."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    @classmethod
    def retry_after(cls, seconds: int = 3) -> Failure:
        """429 flood control; PTB raises RetryAfter."""
        return cls(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def blocked(cls) -> Failure:
        """403 from a private chat that blocked the bot; PTB raises Forbidden."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def kicked(cls) -> Failure:
        """403 from a group that removed the bot."""
        return cls(403, "Forbidden: bot was kicked from the group chat")

    @classmethod
    def migrate(cls, new_chat_id: int) -> Failure:
        """400 for a group upgraded to a supergroup; PTB raises ChatMigrated."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )

    @classmethod
    def server_error(cls, status: int = 500) -> Failure:
        """5xx; PTB raises NetworkError."""
        phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        return cls(status, phrases.get(status, "Internal Server Error"))

    @classmethod
    def lost_response(cls) -> Failure:
        """Telegram does the call, but the connection drops before the answer (NetworkError)."""
        return cls(LOST, "connection dropped after the call was done")

    @classmethod
    def bad_request(cls, reason: str) -> Failure:
        """400 with Telegram's "Bad Request: ..." prefix."""
        return cls(400, f"Bad Request: {reason}")


class ApiError(Exception):
    """Raised inside a method handler to answer with a Failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.description)
        self.failure = failure


# --------------------------------------------------------------------------- Telegram HTML


class HtmlParseError(ValueError):
    """Telegram would answer "Bad Request: can't parse entities: ..."."""


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_ATTR_RE = re.compile(
    r"""\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
# Telegram lets only formatting entities contain others; code, pre and links hold plain text.
_FORMATTING = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})


@dataclass
class _Open:
    tag: str
    kind: str
    start: int  # UTF-16 offset in the parsed text
    url: str | None = None
    language: str | None = None


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int, strict: bool) -> tuple[str, int]:
    """Decode the character reference at ``index``; returns (text, next index)."""
    match = _ENTITY_RE.match(source, index)
    if match:
        dec, hexa, name = match.groups()
        if name is None:
            code = int(dec) if dec is not None else int(hexa, 16)
            if 0 < code <= 0x10FFFF:
                return chr(code), match.end()
        elif name in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[name], match.end()
    if strict:
        # Telegram shows an unknown "&..." literally; strictness catches unescaped feed text.
        raise HtmlParseError(f"Unescaped '&' at byte offset {_byte_offset(source, index)}")
    return "&", index + 1


def _decode_attr(value: str) -> str:
    return html.unescape(value)


def _parse_attrs(raw: str, tag: str, offset: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    raw = raw.rstrip("/ \t\n")
    while pos < len(raw):
        match = _ATTR_RE.match(raw, pos)
        if not match or match.end() == pos:
            raise HtmlParseError(f'Bad attributes of tag "{tag}" at byte offset {offset}')
        name, dq, sq, bare = match.groups()
        value = dq if dq is not None else sq if sq is not None else bare or ""
        attrs[name.lower()] = _decode_attr(value)
        pos = match.end()
    return attrs


def _check_nesting(stack: list[_Open], kind: str, tag: str, offset: int) -> None:
    """Reject nestings Telegram cannot represent (it would silently drop an entity)."""
    for outer in stack:
        if outer.kind == "pre" and kind == "code" and outer is stack[-1]:
            continue
        if outer.kind in ("code", "pre") or (outer.kind == kind and kind not in _FORMATTING):
            raise HtmlParseError(
                f'Tag "{tag}" can\'t be nested in "{outer.tag}" at byte offset {offset}'
            )
        if outer.kind == "text_link" and kind not in _FORMATTING:
            raise HtmlParseError(f'Tag "{tag}" can\'t be nested in "a" at byte offset {offset}')


def _open_tag(tag: str, attrs: dict[str, str], start: int, offset: int) -> _Open:
    if tag not in _SUPPORTED_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
    if tag == "a":
        href = attrs.get("href", "").strip()
        if not href:
            raise HtmlParseError(f'Tag "a" must have attribute "href" at byte offset {offset}')
        return _Open(tag, "text_link", start, url=href)
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        return _Open(tag, "spoiler", start)
    language = None
    if tag == "code" and attrs.get("class", "").startswith("language-"):
        language = attrs["class"].removeprefix("language-")
    return _Open(tag, _SIMPLE_TAGS[tag], start, language=language)


def _close(entity: _Open, end: int, entities: list[JSON], stack: list[_Open]) -> None:
    if end == entity.start:
        return  # Telegram drops empty entities
    if entity.kind == "code" and stack and stack[-1].kind == "pre" and entity.language:
        stack[-1].language = entity.language
        return
    item: JSON = {"type": entity.kind, "offset": entity.start, "length": end - entity.start}
    if entity.url is not None:
        item["url"] = entity.url
    if entity.kind == "pre" and entity.language:
        item["language"] = entity.language
    entities.append(item)


def parse_telegram_html(source: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (text, entities with UTF-16 offsets) or raise HtmlParseError."""
    out: list[str] = []
    length = 0  # UTF-16 units emitted so far
    entities: list[JSON] = []
    stack: list[_Open] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            text, i = _decode_entity(source, i, strict)
            out.append(text)
            length += utf16_len(text)
            continue
        if char != "<":
            out.append(char)
            length += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue
        offset = _byte_offset(source, i)
        end = source.find(">", i)
        if end < 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        inner = source[i + 1 : end]
        i = end + 1
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
            if stack[-1].tag != name:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1].tag}>", '
                    f'found "</{name}>"'
                )
            _close(stack.pop(), length, entities, stack)
            continue
        match = re.match(r"[a-zA-Z][-a-zA-Z0-9]*", inner)
        if not match:
            raise HtmlParseError(f"Empty or invalid tag name at byte offset {offset}")
        tag = match.group(0).lower()
        if tag not in _SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        opened = _open_tag(tag, _parse_attrs(inner[match.end() :], tag, offset), length, offset)
        if strict:
            _check_nesting(stack, opened.kind, tag, offset)
        stack.append(opened)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def check_message_text(
    text: str, parse_mode: str | None, *, strict: bool = True
) -> tuple[str, list[JSON]]:
    """Validate a message text as Telegram does; raise ApiError with Telegram's description."""
    entities: list[JSON] = []
    plain = text
    if parse_mode is not None and parse_mode.lower() == "html":
        try:
            plain, entities = parse_telegram_html(text, strict=strict)
        except HtmlParseError as exc:
            raise ApiError(Failure.bad_request(f"can't parse entities: {exc}")) from exc
    if not plain.strip():
        raise ApiError(Failure.bad_request("message text is empty"))
    if utf16_len(plain.strip()) > MAX_MESSAGE_LENGTH:
        raise ApiError(Failure.bad_request("message is too long"))
    return plain, entities


def _check_reply_markup(markup: Any) -> None:
    """Telegram refuses callback_data over 64 bytes."""
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise ApiError(Failure.bad_request("BUTTON_DATA_INVALID"))


# --------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram's documented sending limits, as the server enforces them."""

    private_per_second: float = 1.0  # per private chat (positive id) ...
    private_burst: int = 3  # ... with a short burst allowed
    group_per_minute: int = 20  # per group, supergroup or channel (negative id)
    global_per_second: int = 30  # over all chats
    # Window lengths in seconds; a benchmark may shrink them to compress time.
    group_window: float = 60.0
    global_window: float = 1.0


class RateLimiter:
    """Token bucket per private chat, sliding windows per group and overall."""

    def __init__(self, limits: TelegramLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[int | str, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._groups: dict[int | str, deque[float]] = {}
        self._global: deque[float] = deque()

    def check(self, chat_id: int | str) -> int | None:
        """Seconds to wait (Telegram's integer retry_after), or None and count the send."""
        now = self._clock()
        waits = [self._global_wait(now), self._chat_wait(chat_id, now)]
        wait = max(w for w in waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._take(chat_id, now)
        return None

    def _global_wait(self, now: float) -> float:
        window = self.limits.global_window
        while self._global and self._global[0] <= now - window:
            self._global.popleft()
        if len(self._global) < self.limits.global_per_second:
            return 0.0
        return self._global[0] + window - now

    def _chat_wait(self, chat_id: int | str, now: float) -> float:
        if _is_private(chat_id):
            tokens = self._tokens(chat_id, now)
            return 0.0 if tokens >= 1 else (1 - tokens) / self.limits.private_per_second
        window = self._groups.setdefault(chat_id, deque())
        while window and window[0] <= now - self.limits.group_window:
            window.popleft()
        if len(window) < self.limits.group_per_minute:
            return 0.0
        return window[0] + self.limits.group_window - now

    def _tokens(self, chat_id: int | str, now: float) -> float:
        tokens, at = self._buckets.get(chat_id, (float(self.limits.private_burst), now))
        refill = (now - at) * self.limits.private_per_second
        return min(float(self.limits.private_burst), tokens + refill)

    def _take(self, chat_id: int | str, now: float) -> None:
        self._global.append(now)
        if _is_private(chat_id):
            self._buckets[chat_id] = (self._tokens(chat_id, now) - 1, now)
        else:
            self._groups.setdefault(chat_id, deque()).append(now)


def _is_private(chat_id: int | str) -> bool:
    return isinstance(chat_id, int) and chat_id > 0


# --------------------------------------------------------------------------- records


@dataclass
class Call:
    """One request the bot made; ``status`` is None while a long poll is pending."""

    method: str
    params: JSON
    time: float  # server clock
    status: int | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether Telegram accepted this call."""
        return self.status == 200


@dataclass
class SentMessage:
    """A message the server accepted (sendMessage), kept current by editMessageText."""

    chat_id: int | str
    message_id: int
    text: str  # as sent (HTML source when parse_mode is HTML)
    plain_text: str  # after entity parsing
    entities: list[JSON]
    parse_mode: str | None
    message_thread_id: int | None
    reply_markup: JSON | None
    link_preview_options: JSON | None
    disable_web_page_preview: bool | None
    disable_notification: bool | None
    time: float  # server clock when accepted

    @property
    def link_preview_disabled(self) -> bool:
        """Whether the bot asked for no link preview, by either API."""
        if self.link_preview_options is not None:
            return bool(self.link_preview_options.get("is_disabled"))
        return bool(self.disable_web_page_preview)


@dataclass
class ChatInfo:
    """A chat the server knows: type, title and memberships."""

    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    members: dict[int, JSON] = field(default_factory=dict)  # user id -> ChatMember JSON

    def to_json(self) -> JSON:
        """The Chat object as Telegram sends it inside messages."""
        chat: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.title or f"User {self.id}"
        else:
            chat["title"] = self.title or f"Chat {self.id}"
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat


def _default_chat(chat_id: int) -> ChatInfo:
    if chat_id > 0:
        return ChatInfo(chat_id, "private")
    return ChatInfo(chat_id, "supergroup" if chat_id < -(10**12) else "group")


def _user(
    user_id: int,
    *,
    first_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    is_bot: bool = False,
) -> JSON:
    user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name or f"User{user_id}"}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


def chat_member(user: JSON, status: str, *, can_post_messages: bool = True) -> JSON:
    """A ChatMember object for status creator, administrator, member, left or kicked."""
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({right: True for right in _ADMIN_RIGHTS})
        member.update(can_be_edited=False, is_anonymous=False, can_pin_messages=True)
        member.update(can_post_messages=can_post_messages, can_edit_messages=can_post_messages)
    elif status == "kicked":
        member["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unsupported chat member status {status!r}")
    return member


# --------------------------------------------------------------------------- update builders

_incoming_ids = itertools.count(1)


def _command_entities(text: str) -> list[JSON]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def message_update(
    text: str,
    chat_id: int,
    user_id: int,
    chat_type: str = "private",
    language_code: str = "ar",
    thread_id: int | None = None,
    is_forum: bool = False,
    username: str | None = "journalist",
    reply_to: int | JSON | None = None,
    *,
    title: str | None = None,
) -> JSON:
    """An Update carrying a text message; a leading /command gets a bot_command entity."""
    chat = ChatInfo(chat_id, chat_type, title=title, is_forum=is_forum).to_json()
    message: JSON = {
        "message_id": next(_incoming_ids),
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    entities = _command_entities(text)
    if entities:
        message["entities"] = entities
    if chat_type != "channel":
        message["from"] = _user(user_id, username=username, language_code=language_code)
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = is_forum
    if isinstance(reply_to, int):
        reply_to = {"message_id": reply_to, "date": int(time.time()), "chat": chat, "text": "…"}
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return {"channel_post" if chat_type == "channel" else "message": message}


def callback_update(
    data: str,
    chat_id: int,
    user_id: int,
    message_id: int,
    *,
    language_code: str = "ar",
    chat_type: str = "private",
    bot_id: int = 123456,
) -> JSON:
    """An Update carrying a callback query from an inline button under a bot message."""
    chat = ChatInfo(chat_id, chat_type).to_json()
    message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "text": "…",
        "from": _user(bot_id, first_name="Marsad", is_bot=True),
    }
    query = {
        "id": str(next(_incoming_ids)),
        "from": _user(user_id, language_code=language_code),
        "chat_instance": str(chat_id),
        "data": data,
        "message": message,
    }
    return {"callback_query": query}


# --------------------------------------------------------------------------- the server


Handler = Callable[["BotApiServer", JSON], Any]


class BotApiServer:
    """An aiohttp Bot API server on 127.0.0.1; use as ``async with BotApiServer() as server``."""

    def __init__(
        self,
        token: str = "123456:TEST-marsad-token",
        *,
        bot_username: str = "marsad_test_bot",
        enforce_limits: bool = False,
        limits: TelegramLimits | None = None,
        clock: Clock = time.monotonic,
        strict_html: bool = True,
        long_poll_cap: float = LONG_POLL_CAP,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = _user(self.bot_id, first_name="Marsad", username=bot_username, is_bot=True)
        self.clock = clock
        self.strict_html = strict_html
        self.long_poll_cap = long_poll_cap
        self.limiter = RateLimiter(limits or TelegramLimits(), clock)
        self.enforce_limits = enforce_limits
        self.calls: list[Call] = []
        self.messages: list[SentMessage] = []
        self.throttled: list[tuple[int | str, int]] = []  # (chat id, retry_after) of limit 429s
        self.chats: dict[int, ChatInfo] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope json, lang) -> commands
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._failures: dict[tuple[str, int | str | None], deque[Failure]] = {}
        self._persistent: dict[int | str, Failure] = {}
        self._holds: dict[tuple[str, int | str | None], asyncio.Event] = {}
        self.held: list[Call] = []  # calls parked by hold(), until released
        self._message_ids: dict[int | str, itertools.count[int]] = {}
        self._changed = asyncio.Condition()
        self._pollers: set[asyncio.Future[None]] = set()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- lifecycle

    async def __aenter__(self) -> BotApiServer:
        """Start listening on a random port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Wake pending long polls, then stop."""
        await self.close()

    async def close(self) -> None:
        """Stop the server; pending getUpdates answer at once with no updates."""
        self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url`` (the token is appended by PTB)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass as PTB's ``base_file_url``."""
        return f"{self.url}/file/bot"

    # ---- scripting

    def add_chat(
        self,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        username: str | None = None,
        is_forum: bool = False,
        bot_status: str | None = None,
        can_post_messages: bool = True,
    ) -> ChatInfo:
        """Register a chat; ``bot_status`` sets the bot's own membership there."""
        chat = ChatInfo(chat_id, chat_type, title=title, username=username, is_forum=is_forum)
        self.chats[chat_id] = chat
        if bot_status is None:
            bot_status = "administrator" if chat_type == "channel" else "member"
        chat.members[self.bot_id] = chat_member(
            self.bot_user, bot_status, can_post_messages=can_post_messages
        )
        return chat

    def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        *,
        can_post_messages: bool = True,
        first_name: str | None = None,
    ) -> None:
        """Set what getChatMember answers for ``user_id`` in ``chat_id``."""
        chat = self._chat(chat_id)
        user = self.bot_user if user_id == self.bot_id else _user(user_id, first_name=first_name)
        chat.members[user_id] = chat_member(user, status, can_post_messages=can_post_messages)

    def fail_next(
        self, method: str, failure: Failure, *, times: int = 1, chat_id: int | str | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with failure."""
        queue = self._failures.setdefault((method.lower(), chat_id), deque())
        queue.extend([failure] * times)

    def block(self, chat_id: int | str, failure: Failure | None = None) -> None:
        """Answer every send to ``chat_id`` with 403 (or ``failure``) from now on."""
        self._persistent[chat_id] = failure or Failure.blocked()

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Make ``old_chat_id`` a group upgraded to ``new_chat_id`` for every later send."""
        self._persistent[old_chat_id] = Failure.migrate(new_chat_id)
        old = self.chats.get(old_chat_id)
        self.add_chat(new_chat_id, "supergroup", title=old.title if old else None)

    def hold(self, method: str, *, chat_id: int | str | None = None) -> asyncio.Event:
        """Park calls of ``method`` (to ``chat_id`` if given) until the returned event is set."""
        gate = self._holds[(method.lower(), chat_id)] = asyncio.Event()
        return gate

    def unblock(self, chat_id: int | str) -> None:
        """Forget a persistent failure set by block() or migrate_chat()."""
        self._persistent.pop(chat_id, None)

    def queue_update(self, update: JSON) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._wake_pollers()
        return int(update["update_id"])

    # ---- assertions

    def calls_of(self, method: str) -> list[Call]:
        """Every recorded call of ``method`` (any outcome), in arrival order."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_to(self, chat_id: int | str) -> list[SentMessage]:
        """Accepted messages to one chat, in order."""
        return [m for m in self.messages if m.chat_id == chat_id]

    @property
    def rate_limited(self) -> int:
        """How many 429s the enforced limits provoked (scripted 429s not counted)."""
        return len(self.throttled)

    # A plain timeout argument (not asyncio.timeout) keeps the test's line short and the
    # failure message specific: it names what was awaited and the last calls seen.
    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 20.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` were answered; returns them."""

        def done() -> bool:
            return sum(1 for c in self.calls_of(method) if c.status is not None) >= count

        await self._wait(done, timeout, f"{count} call(s) of {method}")
        return [c for c in self.calls_of(method) if c.status is not None]

    async def wait_for_messages(
        self,
        count: int = 1,
        *,
        chat_id: int | str | None = None,
        timeout: float = 20.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until ``count`` messages (to ``chat_id`` if given) were accepted."""

        def matching() -> list[SentMessage]:
            return [m for m in self.messages if chat_id is None or m.chat_id == chat_id]

        await self._wait(lambda: len(matching()) >= count, timeout, f"{count} message(s)")
        return matching()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        what: str,
        timeout: float = 20.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` holds after some call (an edit, a send, ...)."""
        await self._wait(predicate, timeout, what)

    async def wait_for_held(
        self,
        method: str,
        count: int = 1,
        timeout: float = 20.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` are parked by hold(); returns them."""

        def parked() -> list[Call]:
            return [c for c in self.held if c.method.lower() == method.lower()]

        await self._wait(lambda: len(parked()) >= count, timeout, f"{count} held {method}")
        return parked()

    async def wait_for_updates_taken(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed every queued update (a later getUpdates offset)."""
        await self._wait(lambda: not self._updates, timeout, "every update confirmed")

    async def wait_for_long_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates call is parked waiting for updates."""
        await self._wait(lambda: bool(self._pollers), timeout, "a parked getUpdates")

    async def _wait(self, predicate: Callable[[], bool], seconds: float, what: str) -> None:
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(predicate), seconds)
        except TimeoutError:
            seen = ", ".join(f"{c.method}:{c.status}" for c in self.calls[-20:])
            raise AssertionError(f"timed out waiting for {what}; last calls: {seen}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _wake_pollers(self) -> None:
        """Let pending getUpdates look again (callable from synchronous code)."""
        for future in self._pollers:
            if not future.done():
                future.set_result(None)

    async def _long_poll(self, ready: Callable[[], bool], seconds: float) -> None:
        """Wait until ``ready()`` or ``seconds`` pass, as Telegram's long poll does."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not ready() and (remaining := deadline - loop.time()) > 0:
            future: asyncio.Future[None] = loop.create_future()
            self._pollers.add(future)
            await self._notify()  # wait_for_long_poll() callers may go on
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(future, remaining)
            finally:
                self._pollers.discard(future)

    # ---- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _reply(Failure(401, "Unauthorized").body(), 401)
        handler = _METHODS.get(request.match_info["method"].lower())
        if handler is None:
            return _reply(Failure(404, "Not Found").body(), 404)
        params = await _read_params(request)
        call = Call(handler.__name__.removeprefix("_m_"), params, self.clock())
        self.calls.append(call)
        lost = False
        await self._wait_if_held(call)
        try:
            lost = self._scripted_failure(call.method, _chat_key(params.get("chat_id")))
            result = await self._dispatch(handler, call)
            body, status = {"ok": True, "result": result}, 200
        except ApiError as exc:
            body, status = exc.failure.body(), exc.failure.status
        call.status, call.description = (
            (LOST, "lost") if lost else (status, body.get("description"))
        )
        await self._notify()
        if lost:
            return await _drop(request)
        return _reply(body, status)

    async def _dispatch(self, handler: Handler, call: Call) -> Any:
        chat_id = _chat_key(call.params.get("chat_id"))
        if call.method in _SENDING_METHODS and chat_id is not None:
            if chat_id in self._persistent:
                raise ApiError(self._persistent[chat_id])
            self._check_limits(chat_id)
        result = handler(self, call.params)
        if asyncio.iscoroutine(result):
            result = await result
        return result

    async def _wait_if_held(self, call: Call) -> None:
        """Park a call that hold() asked for until its event is set."""
        chat_id = _chat_key(call.params.get("chat_id"))
        method = call.method.lower()
        gate = self._holds.get((method, chat_id)) or self._holds.get((method, None))
        if gate is None or gate.is_set():
            return
        self.held.append(call)
        await self._notify()
        try:
            await gate.wait()
        finally:
            self.held.remove(call)

    def _scripted_failure(self, method: str, chat_id: int | str | None) -> bool:
        """Raise the next scripted failure; True means "do the call, lose the answer"."""
        for key in ((method.lower(), chat_id), (method.lower(), None)):
            queue = self._failures.get(key)
            if queue:
                failure = queue.popleft()
                if failure.status == LOST:
                    return True
                raise ApiError(failure)
        return False

    def _check_limits(self, chat_id: int | str) -> None:
        if not self.enforce_limits:
            return
        retry_after = self.limiter.check(chat_id)
        if retry_after is not None:
            self.throttled.append((chat_id, retry_after))
            raise ApiError(Failure.retry_after(retry_after))

    # ---- helpers for method handlers

    def _chat(self, chat_id: int | str) -> ChatInfo:
        if isinstance(chat_id, str):
            for chat in self.chats.values():
                if chat.username and f"@{chat.username}".lower() == chat_id.lower():
                    return chat
            raise ApiError(Failure.bad_request("chat not found"))
        if chat_id not in self.chats:
            self.chats[chat_id] = _default_chat(chat_id)
        return self.chats[chat_id]

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(10_001))
        return next(counter)

    def _check_can_post(self, chat: ChatInfo) -> None:
        """Bots post into channels only as admins with can_post_messages."""
        member = chat.members.get(self.bot_id)
        if chat.type != "channel" or member is None:
            return
        if member["status"] in ("left", "kicked"):
            raise ApiError(Failure(403, "Forbidden: bot is not a member of the channel chat"))
        if member["status"] == "member" or not member.get("can_post_messages", True):
            raise ApiError(Failure.bad_request("need administrator rights in the channel chat"))


async def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer, as a network failure would."""
    if request.transport is not None:
        request.transport.abort()
    response = web.StreamResponse()
    return response


def _reply(body: JSON, status: int) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _chat_key(value: Any) -> int | str | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _coerce(name: str, value: Any) -> Any:
    """Turn a form value back into the JSON type PTB encoded it from."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> JSON:
    """Read query, JSON, urlencoded or multipart parameters the way Telegram accepts them."""
    raw: JSON = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            raw.update(body if isinstance(body, dict) else {})
        else:
            form = await request.post()
            for key, value in form.items():
                raw[key] = (
                    value if isinstance(value, str) else f"<file {getattr(value, 'filename', key)}>"
                )
    return {key: _coerce(key, value) for key, value in raw.items()}


# --------------------------------------------------------------------------- methods

_SENDING_METHODS = frozenset({"sendMessage"})


def _m_getMe(server: BotApiServer, params: JSON) -> JSON:
    return {
        **server.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def _m_getUpdates(server: BotApiServer, params: JSON) -> list[JSON]:
    offset = int(params.get("offset") or 0)
    limit = int(params.get("limit") or 100)
    timeout = min(float(params.get("timeout") or 0), server.long_poll_cap)
    server._poll_generation += 1
    generation = server._poll_generation
    server._wake_pollers()  # an older poll still waiting now ends with 409 Conflict
    if offset > 0:
        # Telegram forgets updates once a later offset confirms them.
        server._updates = [u for u in server._updates if u["update_id"] >= offset]
    elif offset < 0:
        server._updates = server._updates[offset:]

    def ready() -> bool:
        return bool(server._updates) or server._closing or generation != server._poll_generation

    await server._long_poll(ready, timeout)
    if generation != server._poll_generation and not server._closing:
        raise ApiError(
            Failure(
                409,
                "Conflict: terminated by other getUpdates request; make "
                "sure that only one bot instance is running",
            )
        )
    allowed = params.get("allowed_updates") or []
    # Telegram never delivers update types the bot did not ask for.
    wanted = [u for u in server._updates if not allowed or any(k in u for k in allowed)]
    return wanted[:limit]


def _message_json(server: BotApiServer, chat: ChatInfo, sent: SentMessage) -> JSON:
    message: JSON = {
        "message_id": sent.message_id,
        "date": int(time.time()),
        "chat": chat.to_json(),
        "text": sent.plain_text,
    }
    if chat.type != "channel":
        message["from"] = server.bot_user
    if sent.entities:
        message["entities"] = sent.entities
    if sent.message_thread_id is not None:
        message["message_thread_id"] = sent.message_thread_id
        message["is_topic_message"] = chat.is_forum
    if sent.reply_markup is not None:
        message["reply_markup"] = sent.reply_markup
    if sent.link_preview_disabled:
        message["link_preview_options"] = {"is_disabled": True}
    return message


def _text_param(params: JSON) -> str:
    text = params.get("text")
    if not isinstance(text, str):
        raise ApiError(Failure.bad_request("message text is empty"))
    return text


def _m_sendMessage(server: BotApiServer, params: JSON) -> JSON:
    chat = server._chat(_chat_key(params.get("chat_id")) or 0)
    server._check_can_post(chat)
    text = _text_param(params)
    parse_mode = params.get("parse_mode")
    plain, entities = check_message_text(text, parse_mode, strict=server.strict_html)
    _check_reply_markup(params.get("reply_markup"))
    thread = params.get("message_thread_id")
    sent = SentMessage(
        chat_id=chat.id,
        message_id=server._next_message_id(chat.id),
        text=text,
        plain_text=plain,
        entities=entities,
        parse_mode=parse_mode,
        message_thread_id=int(thread) if thread is not None else None,
        reply_markup=params.get("reply_markup"),
        link_preview_options=params.get("link_preview_options"),
        disable_web_page_preview=params.get("disable_web_page_preview"),
        disable_notification=params.get("disable_notification"),
        time=server.clock(),
    )
    server.messages.append(sent)
    return _message_json(server, chat, sent)


def _m_editMessageText(server: BotApiServer, params: JSON) -> JSON | bool:
    text = _text_param(params)
    plain, entities = check_message_text(text, params.get("parse_mode"), strict=server.strict_html)
    _check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return True
    chat = server._chat(_chat_key(params.get("chat_id")) or 0)
    found = [m for m in server.sent_to(chat.id) if m.message_id == params.get("message_id")]
    if not found:
        raise ApiError(Failure.bad_request("message to edit not found"))
    sent = found[0]
    markup = params.get("reply_markup")
    if sent.text == text and sent.reply_markup == markup:
        raise ApiError(
            Failure.bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        )
    sent.text, sent.plain_text, sent.entities = text, plain, entities
    sent.parse_mode, sent.reply_markup = params.get("parse_mode"), markup
    return _message_json(server, chat, sent)


def _m_answerCallbackQuery(server: BotApiServer, params: JSON) -> bool:
    if not params.get("callback_query_id"):
        raise ApiError(
            Failure.bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        )
    return True


def _m_getChat(server: BotApiServer, params: JSON) -> JSON:
    chat = server._chat(_chat_key(params.get("chat_id")) or 0)
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


def _m_getChatMember(server: BotApiServer, params: JSON) -> JSON:
    chat = server._chat(_chat_key(params.get("chat_id")) or 0)
    user_id = int(params.get("user_id") or 0)
    if user_id in chat.members:
        return chat.members[user_id]
    if chat.type == "private" and user_id not in (chat.id, server.bot_id):
        raise ApiError(Failure.bad_request("user not found"))
    user = server.bot_user if user_id == server.bot_id else _user(user_id)
    return chat_member(user, "member")


def _m_getChatAdministrators(server: BotApiServer, params: JSON) -> list[JSON]:
    chat = server._chat(_chat_key(params.get("chat_id")) or 0)
    if chat.type == "private":
        raise ApiError(Failure.bad_request("there are no administrators in the private chat"))
    return [m for m in chat.members.values() if m["status"] in ("creator", "administrator")]


def _commands_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


def _m_setMyCommands(server: BotApiServer, params: JSON) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise ApiError(Failure.bad_request("can't parse commands JSON object"))
    for command in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
            raise ApiError(Failure.bad_request("BOT_COMMAND_INVALID"))
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(Failure.bad_request("BOT_COMMAND_DESCRIPTION_INVALID"))
    server.commands[_commands_key(params)] = commands
    return True


def _m_getMyCommands(server: BotApiServer, params: JSON) -> list[JSON]:
    return server.commands.get(_commands_key(params), [])


def _m_deleteMyCommands(server: BotApiServer, params: JSON) -> bool:
    server.commands.pop(_commands_key(params), None)
    return True


def _m_deleteWebhook(server: BotApiServer, params: JSON) -> bool:
    if params.get("drop_pending_updates"):
        server._updates.clear()
    return True


def _m_close(server: BotApiServer, params: JSON) -> bool:
    return True


def _m_logOut(server: BotApiServer, params: JSON) -> bool:
    return True


def _methods(handlers: Iterable[Handler]) -> dict[str, Handler]:
    return {h.__name__.removeprefix("_m_").lower(): h for h in handlers}


_METHODS = _methods(
    [
        _m_getMe,
        _m_getUpdates,
        _m_sendMessage,
        _m_editMessageText,
        _m_answerCallbackQuery,
        _m_getChat,
        _m_getChatMember,
        _m_getChatAdministrators,
        _m_setMyCommands,
        _m_getMyCommands,
        _m_deleteMyCommands,
        _m_deleteWebhook,
        _m_close,
        _m_logOut,
    ]
)
