"""Start-up of the staff desk: check the bot's rights in the staff group, list the staff
commands there (its repeating sweep is a job: bot/jobs/installer.py)."""
from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import HotlineApplication
from bot.i18n import _, use_language
from bot.settings import Settings
from flows.desk import commands as desk_commands
from flows.desk import followups as desk_followups

log = logging.getLogger(__name__)


async def prepare(app: HotlineApplication, settings: Settings) -> None:
    chat_id = settings.staff_chat_id
    if not settings.staff_enabled or chat_id is None:
        return
    for problem in await check_rights(app, chat_id):
        log.warning("staff group %s: %s", chat_id, problem)
    try:
        with use_language(settings.staff_language):
            commands = [BotCommand(name, _(text)) for name, text
                        in desk_commands.STAFF_COMMANDS + desk_followups.STAFF_COMMANDS]
        await app.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not list the staff commands in the staff group: %s", exc)


async def check_rights(app: HotlineApplication, chat_id: int) -> list[str]:
    """What stops the desk from working in the staff group (empty: all is well)."""
    try:
        chat = await app.bot.get_chat(chat_id)
        member = await app.bot.get_chat_member(chat_id, app.bot.id)
    except TelegramError as exc:
        return [(f"the bot cannot reach it ({exc}); check STAFF_CHAT_ID and add the bot to the "
                 "group as an administrator")]
    problems: list[str] = []
    if member.status == ChatMemberStatus.ADMINISTRATOR or member.status == ChatMemberStatus.OWNER:
        if chat.is_forum and not getattr(member, "can_manage_topics", False):
            problems.append("the group has topics but the bot may not manage topics: give it "
                            "the 'Manage topics' right, or new cases cannot get a topic")
    elif member.status == ChatMemberStatus.MEMBER:
        problems.append("the bot is not an administrator: it may not see staff replies "
                        "(privacy mode) and cannot make topics; make it an administrator")
        if chat.is_forum:
            problems.append("the group has topics but the bot cannot create them")
    elif member.status == ChatMemberStatus.RESTRICTED and not getattr(
            member, "can_send_messages", False):
        problems.append("the bot may not post in the group")
    else:
        problems.append(f"the bot is not in the group (status {member.status}); add it as an "
                        "administrator")
    return problems
