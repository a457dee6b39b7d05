"""Case lists in the staff group: /search TEXT, /cases and /mine, ten cases a page.

Each takes the filters of bot/case_search.py (status:, province:, kind:, mine). A list
is a message with a button per case (it posts that case's card here) and ◀️ ▶️; the
buttons carry "sl:o:<case id>" and "sl:p:<list id>:<page>". What was asked is kept in
the group's chat_data under that list id (not persisted: after a restart an old list's
arrows say to ask again), and every page is read afresh, so it shows the cases as they
are now.
"""
from __future__ import annotations

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import case_search, reports
from bot.context import HotlineContext
from bot.i18n import _
from bot.provinces import load_provinces
from flows import desk_access, desk_labels, desk_thread, ui
from storage import desk, desk_search
from storage.desk import DeskCase

PREFIX = "sl"
PAGE_SIZE = 10
KEPT_LISTS = 100  # lists remembered per group; older ones' arrows say to ask again
_LISTS = "desk_lists"  # chat_data: {"next": int, "asked": {list id: [command, typed, staff]}}
EXAMPLE_SEARCH = "/search Sunrise Poultry · /search province:chonburi status:waiting · /search mine"


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
    message = update.effective_message
    typed = " ".join(context.args or [])
    if command == "search" and not typed.strip():
        await message.reply_text(_("Write what to look for after /search, for example: "
                                   "{examples}").format(examples=EXAMPLE_SEARCH))
        return
    asked = [command, typed, update.effective_user.id]
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


def _query(asked: list) -> case_search.Query:
    command, typed, staff_id = asked
    default_status = None if command == "search" else "open"
    query = case_search.parse(typed, load_provinces(), desk_labels.CATEGORIES, default_status)
    if command == "mine" or query.mine:
        query = case_search.with_staff(query, staff_id)
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


def remember(context: HotlineContext, asked: list) -> int:
    lists: dict = context.chat_data.setdefault(_LISTS, {"next": 1, "asked": {}})
    list_id = lists["next"]
    lists["next"] += 1
    lists["asked"][list_id] = asked
    for old in sorted(lists["asked"])[:-KEPT_LISTS]:
        del lists["asked"][old]
    return list_id


# -- one page ----------------------------------------------------------------------------------
async def render(context: HotlineContext, list_id: int, asked: list, page: int):
    """(text, buttons) of one page of the list, read now."""
    command, typed, _staff = asked
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


def markup(list_id: int, shown: list[DeskCase], page: int, pages: int):
    rows = [[ui.button(dc.reference, f"{PREFIX}:o:{dc.id}") for dc in shown[i:i + 5]]
            for i in range(0, len(shown), 5)]
    arrows = []
    if page > 0:
        arrows.append(ui.button("◀️", f"{PREFIX}:p:{list_id}:{page - 1}"))
    if page + 1 < pages:
        arrows.append(ui.button("▶️", f"{PREFIX}:p:{list_id}:{page + 1}"))
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
async def on_list_button(update: Update, context: HotlineContext) -> None:
    """A case or an arrow under a list: staff only, in the staff group only."""
    if not await desk_access.staff_button(update, context):
        return
    query = update.callback_query
    parts = query.data.split(":")
    numbers = [int(p) for p in parts[2:] if p.isdigit()]
    if len(parts) == 3 and parts[1] == "o" and len(numbers) == 1:
        dc = await desk.get(context.db, numbers[0])
        if dc is not None:
            await query.answer()
            await show_card(context, query.message, dc, update.effective_user.id)
            return
    elif len(parts) == 4 and parts[1] == "p" and len(numbers) == 2:
        asked = context.chat_data.get(_LISTS, {}).get("asked", {}).get(numbers[0])
        if asked is None:
            await query.answer(_("This list is too old: send the command again."),
                               show_alert=True)
            return
        await query.answer()
        text, page_markup = await render(context, numbers[0], asked, numbers[1])
        try:
            await query.edit_message_text(text, reply_markup=page_markup)
        except TelegramError:  # the same page again: "message is not modified"
            pass
        return
    await query.answer(_("That button no longer works."), show_alert=True)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_list_button, pattern=f"^{PREFIX}:")]
