"""Case lists in the staff group: /search TEXT, /cases and /mine, ten cases a page.

Each takes the filters of bot/content/case_search.py (status:, province:, kind:, mine). A list
is a message with a button per case (it posts that case's card here) and ◀️ ▶️; the
buttons carry "sl:o:<case id>" and "sl:p:<list id>:<page>" (flows/callbacks.py ListedCase,
ListPage). What was asked is kept in the group's chat_data under that list id (not
persisted: after a restart an old list's arrows say to ask again), and every page is read
afresh, so it shows the cases as they are now.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.admin import reports
from bot.content import case_search
from bot.content.provinces import load_provinces
from bot.context import HotlineContext
from bot.i18n import _
from flows import ui
from flows.callbacks import ListedCase, ListPage
from flows.desk import access as desk_access
from flows.desk import labels as desk_labels
from flows.desk import thread as desk_thread
from storage import desk, desk_search
from storage.desk import DeskCase

PAGE_SIZE = 10
KEPT_LISTS = 100  # lists remembered per group; older ones' arrows say to ask again
EXAMPLE_SEARCH = "/search Sunrise Poultry · /search province:chonburi status:waiting · /search mine"


@dataclass(frozen=True)
class Asked:
    """What a list shows: the command, what was typed after it, and who asked (for mine)."""

    command: str  # "search", "cases" or "mine"
    typed: str
    staff_id: int


@dataclass
class KeptLists:
    """chat_data["desk_lists"]: the group's lists by id (in memory only)."""

    next_id: int = 1
    asked: dict[int, Asked] = field(default_factory=dict)


def _lists(context: HotlineContext) -> KeptLists:
    chat_data = context.chat_data
    if chat_data is None:
        raise RuntimeError("a case list outside a chat")
    kept = chat_data.get("desk_lists")
    if not isinstance(kept, KeptLists):
        kept = chat_data["desk_lists"] = KeptLists()
    return kept


# -- the commands -----------------------------------------------------------------------------
async def on_search(update: Update, context: HotlineContext) -> None:
    """/search TEXT [filters]: cases of any status whose words match."""
    await start_list(update, context, "search")


async def on_cases(update: Update, context: HotlineContext) -> None:
    """/cases [filters]: open cases (or as status: says)."""
    await start_list(update, context, "cases")


async def on_mine(update: Update, context: HotlineContext) -> None:
    """/mine [filters]: my open cases."""
    await start_list(update, context, "mine")


COMMANDS = {"search": on_search, "cases": on_cases, "mine": on_mine}


async def start_list(update: Update, context: HotlineContext, command: str) -> None:
    if not await desk_access.staff_only(update, context):
        return
    message = ui.message_of(update)
    typed = " ".join(context.args or [])
    if command == "search" and not typed.strip():
        await message.reply_text(_("Write what to look for after /search, for example: "
                                   "{examples}").format(examples=EXAMPLE_SEARCH))
        return
    asked = Asked(command, typed, ui.user_of(update).id)
    query = _query(asked)
    if query.problems:
        await message.reply_text(problems_text(query))
        return
    if command == "search" and not query.text and query.filters == desk_search.Filters():
        await message.reply_text(_("Write what to look for after /search, for example: "
                                   "{examples}").format(examples=EXAMPLE_SEARCH))
        return
    text, markup = await render(context, remember(context, asked), asked, 0)
    await message.reply_text(text, reply_markup=markup)


def _query(asked: Asked) -> case_search.Query:
    default_status = None if asked.command == "search" else "open"
    query = case_search.parse(asked.typed, load_provinces(), desk_labels.CATEGORIES,
                              default_status)
    if asked.command == "mine" or query.mine:
        query = case_search.with_staff(query, asked.staff_id)
    return query


def problems_text(query: case_search.Query) -> str:
    statuses = ", ".join(("open", "all", *desk_labels.STATUS_LABELS))
    kinds = ", ".join(("W", "G", *desk_labels.CATEGORIES))
    lines = [_("I do not know that filter value. You can use:")]
    if "status" in query.problems:
        lines.append(_("status: {values}").format(values=statuses))
    if "province" in query.problems:
        lines.append(_("province: a province of Thailand, in English or Khmer, for example "
                       "province:chonburi"))
    if "kind" in query.problems:
        lines.append(_("kind: {values}").format(values=kinds))
    return "\n".join(lines)


def remember(context: HotlineContext, asked: Asked) -> int:
    lists = _lists(context)
    list_id = lists.next_id
    lists.next_id += 1
    lists.asked[list_id] = asked
    for old in sorted(lists.asked)[:-KEPT_LISTS]:
        del lists.asked[old]
    return list_id


# -- one page ----------------------------------------------------------------------------------
async def render(context: HotlineContext, list_id: int, asked: Asked,
                 page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """(text, buttons) of one page of the list, read now."""
    command = asked.command
    query = _query(asked)
    if query.text:
        found = case_search.search(query.text,
                                   await desk_search.searchable(context.db, query.filters),
                                   load_provinces())
        total = len(found)
        page = _clamp(page, total)
        shown = await desk_search.by_ids(context.db,
                                         found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE])
    else:
        total = await desk_search.count(context.db, query.filters)
        page = _clamp(page, total)
        shown = await desk_search.page(context.db, query.filters, PAGE_SIZE, page * PAGE_SIZE)
    if total == 0:
        return (_("No cases found.") if query.text or command == "search"
                else _("No open cases.") if query.filters.status == "open"
                else _("No cases found.")), None
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    lines = [title(command, query), _("{count} in all · page {page} of {pages}").format(
        count=total, page=page + 1, pages=pages), ""]
    lines += [reports.case_line(dc) for dc in shown]
    return "\n".join(lines)[: ui.MESSAGE_LIMIT], markup(list_id, shown, page, pages)


def _clamp(page: int, total: int) -> int:
    last = max((total - 1) // PAGE_SIZE, 0)
    return min(max(page, 0), last)


def title(command: str, query: case_search.Query) -> str:
    if command == "search" or query.text:
        heading = _("🔎 Cases found for “{text}”, best match first:").format(
            text=query.text) if query.text else _("🔎 Cases found, urgent and newest first:")
    elif query.filters.assigned_to is not None:
        heading = _("👤 Your cases, urgent and newest first:")
    elif query.filters.status == "open":
        heading = _("📂 Open cases, urgent and newest first:")
    else:
        heading = _("📂 Cases, urgent and newest first:")
    shown = [desk_labels.status(query.filters.status)] if query.filters.status not in (
        None, "open") else []
    if query.filters.province:
        shown.append(desk_labels.province(query.filters.province))
    if query.filters.kind:
        shown.append({"W": _("Unpaid wages"), "G": _("Problems")}[query.filters.kind])
    if query.filters.category:
        shown.append(desk_labels.category(query.filters.category))
    return heading + (" " + " · ".join(shown) if shown else "")


def markup(list_id: int, shown: list[DeskCase], page: int, pages: int) -> InlineKeyboardMarkup:
    rows = [[ui.button(dc.reference, ListedCase(dc.id).pack()) for dc in shown[i:i + 5]]
            for i in range(0, len(shown), 5)]
    arrows = []
    if page > 0:
        arrows.append(ui.button("◀️", ListPage(list_id, page - 1).pack()))
    if page + 1 < pages:
        arrows.append(ui.button("▶️", ListPage(list_id, page + 1).pack()))
    if arrows:
        rows.append(arrows)
    return ui.keyboard(rows)


async def show_card(context: HotlineContext, message: Message, dc: DeskCase,
                    staff_id: int) -> None:
    """The case's card with its buttons, as a reply here (/case and the list buttons)."""
    text, card_markup = await desk_thread.card(context, dc)
    sent = await message.reply_text(text, reply_markup=card_markup)
    await desk.link(context.db, dc.id, sent.chat_id, sent.message_id)
    await desk.record(context.db, staff_id, dc.id, "view")


# -- the buttons -------------------------------------------------------------------------------
async def on_case_button(update: Update, context: HotlineContext) -> None:
    """A case under a list: its card, here. Staff only, in the staff group only."""
    if not await desk_access.staff_button(update, context):
        return
    query = ui.query_of(update)
    pressed = ListedCase.parse(query.data)
    dc = None if pressed is None else await desk.get(context.db, pressed.case_id)
    if dc is None or not isinstance(query.message, Message):
        await query.answer(_("That button no longer works."), show_alert=True)
        return
    await query.answer()
    await show_card(context, query.message, dc, ui.user_of(update).id)


async def on_page_button(update: Update, context: HotlineContext) -> None:
    """◀️ or ▶️ under a list: that page, read now, in place of this one."""
    if not await desk_access.staff_button(update, context):
        return
    query = ui.query_of(update)
    pressed = ListPage.parse(query.data)
    if pressed is None:
        await query.answer(_("That button no longer works."), show_alert=True)
        return
    asked = _lists(context).asked.get(pressed.list_id)
    if asked is None:
        await query.answer(_("This list is too old: send the command again."), show_alert=True)
        return
    await query.answer()
    text, page_markup = await render(context, pressed.list_id, asked, pressed.page)
    with contextlib.suppress(TelegramError):  # the same page again: "message is not modified"
        await query.edit_message_text(text, reply_markup=page_markup)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_case_button, pattern=ListedCase.pattern),
            CallbackQueryHandler(on_page_button, pattern=ListPage.pattern)]
