"""The wage claim form ("I was not paid"): its own steps and their order (kind W).

Family and group complaints are allowed (domain-facts §5), so the first
question is who is reporting. Months are chosen with buttons, never typed.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import dates
from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from bot.amounts import parse_amount
from bot.context import HotlineContext
from bot.i18n import N_, _, current_language, format_money
from bot.khmer import clean_input
from flows import form, intake_steps, screening, ui
from flows.form import Choice, Step, StepUI
from flows.intake_steps import TEXT

KIND = "W"
TEXT_LIMIT = 500
MAX_GROUP = 10_000
YEARS_BACK = 9  # months worked up to this many years ago can be chosen


# -- who is reporting -------------------------------------------------------------
WHO_CHOICES = [
    Choice("self", N_("🙋 Myself: I was not paid")),
    Choice("family", N_("👪 A family member was not paid")),
    Choice("group", N_("👥 A group of workers was not paid")),
]


async def ask_reported_by(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("I was not paid: I will ask a few short questions so hotline staff can help. "
             "You can go back or cancel at any time.\n\nWho was not paid?")
    await form.question(update, context, draft, "reported_by", text,
                        form.choice_rows(WHO_CHOICES, "rp:who"))


async def on_reporter_chosen(update: Update, context: HotlineContext) -> str:
    """Stores who is reporting: the worker, a family member, or for a group."""
    value = update.callback_query.data.split(":")[2]
    fields = form.fields(context)
    fields["reported_by"] = value
    if value != "group":
        fields.pop("group_size", None)
    return await form.advance(update, context, "reported_by")


def describe_reported_by(draft: dict) -> str | None:
    fields = draft["f"]
    value = form.label_of(WHO_CHOICES, fields.get("reported_by"))
    if value and fields.get("group_size"):
        value += " " + _("({count} people)").format(count=fields["group_size"])
    return value


form.register(StepUI(
    key="reported_by", label=N_("Who"), ask=ask_reported_by, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_reporter_chosen,
                                           pattern="^rp:who:(self|family|group)$")],
    describe=describe_reported_by,
))


async def ask_group_size(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "group_size",
                        _("How many workers were not paid? Type a number, for example 12."))


async def on_group_size_typed(update: Update, context: HotlineContext) -> str:
    """Accepts a number of workers (Khmer digits too)."""
    text = clean_input(update.effective_message.text or "").replace(",", "")
    if not text.isdigit() or not 2 <= int(text) <= MAX_GROUP:
        text = _("Please type how many workers as a number from 2 to {most}, for example 12 or ១២.")
        await ui.send(update, context, text.format(most=MAX_GROUP))
        return form.state_of("group_size")
    form.fields(context)["group_size"] = int(text)
    return await form.advance(update, context, "group_size")


form.register(StepUI(
    key="group_size", label=N_("Number of workers"), ask=ask_group_size, expects="number",
    handlers=lambda: [MessageHandler(TEXT, on_group_size_typed)],
))


# -- employer and workplace ---------------------------------------------------------
async def ask_employer(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "employer", _(
        "What is the name of the employer or company? Type it as you know it, "
        "in Khmer, Thai or English."))


async def on_employer_typed(update: Update, context: HotlineContext) -> str:
    """Stores the employer's name."""
    form.fields(context)["employer"] = await form.typed_text(
        update, context, intake_steps.NAME_LIMIT)
    return await form.advance(update, context, "employer")


form.register(StepUI(
    key="employer", label=N_("Employer"), ask=ask_employer, expects="text",
    handlers=lambda: [MessageHandler(TEXT, on_employer_typed)],
    describe=lambda d: form.shorten(d["f"].get("employer"), 100),
))


async def ask_workplace(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "workplace", _(
        "Describe the workplace if you can: the town or district, what the place makes or does, "
        "a landmark nearby. Or press Skip."), [[form.skip_button()]])


async def on_workplace_typed(update: Update, context: HotlineContext) -> str:
    """Stores the description of the workplace."""
    form.fields(context)["workplace"] = await form.typed_text(update, context, TEXT_LIMIT)
    return await form.advance(update, context, "workplace")


async def on_workplace_skipped(update: Update, context: HotlineContext) -> str:
    """No description of the workplace."""
    form.fields(context)["workplace"] = None
    return await form.advance(update, context, "workplace")


form.register(StepUI(
    key="workplace", label=N_("Workplace"), ask=ask_workplace, expects="text",
    handlers=lambda: [MessageHandler(TEXT, on_workplace_typed),
                      CallbackQueryHandler(on_workplace_skipped, pattern=f"^{form.SKIP_DATA}$")],
    describe=lambda d: form.shorten(d["f"].get("workplace"), 150) or _("not given"),
))


# -- sector -------------------------------------------------------------------------
SECTOR_CHOICES = [
    Choice("construction", N_("Construction")),
    Choice("agriculture", N_("Agriculture")),
    Choice("factory", N_("Factory")),
    Choice("seafood", N_("Fishing or seafood processing")),
    Choice("domestic", N_("Domestic or care work")),
    Choice("services", N_("Services (shop, restaurant, hotel)")),
    Choice("other", N_("Other work")),
]


async def ask_sector(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "sector", _("What kind of work was it?"),
                        form.choice_rows(SECTOR_CHOICES, "rp:sector", per_row=2))


async def on_sector_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the sector."""
    form.fields(context)["sector"] = update.callback_query.data.split(":")[2]
    return await form.advance(update, context, "sector")


form.register(StepUI(
    key="sector", label=N_("Work"), ask=ask_sector, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_sector_chosen, pattern="^rp:sector:(" + "|".join(
        c.value for c in SECTOR_CHOICES) + ")$")],
    describe=lambda d: form.label_of(SECTOR_CHOICES, d["f"].get("sector")),
))


# -- months worked (buttons: a year, then a month) --------------------------------------
def month_text(value: str | None) -> str | None:
    """'2025-07' as 'July 2025' / 'កក្កដា 2025'."""
    if not value:
        return None
    year, month = (int(part) for part in value.split("-"))
    return dates.format_date(date(year, month, 1), "MMMM y", locale=current_language())


def _bounds(context: HotlineContext, draft: dict, key: str) -> tuple[str, str]:
    """The earliest and latest month ('YYYY-MM') that may be chosen for this step."""
    today = datetime.now(context.settings.timezone).date()  # the hotline's date, not the server's
    latest = f"{today.year:04d}-{today.month:02d}"
    earliest = f"{today.year - YEARS_BACK:04d}-01"
    if key == "last_month" and draft["f"].get("first_month"):
        earliest = draft["f"]["first_month"]
    return earliest, latest


async def ask_month(update: Update, context: HotlineContext, draft: dict, key: str) -> None:
    earliest, latest = _bounds(context, draft, key)
    year = draft.get("picking_year")
    if key == "first_month":
        text = _("When did you start working there? Choose the year.")
    else:
        text = _("When did you last work there? Choose the year.")
    if year is None:
        years = [str(y) for y in range(int(latest[:4]), int(earliest[:4]) - 1, -1)]
        buttons = [ui.button(y, f"rp:ym:{y}") for y in years]
        rows = [buttons[i:i + 5] for i in range(0, len(buttons), 5)]
    else:
        text = _("Which month of {year}?").format(year=year)
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
        names = dates.get_month_names("wide", locale=current_language())
        buttons = [ui.button(names[int(m[5:])], f"rp:ym:{m}")
                   for m in months if earliest <= m <= latest]
        rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    await form.question(update, context, draft, key, text, rows)


def month_step(key: str, label: str) -> StepUI:
    async def on_year_or_month_chosen(update: Update, context: HotlineContext) -> str:
        """A year shows its months; a month is stored."""
        value = update.callback_query.data.split(":")[2]
        draft = form.current(context)
        earliest, latest = _bounds(context, draft, key)
        if len(value) == 4:
            if earliest[:4] <= value <= latest[:4]:
                draft["picking_year"] = value
            return await form.ask(update, context, draft, key)
        draft.pop("picking_year", None)
        if not earliest <= value <= latest:
            return await form.ask(update, context, draft, key)
        draft["f"][key] = value
        return await form.advance(update, context, key)

    async def ask(update: Update, context: HotlineContext, draft: dict) -> None:
        await ask_month(update, context, draft, key)

    def back_to_years(draft: dict) -> bool:
        return draft.pop("picking_year", None) is not None

    return StepUI(
        key=key, label=label, ask=ask, expects="buttons", back=back_to_years,
        handlers=lambda: [CallbackQueryHandler(on_year_or_month_chosen,
                                               pattern=r"^rp:ym:\d{4}(-\d{2})?$")],
        describe=describe_months if key == "first_month" else (lambda d: None),
    )


def describe_months(draft: dict) -> str | None:
    first, last = draft["f"].get("first_month"), draft["f"].get("last_month")
    if not first:
        return None
    return f"{month_text(first)} – {month_text(last)}" if last else month_text(first)


form.register(month_step("first_month", N_("Months worked")))
form.register(month_step("last_month", N_("Last month worked")))


# -- what is owed (several may apply) -------------------------------------------------
OWED_CHOICES = [
    Choice("wages", N_("Wages")),
    Choice("overtime", N_("Overtime pay")),
    Choice("severance", N_("Severance pay")),
    Choice("deposit", N_("Deposit or guarantee money")),
    Choice("documents", N_("Documents the employer kept")),
]


def _owed_markup(draft: dict):
    chosen = set(draft["f"].get("owed") or [])
    rows = form.choice_rows(OWED_CHOICES, "rp:owe", marked=chosen)
    rows.append([ui.button(_("➡️ Next"), "rp:owe:next")])
    return ui.keyboard([*rows, *form.nav_rows(draft, "owed")])


async def ask_owed(update: Update, context: HotlineContext, draft: dict) -> None:
    draft["urgent_before_owed"] = screening.is_urgent(draft)
    text = _("What does the employer owe you? Press everything that applies, then press Next.")
    await ui.send(update, context, text, _owed_markup(draft))


async def on_owed_toggled(update: Update, context: HotlineContext) -> str:
    """Ticks or unticks one thing owed, on the same message."""
    value = update.callback_query.data.split(":")[2]
    draft = form.current(context)
    chosen = list(draft["f"].get("owed") or [])
    chosen.remove(value) if value in chosen else chosen.append(value)
    draft["f"]["owed"] = [c.value for c in OWED_CHOICES if c.value in chosen]
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(_owed_markup(draft))
    return form.state_of("owed")


async def on_owed_done(update: Update, context: HotlineContext) -> str:
    """Goes on once at least one thing is ticked."""
    draft = form.current(context)
    if not draft["f"].get("owed"):
        await ui.send(update, context, _("Please press at least one thing, then Next."))
        return await form.ask(update, context, draft, "owed")
    # Documents kept by the employer are a forced-labour indicator: urgent at once.
    await screening.warn_if_newly_urgent(update, context, draft,
                                         was_urgent=draft.pop("urgent_before_owed", False))
    return await form.advance(update, context, "owed")


form.register(StepUI(
    key="owed", label=N_("What is owed"), ask=ask_owed, expects="buttons",
    handlers=lambda: [
        CallbackQueryHandler(on_owed_done, pattern="^rp:owe:next$"),
        CallbackQueryHandler(on_owed_toggled, pattern="^rp:owe:(" + "|".join(
            c.value for c in OWED_CHOICES) + ")$"),
    ],
    describe=lambda d: ", ".join(form.label_of(OWED_CHOICES, v) for v in d["f"].get("owed") or [])
    or None,
))


# -- amount ---------------------------------------------------------------------------
# example: how to type an amount, not a fact
AMOUNT_EXAMPLE = N_("For example: 12,500 or ១២៥០០ បាត or 12500 baht or $300. "
                    "Baht is used when you do not name the money.")


async def ask_amount(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("About how much money are you owed in total? Type the amount.")
    text += " " + _(AMOUNT_EXAMPLE)
    await form.question(update, context, draft, "amount", text,
                        [[form.skip_button(_("⏭ Skip: I do not know"))]])


async def on_amount_typed(update: Update, context: HotlineContext) -> str:
    """Reads the amount and its currency (baht unless another is named)."""
    amount = parse_amount(update.effective_message.text or "")
    draft = form.current(context)
    if amount is None:
        await ui.send(update, context, _("I could not read that amount.") + " " + _(AMOUNT_EXAMPLE))
        return await form.ask(update, context, draft, "amount")
    draft["f"]["amount"], draft["f"]["currency"] = str(amount.value), amount.currency
    return await form.advance(update, context, "amount")


async def on_amount_skipped(update: Update, context: HotlineContext) -> str:
    """The amount is not known."""
    fields = form.fields(context)
    fields["amount"] = fields["currency"] = None
    return await form.advance(update, context, "amount")


def describe_amount(draft: dict) -> str:
    amount, currency = draft["f"].get("amount"), draft["f"].get("currency")
    if not amount:
        return _("not known")
    return format_money(Decimal(amount), currency)


form.register(StepUI(
    key="amount", label=N_("Amount"), ask=ask_amount, expects="text",
    handlers=lambda: [MessageHandler(TEXT, on_amount_typed),
                      CallbackQueryHandler(on_amount_skipped, pattern=f"^{form.SKIP_DATA}$")],
    describe=describe_amount,
))


# -- recruiter or broker involved ----------------------------------------------------------
RECRUITER_CHOICES = [
    Choice("yes", N_("Yes")),
    Choice("no", N_("No")),
    Choice("unsure", N_("I am not sure")),
]


async def ask_recruiter_involved(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "recruiter_involved",
                        _("Did a recruiter, broker or agency find you this job?"),
                        form.choice_rows(RECRUITER_CHOICES, "rp:rec", per_row=3))


async def on_recruiter_answered(update: Update, context: HotlineContext) -> str:
    """Stores whether a recruiter or broker was involved."""
    value = update.callback_query.data.split(":")[2]
    fields = form.fields(context)
    fields["recruiter_involved"] = value
    if value != "yes":
        fields.pop("recruiter_name", None)
    return await form.advance(update, context, "recruiter_involved")


def describe_recruiter(draft: dict) -> str | None:
    value = form.label_of(RECRUITER_CHOICES, draft["f"].get("recruiter_involved"))
    name = draft["f"].get("recruiter_name")
    return _("{label}: {value}").format(label=value, value=form.shorten(name, 100)) \
        if value and name else value


form.register(StepUI(
    key="recruiter_involved", label=N_("Recruiter or broker"), ask=ask_recruiter_involved,
    expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_recruiter_answered,
                                           pattern="^rp:rec:(yes|no|unsure)$")],
    describe=describe_recruiter,
))


def _recruiter_named(draft: dict) -> bool:
    return draft["f"].get("recruiter_involved") == "yes"


form.ORDERS[KIND] = [
    Step("reported_by"),
    Step("group_size", parent="reported_by", when=lambda d: d["f"].get("reported_by") == "group"),
    Step("province"),
    Step("employer"),
    Step("workplace"),
    Step("sector"),
    Step("first_month"),
    Step("last_month", parent="first_month"),
    Step("owed"),
    Step("amount"),
    Step("recruiter_involved"),
    Step("recruiter_name", parent="recruiter_involved", when=_recruiter_named),
    Step("screener"),
    Step("evidence"),
    *intake_steps.tail_steps(),
]
