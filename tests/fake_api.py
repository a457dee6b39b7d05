"""A fake Telegram Bot API server on 127.0.0.1 for the tests.

PTB talks to it over real HTTP (ApplicationBuilder.base_url), posting
form-encoded or multipart bodies as it does to Telegram. The Bot API itself is
bot.devtools.offline.OfflineBotAPI; this module adds the transport: long-polled
getUpdates, hanging requests for timeout faults, and a way to wait until the
bot has fetched an update.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlsplit

from bot.devtools.offline import Hang, OfflineBotAPI, answer

MAX_POLL_SECONDS = 1.0  # how long an empty getUpdates is held open


class FakeBotAPI:
    def __init__(self) -> None:
        self.api = OfflineBotAPI()
        self.requests = 0
        self._server: asyncio.AbstractServer | None = None
        self._polled = asyncio.Condition()
        self._last_offset = 0  # offset of the latest getUpdates: everything below was fetched
        self._new_update = asyncio.Event()
        self._connections: set[asyncio.StreamWriter] = set()
        self.delay = 0.0  # seconds every call but getUpdates takes, as far from Telegram
        self.in_flight = 0  # calls being answered now
        self.most_in_flight = 0  # the most answered at once
        self.overlapped_chats: set[int] = set()  # chats that had two calls at once
        self._chats_in_flight: set[int] = set()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/bot"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._connections):
                writer.close()
            await self._server.wait_closed()

    def queue(self, update: dict) -> dict:
        """Wake a waiting getUpdates after OfflineBotAPI queued an update."""
        self._new_update.set()
        return update

    async def wait_fetched(self, update_id: int, timeout: float = 10.0) -> None:
        """Until the bot has fetched `update_id` and asked for the next ones."""
        async with self._polled:
            await asyncio.wait_for(
                self._polled.wait_for(lambda: self._last_offset > update_id), timeout
            )

    # -- HTTP ------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                path, headers, body = request
                self.requests += 1
                try:
                    status, payload = await self._answer(path, headers, body)
                except Hang:
                    await asyncio.sleep(3600)  # the client times out first
                    break
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode() + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        method = path.rstrip("/").rsplit("/", 1)[-1]
        params, files = _parse_body(headers.get("content-type", ""), body)
        if method == "getUpdates":
            return await self._get_updates(params)
        if not self.delay:
            return answer(self.api, method, params, files)
        chat = params.get("chat_id")
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if chat in self._chats_in_flight:
            self.overlapped_chats.add(int(chat))
        if chat is not None:
            self._chats_in_flight.add(chat)
        try:
            await asyncio.sleep(self.delay)
            return answer(self.api, method, params, files)
        finally:
            self.in_flight -= 1
            self._chats_in_flight.discard(chat)

    async def _get_updates(self, params: dict) -> tuple[int, dict]:
        offset = int(params.get("offset") or 0)
        # As Telegram does: the offset confirms earlier updates when the request arrives, not
        # when the long poll answers (a bot killed while polling must not get them again).
        self.api.updates = [u for u in self.api.updates if u["update_id"] >= offset]
        async with self._polled:
            self._last_offset = max(self._last_offset, offset)
            self._polled.notify_all()
        wait = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        if wait and not any(u["update_id"] >= offset for u in self.api.updates):
            self._new_update.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), wait)
        return answer(self.api, "getUpdates", params)


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, dict, bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    _, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return urlsplit(target).path, headers, body


def _parse_body(content_type: str, body: bytes) -> tuple[dict, dict]:
    if not body:
        return {}, {}
    if content_type.startswith("application/json"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in
                json.loads(body).items()}, {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, payload, part.get_content_type())
            else:
                params[name] = payload.decode("utf-8")
        return params, files
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}
