"""Who may act on cases.

The rule: staff actions happen only in the staff group (STAFF_CHAT_ID).
There, a person is staff when
- STAFF_USER_IDS is set: their id is in it (other group members are refused);
- STAFF_USER_IDS is empty: Telegram says they are a member of the group now
  (getChatMember, remembered for MEMBER_CACHE_SECONDS).
Admin commands need ADMIN_USER_IDS as well. Anyone else learns nothing about
any case: in a private chat a staff command or button gets the same answer as
anything the bot does not know.
"""
from __future__ import annotations

import logging
import time

from telegram import Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import HotlineContext
from bot.i18n import _, set_language
from flows.desk import awaiting as desk_awaiting
from flows.ui import message_of, query_of, send_stale

log = logging.getLogger(__name__)

MEMBER_CACHE_SECONDS = 60  # bot_data["desk_members"]: user id -> (member?, monotonic time)
MEMBER_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}


def in_staff_chat(update: Update, context: HotlineContext) -> bool:
    chat = update.effective_chat
    staff_chat = context.staff_chat_id
    return staff_chat is not None and chat is not None and chat.id == staff_chat


async def is_staff(update: Update, context: HotlineContext) -> bool:
    """Whether the sender may take staff actions here (see the module's rule)."""
    user = update.effective_user
    if not in_staff_chat(update, context) or user is None or user.is_bot:
        return False
    remember_name(context, user)
    allowed = context.settings.staff_user_ids
    if allowed:
        return user.id in allowed
    return await _is_member(context, user.id)


async def is_admin(update: Update, context: HotlineContext) -> bool:
    user = update.effective_user
    return (user is not None and user.id in context.settings.admin_user_ids
            and await is_staff(update, context))


async def _is_member(context: HotlineContext, user_id: int) -> bool:
    cache = context.bot_data.setdefault("desk_members", {})
    known = cache.get(user_id)
    now = time.monotonic()
    if known is not None and now - known[1] < MEMBER_CACHE_SECONDS:
        return known[0]
    staff_chat = context.staff_chat_id
    if staff_chat is None:
        return False
    try:
        member = await context.bot.get_chat_member(staff_chat, user_id)
    except TelegramError as exc:
        log.warning("could not check staff membership of %s: %s", user_id, type(exc).__name__)
        return False
    is_member = member.status in MEMBER_STATUSES or (
        member.status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False))
    cache[user_id] = (is_member, now)
    return is_member


def remember_name(context: HotlineContext, user: User) -> None:
    context.bot_data.setdefault("desk_names", {})[user.id] = (
        f"@{user.username}" if user.username else user.full_name)


async def staff_name(context: HotlineContext, user_id: int | None) -> str | None:
    """How staff see a colleague: @username or name (asked from Telegram once)."""
    if user_id is None:
        return None
    names = context.bot_data.setdefault("desk_names", {})
    staff_chat = context.staff_chat_id
    if user_id not in names and staff_chat is not None:
        try:
            member = await context.bot.get_chat_member(staff_chat, user_id)
            remember_name(context, member.user)
        except TelegramError:
            names[user_id] = f"#{user_id}"
    return names.get(user_id, f"#{user_id}")


def username_of(update: Update) -> str | None:
    user = update.effective_user
    return user.username.lower() if user is not None and user.username else None


async def staff_only(update: Update, context: HotlineContext, *, admin: bool = False) -> bool:
    """For staff commands: in the staff group, from staff (and admins for admin commands);
    others there get a refusal, other chats silence. Sets the staff language."""
    if not in_staff_chat(update, context):
        return False  # another group: stay silent
    set_language(context.settings.staff_language)
    allowed = await (is_admin if admin else is_staff)(update, context)
    if allowed:  # a command instead of the awaited reason or amount: that question is dropped
        desk_awaiting.forget(context)
    else:
        refusal = _("Only hotline admins can do this.") if admin else _(
            "Only hotline staff can do this.")
        await message_of(update).reply_text(refusal)
    return allowed


async def staff_button(update: Update, context: HotlineContext) -> bool:
    """For buttons in the staff group: True for staff (the staff language is set); anyone
    else is refused, and the same button pressed in a private chat is treated as stale."""
    query = query_of(update)
    if not in_staff_chat(update, context):
        if update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
            # the stale-button answer, as for any unknown button
            await send_stale(update, context)
        else:
            await query.answer()
        return False
    set_language(context.settings.staff_language)
    if not await is_staff(update, context):
        await query.answer(_("Only hotline staff can do this."), show_alert=True)
        return False
    return True

