"""Files for the local Bot API server: sendDocument, getFile and file downloads.

tests/helpers/botapi.py answers text methods only; this subclass adds what /import and
/export need, the way Telegram does it: documents uploaded as multipart form data (or
re-sent by file_id), getFile answering a file_path, and ``/file/bot<token>/<file_path>``
serving the bytes.
"""

from __future__ import annotations

import io
import itertools
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.helpers.botapi import (
    JSON,
    ApiError,
    BotApiServer,
    Call,
    Failure,
    _chat_key,
    _reply,
    check_message_text,
    message_update,
    utf16_len,
)

MAX_CAPTION_LENGTH = 1024  # UTF-16 code units after entity parsing


@dataclass
class SentDocument:
    """A document the server accepted (sendDocument)."""

    chat_id: int | str
    message_id: int
    filename: str
    content: bytes
    caption: str | None
    caption_plain: str | None
    parse_mode: str | None


@dataclass
class StoredFile:
    """A file the server can hand out by file_id."""

    file_id: str
    file_unique_id: str
    filename: str
    content: bytes

    @property
    def file_path(self) -> str:
        """Where ``/file/bot<token>/`` serves it."""
        return f"documents/{self.file_unique_id}_{self.filename}"


class FileBotApiServer(BotApiServer):
    """The local Bot API server plus documents: sendDocument, getFile and downloads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents: list[SentDocument] = []
        self.files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)

    async def __aenter__(self) -> FileBotApiServer:
        """Start listening, with the file download route beside the methods."""
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    # ---- scripting

    def add_file(self, content: bytes, filename: str) -> JSON:
        """Keep a file as if a user had uploaded it; returns its Document JSON."""
        number = next(self._file_ids)
        stored = StoredFile(f"DOC{number:06d}", f"u{number}", filename, content)
        self.files[stored.file_id] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": "text/x-opml",
            "file_size": len(content),
        }

    def documents_to(self, chat_id: int | str) -> list[SentDocument]:
        """Accepted documents to one chat, in order."""
        return [d for d in self.documents if d.chat_id == chat_id]

    # ---- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"].lower()
        if request.match_info["token"] != self.token or method not in _FILE_METHODS:
            return await super()._handle(request)
        params = await _read_form(request)
        call = Call(_FILE_METHODS[method], _loggable(params), self.clock())
        self.calls.append(call)
        try:
            handler = self._send_document if method == "senddocument" else self._get_file
            body, status = {"ok": True, "result": handler(params)}, 200
        except ApiError as exc:
            body, status = exc.failure.body(), exc.failure.status
        call.status, call.description = status, body.get("description")
        await self._notify()
        return _reply(body, status)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content)
        return web.Response(status=404)

    # ---- methods

    def _send_document(self, params: JSON) -> JSON:
        chat = self._chat(_chat_key(params.get("chat_id")) or 0)
        self._check_can_post(chat)
        document = params.get("document")
        if isinstance(document, web.FileField | _Upload):
            content, filename = document.file.read(), document.filename or "document"
        elif isinstance(document, str) and document in self.files:
            content, filename = self.files[document].content, self.files[document].filename
        else:
            raise ApiError(Failure.bad_request("wrong file identifier/HTTP URL specified"))
        filename = str(params.get("filename") or filename)
        caption, parse_mode = params.get("caption"), params.get("parse_mode")
        plain = None
        if caption:
            plain, _ = check_message_text(caption, parse_mode)
            if utf16_len(plain) > MAX_CAPTION_LENGTH:
                raise ApiError(Failure.bad_request("message caption is too long"))
        sent = SentDocument(
            chat.id, self._next_message_id(chat.id), filename, content, caption, plain, parse_mode
        )
        self.documents.append(sent)
        document_json = self.add_file(content, filename)
        message: JSON = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": chat.to_json(),
            "document": document_json,
        }
        if chat.type != "channel":
            message["from"] = self.bot_user
        if plain:
            message["caption"] = plain
        return message

    def _get_file(self, params: JSON) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(Failure.bad_request("invalid file_id"))
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


_FILE_METHODS = {"senddocument": "sendDocument", "getfile": "getFile"}


class _Upload:
    """A multipart file part read into memory (aiohttp's FileField without a live stream)."""

    def __init__(self, filename: str | None, content: bytes) -> None:
        self.filename = filename
        self.file = io.BytesIO(content)


async def _read_form(request: web.Request) -> JSON:
    """Query, JSON, urlencoded or multipart parameters, with uploaded files kept."""
    params: JSON = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = _Upload(value.filename, value.file.read())
            else:
                params[key] = value
    # PTB sends an attached file as "attach://<name>" in the field and the bytes under <name>.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"), value)
    if isinstance(params.get("chat_id"), str):
        params["chat_id"] = _chat_key(params["chat_id"])
    return params


def _loggable(params: JSON) -> JSON:
    """Parameters as a Call records them (files by name)."""
    return {
        key: f"<file {value.filename}>" if isinstance(value, _Upload) else value
        for key, value in params.items()
    }


def document_update(
    chat_id: int,
    user_id: int,
    document: JSON,
    *,
    caption: str | None = None,
    language_code: str = "ar",
    chat_type: str = "private",
) -> JSON:
    """An Update carrying a document message, with a caption (which may hold a /command)."""
    update = message_update("", chat_id, user_id, chat_type, language_code)
    message = update["message"]
    del message["text"]
    message["document"] = document
    if caption is not None:
        message["caption"] = caption
    return update


def reply_update(text: str, chat_id: int, user_id: int, replied: JSON, **kwargs: Any) -> JSON:
    """An Update carrying a text message that replies to another message."""
    return message_update(text, chat_id, user_id, reply_to=replied, **kwargs)
