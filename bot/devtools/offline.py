"""An in-memory stand-in for the Telegram Bot API.

It keeps chats, messages, pending updates and everything the bot sent, so the
real application can run with no Telegram: the console (`python -m bot console`),
benchmarks (through OfflineRequest, in process) and the tests (through an HTTP
server on 127.0.0.1, tests/fake_api.py) all use this one implementation.

Parameters arrive as the Bot API receives them: strings, with nested objects
(reply_markup, commands, ...) JSON-encoded.
"""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT_ID = 7_000_000_001
BOT_USERNAME = "hotline_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Hotline", "username": BOT_USERNAME}

_JSON_PARAMS = {
    "reply_markup", "commands", "scope", "entities", "caption_entities", "media",
    "reply_parameters", "link_preview_options", "allowed_updates", "message_ids", "reaction",
}
_INT_PARAMS = {
    "chat_id", "from_chat_id", "message_id", "message_thread_id", "offset", "limit",
    "timeout", "user_id", "icon_color",
}
_SEND_METHODS = {
    "sendMessage": "text", "sendPhoto": "photo", "sendDocument": "document",
    "sendVoice": "voice", "sendAudio": "audio", "sendVideo": "video",
    "sendSticker": "sticker", "sendLocation": "location", "sendContact": "contact",
}
_ACCEPTED = {  # methods that simply succeed
    "deleteWebhook", "setWebhook", "setMyCommands", "deleteMyCommands", "setMyDescription",
    "setMyShortDescription", "setChatMenuButton", "sendChatAction", "close", "logOut",
}


class Hang(Exception):
    """A fault that should look like a request that never got an answer."""


@dataclass
class Fault:
    """Make the next `times` calls of `method` (to `chat_id`, if given) fail."""

    method: str
    error_code: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    chat_id: int | None = None
    times: int = 1
    hang: bool = False  # no answer at all (a timeout), instead of an error
    migrate_to: int | None = None  # ChatMigrated: the group's new id
    lost_answer: bool = False  # done, but the answer never comes back (a timeout)


@dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup
    title: str | None = None
    is_forum: bool = False
    first_name: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status

    def as_dict(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.first_name:
            data["first_name"] = self.first_name
        if self.is_forum:
            data["is_forum"] = True
        return data


class OfflineBotAPI:
    def __init__(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], dict] = {}
        self.sent: list[dict] = []  # every message the bot sent or edited, in order
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()  # users who blocked the bot
        self.commands: dict[str, list[dict]] = {}  # language code ('' = default) -> commands
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language code) -> text
        self.answered_callbacks: list[dict] = []
        self.topics: dict[int, list[dict]] = {}  # chat id -> forum topics
        self.reactions: dict[tuple[int, int], list[dict]] = {}  # (chat, message) -> reactions
        self.deleted_batches: list[tuple[int, list[int]]] = []  # deleteMessages calls
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    # -- people's side: what users do -----------------------------------------
    def private_chat(self, user: dict) -> Chat:
        chat = self.chats.get(user["id"])
        if chat is None:
            chat = Chat(user["id"], "private", first_name=user.get("first_name"))
            self.chats[user["id"]] = chat
        return chat

    def add_group(self, chat_id: int, title: str, *, is_forum: bool = False,
                  members: dict[int, str] | None = None) -> Chat:
        chat = Chat(chat_id, "supergroup", title=title, is_forum=is_forum,
                    members=dict(members or {}))
        chat.members.setdefault(BOT_ID, "administrator")
        self.chats[chat_id] = chat
        return chat

    def user_sends(self, user: dict, text: str | None = None, *, chat_id: int | None = None,
                   message_thread_id: int | None = None, reply_to: int | None = None,
                   **content: Any) -> dict:
        """A user writes in a chat (their private chat by default). Returns the update.

        content: photo=True, voice=True, document=True, sticker=True, video=True,
        location=(lat, lon), contact="+855...", or any raw Message field.
        """
        chat = self.private_chat(user) if chat_id is None else self.chats[chat_id]
        message = self._new_message(chat, user, message_thread_id)
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(command)}
                ]
        for kind, value in content.items():
            message.update(self._content(kind, value, user))
        if reply_to is not None:
            message["reply_to_message"] = self.messages[(chat.id, reply_to)]
        return self._queue_update({"message": message})

    def user_presses(self, user: dict, message: dict, data: str) -> dict:
        """A user presses an inline button on `message`. Returns the update."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": _user(user),
            "chat_instance": str(message["chat"]["id"]),
            "message": message,
            "data": data,
        }
        return self._queue_update({"callback_query": query})

    def user_blocks_bot(self, user_id: int) -> None:
        self.blocked.add(user_id)

    # -- the bot's side: Bot API methods --------------------------------------
    def handle(self, method: str, params: dict[str, Any], files: dict[str, Any] | None = None
               ) -> tuple[int, dict]:
        """Answer one Bot API call: (HTTP status, JSON body). May raise Hang."""
        params = decode_params(params)
        self.calls.append((method, params))
        fault = self._take_fault(method, params)
        if fault is not None and fault.lost_answer:
            self._answer_call(method, params, files)
            raise Hang(method)
        if fault is not None:
            if fault.hang:
                raise Hang(method)
            body: dict[str, Any] = {"ok": False, "error_code": fault.error_code,
                                    "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            if fault.migrate_to is not None:
                body["parameters"] = {"migrate_to_chat_id": fault.migrate_to}
            return fault.error_code, body
        return self._answer_call(method, params, files)

    def _answer_call(self, method: str, params: dict[str, Any], files: dict[str, Any] | None
                     ) -> tuple[int, dict]:
        chat_id = params.get("chat_id")
        if ((method in _SEND_METHODS or method == "copyMessage")
                and isinstance(chat_id, int) and chat_id in self.blocked):
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot was blocked by the user"}
        handler = getattr(self, f"_api_{method}", None)
        if handler is not None:
            return 200, {"ok": True, "result": handler(params, files or {})}
        if method in _SEND_METHODS:
            return 200, {"ok": True, "result": self._send(method, params, files or {})}
        if method in _ACCEPTED:
            self._remember_settings(method, params)
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _api_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return dict(BOT_USER, can_join_groups=True, can_read_all_group_messages=True,
                    supports_inline_queries=False)

    def _api_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        offset = params.get("offset") or 0
        limit = params.get("limit") or 100
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[:limit]

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.answered_callbacks.append(params)
        return True

    def _api_editMessageText(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        message = self._message_for_edit(params)
        if message.get("text") == params["text"] and \
                message.get("reply_markup") == params.get("reply_markup"):
            raise _ApiError(400, "Bad Request: message is not modified: specified new message "
                            "content and reply markup are exactly the same")
        message["text"] = params["text"]
        message.pop("reply_markup", None)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        self.sent.append(dict(message, edited=True))
        return message

    def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        message = self._message_for_edit(params)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.sent.append(dict(message, edited=True))
        return message

    def _api_editMessageCaption(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        message = self._message_for_edit(params)
        message["caption"] = params.get("caption") or ""
        message.pop("reply_markup", None)
        self.sent.append(dict(message, edited=True))
        return message

    def _api_deleteMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        key = (params["chat_id"], params["message_id"])
        if key in self.messages and not _deletable(self.messages[key]):
            raise _ApiError(400, "Bad Request: message can't be deleted")
        self.messages.pop(key, None)
        return True

    def _api_deleteMessages(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        """1 to 100 at once; what cannot be deleted (48 hours old, gone) is skipped."""
        ids = params["message_ids"]
        ids = json.loads(ids) if isinstance(ids, str) else ids
        if not 1 <= len(ids) <= 100:
            raise _ApiError(400, "Bad Request: too many messages to delete")
        chat_id = int(params["chat_id"])
        for message_id in ids:
            key = (chat_id, int(message_id))
            if key in self.messages and _deletable(self.messages[key]):
                self.messages.pop(key)
        self.deleted_batches.append((chat_id, [int(i) for i in ids]))
        return True

    def _api_copyMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        source = self.messages.get((params["from_chat_id"], params["message_id"]))
        if source is None:
            raise _ApiError(400, "Bad Request: message to copy not found")
        chat = self._chat_for_send(params)
        copy = self._new_message(chat, BOT_USER, params.get("message_thread_id"))
        for key in ("text", "caption", "photo", "voice", "document", "video", "audio",
                    "sticker", "location", "contact"):
            if key in source:
                copy[key] = source[key]
        if "caption" in params and "text" not in source:
            copy["caption"] = params["caption"]
        self._reply_to(copy, chat, params)
        if "reply_markup" in params:
            copy["reply_markup"] = params["reply_markup"]
        self.sent.append(dict(copy, copied_from=(params["from_chat_id"], params["message_id"])))
        return {"message_id": copy["message_id"]}

    def _api_setMessageReaction(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if (params["chat_id"], params["message_id"]) not in self.messages:
            raise _ApiError(400, "Bad Request: message to react not found")
        self.reactions[(params["chat_id"], params["message_id"])] = params.get("reaction") or []
        return True

    def _api_getChat(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat = self.chats.get(params["chat_id"])
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return dict(chat.as_dict(), accent_color_id=0, max_reaction_count=11,
                    accepted_gift_types={"unlimited_gifts": False, "limited_gifts": False,
                                         "unique_gifts": False, "premium_subscription": False,
                                                         "gifts_from_channels": False})

    def _api_getChatMember(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat = self.chats.get(params["chat_id"])
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        user_id = params["user_id"]
        status = chat.members.get(user_id, "left")
        user = BOT_USER if user_id == BOT_ID else {"id": user_id, "is_bot": False,
                                                    "first_name": f"user{user_id}"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                          can_delete_messages=True, can_manage_video_chats=True,
                          can_restrict_members=True, can_promote_members=False,
                          can_change_info=True, can_invite_users=True, can_post_stories=False,
                          can_edit_stories=False, can_delete_stories=False,
                          can_pin_messages=True, can_manage_topics=True)
        return member

    def _api_createForumTopic(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat = self.chats.get(params["chat_id"])
        if chat is None or not chat.is_forum:
            raise _ApiError(400, "Bad Request: the chat is not a forum")
        thread_id = next(self._counter(chat.id))
        topic = {"message_thread_id": thread_id, "name": params["name"], "icon_color": 7322096}
        self.topics.setdefault(chat.id, []).append(topic)
        return topic

    def _api_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return {"file_id": params["file_id"], "file_unique_id": params["file_id"],
                "file_size": 1, "file_path": f"files/{params['file_id']}"}

    # -- helpers -----------------------------------------------------------------
    def _send(self, method: str, params: dict, files: dict) -> dict:
        chat = self._chat_for_send(params)
        message = self._new_message(chat, BOT_USER, params.get("message_thread_id"))
        kind = _SEND_METHODS[method]
        content = None
        if kind == "text":
            message["text"] = params["text"]
        else:
            value = params.get(kind)
            if kind == "location":
                value = (params.get("latitude"), params.get("longitude"))
            elif kind == "contact":
                value = params.get("phone_number")
            elif (isinstance(value, str) and value.startswith("attach://")) or (
                    value is None and files):
                value = True  # an upload: give it a new file id
            message.update(self._content(kind, value, BOT_USER))
            if params.get("caption"):
                message["caption"] = params["caption"]
            if kind == "document" and files:
                upload = next(iter(files.values()))
                message["document"]["file_name"] = upload[0] if upload[0] else "file"
                content = upload[1]
        markup = params.get("reply_markup")
        if markup and "inline_keyboard" in markup:
            # Telegram's Message carries only inline keyboards; a reply keyboard (share
            # contact) or its removal is kept in `sent` for tests and the console to see.
            message["reply_markup"] = markup
        self._reply_to(message, chat, params)
        record = dict(message, method=method, **({"reply_markup": markup} if markup else {}))
        if content is not None:  # the upload, for tests: kept out of the answer (not JSON)
            record["document"] = dict(message["document"], content=content)
        elif kind == "photo" and files:
            record["upload"] = next(iter(files.values()))[1]
        self.sent.append(record)
        return message

    def _reply_to(self, message: dict, chat: Chat, params: dict) -> None:
        """reply_parameters: the new message answers an earlier one (threads in groups)."""
        reply = params.get("reply_parameters") or {}
        original = self.messages.get((chat.id, int(reply.get("message_id") or 0)))
        if original is not None:
            message["reply_to_message"] = {k: v for k, v in original.items()
                                           if k != "reply_to_message"}

    def _chat_for_send(self, params: dict) -> Chat:
        chat_id = params.get("chat_id")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if params.get("message_thread_id") and chat.is_forum:
            known = {t["message_thread_id"] for t in self.topics.get(chat.id, [])}
            if params["message_thread_id"] not in known:
                raise _ApiError(400, "Bad Request: message thread not found")
        return chat

    def _message_for_edit(self, params: dict) -> dict:
        message = self.messages.get((int(params.get("chat_id") or 0), int(params.get("message_id") or 0)))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    def _counter(self, chat_id: int) -> itertools.count:
        return self._message_ids.setdefault(chat_id, itertools.count(1))

    def _new_message(self, chat: Chat, sender: dict, thread_id: int | None) -> dict:
        message: dict[str, Any] = {
            "message_id": next(self._counter(chat.id)),
            "date": int(time.time()),
            "chat": chat.as_dict(),
            "from": _user(sender),
        }
        if thread_id:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = chat.is_forum
        self.messages[(chat.id, message["message_id"])] = message
        return message

    def _content(self, kind: str, value: Any, user: dict) -> dict:
        if value is True or (isinstance(value, str) and kind in ("photo", "voice", "document",
                                                                  "video", "audio", "sticker")):
            file_id = value if isinstance(value, str) else f"file-{next(self._file_ids)}"
            media = {"file_id": file_id, "file_unique_id": file_id}
            if kind == "photo":
                return {"photo": [dict(media, width=640, height=480)]}
            if kind == "voice":
                return {"voice": dict(media, duration=3)}
            if kind == "document":
                return {"document": dict(media, file_name="document.pdf")}
            if kind == "video":
                return {"video": dict(media, width=640, height=480, duration=3)}
            if kind == "audio":
                return {"audio": dict(media, duration=3)}
            return {"sticker": dict(media, type="regular", width=512, height=512,
                                    is_animated=False, is_video=False)}
        if kind == "location":
            return {"location": {"latitude": value[0], "longitude": value[1]}}
        if kind == "contact":
            return {"contact": {"phone_number": value, "first_name": user.get("first_name", ""),
                                "user_id": user["id"]}}
        return {kind: value}

    def _queue_update(self, body: dict) -> dict:
        update = {"update_id": next(self._update_ids), **body}
        self.updates.append(update)
        return update

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.chat_id in (None, params.get("chat_id")):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _remember_settings(self, method: str, params: dict) -> None:
        language = params.get("language_code") or ""
        if method == "setMyCommands":
            self.commands[language] = params["commands"]
        elif method == "setMyDescription":
            self.descriptions[("description", language)] = params.get("description", "")
        elif method == "setMyShortDescription":
            self.descriptions[("short", language)] = params.get("short_description", "")

    # -- reading what the bot did ---------------------------------------------
    def sent_to(self, chat_id: int) -> list[dict]:
        return [m for m in self.sent if m["chat"]["id"] == chat_id]


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def answer(api: OfflineBotAPI, method: str, params: dict, files: dict | None = None
           ) -> tuple[int, dict]:
    """api.handle with request errors (bad chat, missing message) turned into API errors."""
    try:
        return api.handle(method, params, files)
    except _ApiError as exc:
        return exc.code, {"ok": False, "error_code": exc.code, "description": exc.description}


def decode_params(params: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for key, value in params.items():
        if key in _JSON_PARAMS and isinstance(value, str):
            value = json.loads(value)
        elif key in _INT_PARAMS and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        decoded[key] = value
    return decoded


DELETE_WITHIN = 48 * 3600  # Telegram lets a bot delete a message for 48 hours


def _deletable(message: dict) -> bool:
    return time.time() - message.get("date", 0) < DELETE_WITHIN


def _user(user: dict) -> dict:
    return {k: v for k, v in user.items() if k in
            ("id", "is_bot", "first_name", "last_name", "username", "language_code")} | {
        "is_bot": user.get("is_bot", False)}


class InProcessRequest(BaseRequest):
    """A PTB request layer with nothing to open or close; subclasses answer do_request."""

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class OfflineRequest(InProcessRequest):
    """PTB request layer that talks to an OfflineBotAPI in process (no network)."""

    def __init__(self, api: OfflineBotAPI) -> None:
        self.api = api

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.json_parameters if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        try:
            status, body = answer(self.api, endpoint, params, files)
        except Hang:
            raise TimedOut() from None
        return status, json.dumps(body).encode()
