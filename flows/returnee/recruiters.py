"""Check a recruiter: is this agency on the Ministry of Labour's list of licensed agencies?

The person types a name (Khmer or Latin) or a licence number; the answer says
listed and active, listed but not allowed to recruit, or not listed, always with
the list's source and date. Near matches are offered as buttons carrying the
agency's row id (RecruiterPick). Every search is logged without the person's id.
Sample data is never presented as the official list (bot/content/recruiter_registry.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.content.intents import EMERGENCY
from bot.content.recruiter_registry import effective_status
from bot.content.recruiter_search import RecruiterIndex, RegistryCache, SearchResult
from bot.context import HotlineContext
from bot.i18n import N_, _, current_language, format_date
from domain.khmer import clean_input
from flows import ui
from flows.callbacks import RecruiterAgain, RecruiterNone, RecruiterPick, ReportThis
from flows.registry import Flow, MenuEntry
from flows.returnee import case_replies, understand
from storage import desk, intent_log
from storage import recruiters as registry_store
from storage.clock import to_text, utcnow
from storage.recruiters import Recruiter

END = ConversationHandler.END
ASK_NAME = "ask_name"
CHECK = MenuEntry("recruiters", N_("🔎 Check a recruiter"), order=150)
# user_data["recruiters_listening"]: the check listens for a name, "asked" (just asked for
# one) or "answered" (after an answer another name may follow). A button pressed elsewhere
# ends it (forget()). user_data["recruiters_query"]: the last name, for "None of these".
TYPED = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
MAX_QUERY = 100               # characters of a typed name that are used
MAX_LABEL_NAME = 40           # characters of a name on a candidate button

STATUS_LINES = {
    "active": N_("Status: active"),
    "suspended": N_("Status: suspended"),
    "revoked": N_("Status: revoked"),
    "expired": N_("Status: expired"),
}
INACTIVE_HEADLINES = {
    "suspended": N_("⚠️ {name} is on the list, but its licence is SUSPENDED. "
                    "It must not recruit workers now."),
    "revoked": N_("⚠️ {name} is on the list, but its licence has been REVOKED (cancelled). "
                  "It must not recruit workers."),
    "expired": N_("⚠️ {name} is on the list, but its licence has EXPIRED. "
                  "It must not recruit workers until the licence is renewed."),
}
# Destinations as written in the official list, shown in the reader's language.
DESTINATIONS = {
    "thailand": N_("Thailand"), "japan": N_("Japan"), "malaysia": N_("Malaysia"),
    "singapore": N_("Singapore"), "hong kong": N_("Hong Kong"),
    "south korea": N_("South Korea"), "korea": N_("South Korea"),
}


async def registry(context: HotlineContext) -> RecruiterIndex:
    cache = context.bot_data.setdefault("recruiter_registry", RegistryCache())
    return await cache.get(context.db)


# -- handlers ----------------------------------------------------------------
async def on_check_chosen(update: Update, context: HotlineContext) -> str:
    """Asks for the agency's name or licence number (menu entry or "Check another")."""
    context.person_state["recruiters_listening"] = "asked"
    await ui.send(update, context, _(
        "Type the name of the recruitment agency, or its licence number. "
        "Khmer or English letters are both fine."
    ), ui.keyboard([ui.nav_row()]))
    return ASK_NAME


async def on_recruiter_words(update: Update, context: HotlineContext) -> str | int:
    """Typed at the menu about a recruiter ("is Demo Manpower licensed?"): a name in it is
    looked up straight away; without one, the check asks for it. A reply to staff first."""
    if context.person_state.get("recruiters_listening"):  # in the check: the words are the name
        return await on_name_entered(update, context)
    if await case_replies.route_reply(update, context):
        return END
    index = await registry(context)
    text = ui.message_of(update).text or ""
    await intent_log.record(context.db, "recruiter", None)
    if not index.is_empty:
        # The name with the words around it ("Manpower" may be part of it), then without;
        # an exact match from either first. A name that is not found is asked for again:
        # words around a name must never be called an unlisted agency.
        searches = [(t[:MAX_QUERY], index.search(t[:MAX_QUERY])) for t in (
            understand.MATCHER.without_words_of("recruiter", text, own_too=False),
            understand.MATCHER.without_words_of("recruiter", text)) if t]
        found = [s for s in searches if s[1].kind == "exact"] or \
            [s for s in searches if s[1].kind != "none"]
        if found:
            return await answer_search(update, context, found[0][0], index, found[0][1])
    return await on_check_chosen(update, context)


async def on_name_entered(update: Update, context: HotlineContext) -> str | int:
    """Looks the typed name or licence number up and answers; words that mean something
    else (danger; after an answer, another topic or a reply to staff) go where they belong."""
    text = ui.message_of(update).text or ""
    typed = clean_input(text)[:MAX_QUERY]
    index = await registry(context)
    result = index.search(typed)
    if context.person_state.get("recruiters_listening") is None or (
            result.kind != "exact" and await _means_something_else(update, context, text)):
        return await leave(update, context)
    return await answer_search(update, context, typed, index, result)


async def leave(update: Update, context: HotlineContext) -> int:
    """The message is not for the check (any more): leave it, and let the flows answer."""
    context.person_state.pop("recruiters_listening", None)
    await context.application.update_queue.put(update)
    return END


def forget(update: Update, context: HotlineContext) -> None:
    """Called before every flow: a button pressed outside the check, or a command, ends its
    listening for names."""
    state = context.person_state
    if "recruiters_listening" not in state:
        return
    query, message = update.callback_query, update.message
    if (query is not None and not is_check_button(query.data)) \
            or (message is not None and (message.text or "").startswith("/")):
        state.pop("recruiters_listening", None)


def is_check_button(data: str | None) -> bool:
    """A button of the check itself: the menu entry, Check another, a near match, None."""
    return data == CHECK.callback_data or any(
        kind.parse(data) is not None for kind in (RecruiterAgain, RecruiterPick, RecruiterNone))


async def _means_something_else(update: Update, context: HotlineContext, text: str) -> bool:
    match = understand.MATCHER.match(text)
    if match is not None and match.intent == EMERGENCY:
        return True
    if context.person_state.get("recruiters_listening") == "asked":  # just asked: this is it
        return False
    if match is not None and match.intent != "recruiter":
        return True
    since = to_text(utcnow() - timedelta(days=case_replies.REPLY_DAYS))
    return bool(await desk.cases_awaiting_reply(context.db, ui.person_id(update), since))


async def answer_search(update: Update, context: HotlineContext, typed: str,
                        index: RecruiterIndex, result: SearchResult) -> str:
    """The answer to one search; the person may type another name straight away."""
    if not result.query_key:
        await ui.send(update, context, _(
            "I could not find a name in that. Please type the agency's name or licence number."
        ), ui.keyboard([ui.nav_row()]))
        return ASK_NAME
    context.person_state["recruiters_query"] = typed
    await registry_store.log_search(context.db, result.query, result.query_key,
                                    _log_kind(context, index, result))
    if index.is_empty:
        await ui.send(update, context, not_loaded_text(context), again_markup())
    elif result.kind == "exact":
        await answer_agency(update, context, index, index.by_id[result.exact[0]])
    elif result.kind == "none":
        await answer_not_found(update, context, index, typed)
    else:
        await offer_candidates(update, context, index, result, typed)
    context.person_state["recruiters_listening"] = "answered"
    return ASK_NAME


async def on_other_input(update: Update, context: HotlineContext) -> str | int:
    """Anything but text while waiting for a name: asks again, kindly. After an answer it is
    something else (a photo for staff, a voice note): handled outside the check."""
    if context.person_state.get("recruiters_listening") != "asked":
        return await leave(update, context)
    await ui.send(update, context, _("Please type the agency's name or licence number as text."),
                  ui.keyboard([ui.nav_row()]))
    return ASK_NAME


async def on_candidate_picked(update: Update, context: HotlineContext) -> None:
    """Shows the agency the person chose from the near matches."""
    index = await registry(context)
    button = RecruiterPick.parse(ui.query_data(update))
    recruiter = index.by_id.get(button.recruiter_id) if button is not None else None
    if recruiter is None:
        await ui.send(update, context, _(
            "The list has been updated since then, so I cannot show that agency. "
            "Please search again."
        ), again_markup())
        return
    await answer_agency(update, context, index, recruiter)


async def on_none_of_these(update: Update, context: HotlineContext) -> None:
    """None of the near matches is the agency: answers as not listed."""
    typed = context.person_state.get("recruiters_query")
    index = await registry(context)
    if not typed or index.is_empty:  # nothing to answer about (an old button)
        await ui.send(update, context, _("Please search again: press Check another."),
                      again_markup())
        return
    result = index.search(typed)
    if not is_sample(index):
        await registry_store.log_search(context.db, result.query, result.query_key, "unlisted")
    await answer_not_found(update, context, index, typed)


def _log_kind(context: HotlineContext, index: RecruiterIndex, result: SearchResult) -> str:
    if index.is_empty:
        return "no_registry"
    if is_sample(index):
        return "sample"  # never counted as a real unlisted name
    if result.kind == "exact":
        recruiter = index.by_id[result.exact[0]]
        return "listed" if effective_status(recruiter, today(context)) == "active" else "inactive"
    return {"none": "unlisted"}.get(result.kind, result.kind)


# -- answers -----------------------------------------------------------------
async def answer_agency(update: Update, context: HotlineContext, index: RecruiterIndex,
                        recruiter: Recruiter) -> None:
    status = effective_status(recruiter, today(context))
    name = display_name(recruiter)
    if status == "active":
        parts = [_("✅ {name} is on the list of licensed recruitment agencies.").format(name=name),
                 details(recruiter, status),
                 # fact: CENTRAL on licences bought or franchised (aseantuc 2017); Thai zero-fee
                 # rules (ILO good-practice database); domain-facts §3 and §4, 2026-02
                 _("Being listed does not guarantee fair treatment: you should never pay "
                   "recruitment fees, and keep your passport yourself.")]
    else:
        parts = [_(INACTIVE_HEADLINES[status]).format(name=name),
                 details(recruiter, status),
                 _("Do not pay it any money and do not give it your passport. To check, call "
                   "the Ministry of Labour (MLVT) on {number}.").format(
                     number=context.directory["mlvt"].number)]
    parts.append(source_line(recruiter.source, recruiter.as_of))
    await ui.send(update, context, with_sample_notice(context, index, parts), again_markup())


async def answer_not_found(update: Update, context: HotlineContext, index: RecruiterIndex,
                           typed: str) -> None:
    latest = index.latest
    if latest is None or latest.is_sample:
        await ui.send(update, context, not_loaded_text(context), again_markup())
        return
    parts = [
        _("🚫 I did not find “{query}” on the official list of licensed recruitment agencies.")
        .format(query=typed),
        _("Recruiting workers without a licence is illegal. Do not pay money and do not give "
          "your passport or documents to this agency or its brokers."),
        _("What to do: check the spelling, or ask the agency for its licence number and search "
          "again. Report an agency that is not on the list to the Ministry of Labour (MLVT): "
          "call {number} or see {website}. If someone is held or trafficked, call the police "
          "on {police}.").format(
            number=context.directory["mlvt"].number,
            website=context.directory.website("mlvt").address,
            police=context.directory["police_kh"].number),
        source_line(latest.source, latest.as_of),
    ]
    # The grievance form picks the name up from here (flows/forms/intake.py).
    context.person_state["recruiter_to_report"] = typed
    report = [ui.button(_("📝 Report this recruiter"), ReportThis("recruiter").pack())]
    await ui.send(update, context, "\n\n".join(parts), again_markup(first_row=report))


async def offer_candidates(update: Update, context: HotlineContext, index: RecruiterIndex,
                           result: SearchResult, typed: str) -> None:
    if result.kind == "several":
        ids, text = result.exact, _("Several agencies match “{query}”. Choose one:")
    else:
        ids, text = result.near, _(
            "I found no exact match for “{query}”. These names are only similar. "
            "Is it one of them?")
    rows = [[ui.button(candidate_label(index.by_id[i]), RecruiterPick(i).pack())] for i in ids]
    if result.kind == "approximate":
        rows.append([ui.button(_("None of these"), RecruiterNone().pack())])
    rows.append(again_row())
    await ui.send(update, context,
                  with_sample_notice(context, index, [text.format(query=typed)]),
                  ui.keyboard(rows))


def with_sample_notice(context: HotlineContext, index: RecruiterIndex, parts: list[str]) -> str:
    """Sample data is shown only under the notice that the official list is not loaded."""
    if not is_sample(index):
        return "\n\n".join(parts)
    return "\n\n".join([not_loaded_text(context),
                        _("🧪 Training example with fictional agencies, not the official list:"),
                        *parts])


def is_sample(index: RecruiterIndex) -> bool:
    """The loaded list is the training sample (never shown as the official list)."""
    return index.latest is not None and index.latest.is_sample


def not_loaded_text(context: HotlineContext) -> str:
    return _(
        "ℹ️ The official list of licensed recruitment agencies has not been loaded into this "
        "bot yet, so I cannot check agencies here. Ask the Ministry of Labour (MLVT): call "
        "{number}, or see the official list at {website}."
    ).format(number=context.directory["mlvt"].number,
             website=context.directory.website("mlvt").address)


def details(recruiter: Recruiter, status: str) -> str:
    lines: list[str] = []
    if recruiter.licence_no:
        lines.append(_("Licence number: {licence}").format(licence=recruiter.licence_no))
    lines.append(_(STATUS_LINES[status]))
    if recruiter.destinations:
        lines.append(_("Destinations: {destinations}").format(
            destinations=", ".join(destination_name(d) for d in recruiter.destinations)))
    if recruiter.valid_until:
        lines.append(_("Valid until: {date}").format(
            date=format_date(date.fromisoformat(recruiter.valid_until))))
    if recruiter.address:
        lines.append(_("Address: {address}").format(address=recruiter.address))
    return "\n".join(lines)


def source_line(source: str, as_of: str) -> str:
    return _("Source: {source}. List as of {date}.").format(
        source=source, date=format_date(date.fromisoformat(as_of)))


def display_name(recruiter: Recruiter) -> str:
    """The name in the reader's script first, the other in brackets."""
    first, second = recruiter.name_latin, recruiter.name_khmer
    if current_language() == "km":
        first, second = second, first
    if first and second:
        return f"{first} ({second})"
    return first or second


def candidate_label(recruiter: Recruiter) -> str:
    """The name in the reader's script (shortened for a phone) and the licence number."""
    names = (recruiter.name_khmer, recruiter.name_latin)
    if current_language() != "km":
        names = names[::-1]
    name = names[0] or names[1]
    if len(name) > MAX_LABEL_NAME:
        name = name[:MAX_LABEL_NAME - 1] + "…"
    return f"{name} · {recruiter.licence_no}" if recruiter.licence_no else name


def destination_name(destination: str) -> str:
    known = DESTINATIONS.get(" ".join(destination.casefold().split()))
    return _(known) if known else destination


def again_row() -> list[InlineKeyboardButton]:
    return [ui.button(_("🔎 Check another"), RecruiterAgain().pack()), ui.main_menu_button()]


def again_markup(first_row: list[InlineKeyboardButton] | None = None) -> InlineKeyboardMarkup:
    return ui.keyboard([first_row or [], again_row()])


def today(context: HotlineContext) -> date:
    """The date in the hotline's time zone: a licence valid until today is still valid."""
    return datetime.now(context.settings.timezone).date()


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    conversation = ConversationHandler(
        name="recruiters",
        persistent=True,
        per_message=False,
        allow_reentry=True,  # the menu entry or "Check another" also work while asking
        entry_points=[
            CallbackQueryHandler(on_check_chosen, pattern=CHECK.pattern),
            CallbackQueryHandler(on_check_chosen, pattern=RecruiterAgain.pattern),
            MessageHandler(TYPED & understand.IntentFilter("recruiter"), on_recruiter_words),
        ],
        states={
            ASK_NAME: [
                MessageHandler(TYPED, on_name_entered),
            ],
        },
        fallbacks=[
            *exits,
            MessageHandler(filters.ALL, on_other_input),
        ],
    )
    # Outside the conversation: answer buttons keep working on older messages.
    return [
        conversation,
        CallbackQueryHandler(on_candidate_picked, pattern=RecruiterPick.pattern),
        CallbackQueryHandler(on_none_of_these, pattern=RecruiterNone.pattern),
    ]


FLOW = Flow(name="recruiters", handlers=handlers, menu=(CHECK,))
