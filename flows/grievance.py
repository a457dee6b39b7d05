"""The grievance form ("Report a problem"): its own steps and their order (kind G).

Every grievance goes through the safety questions (flows/screening.py, rules in
bot/screener.py); a warning sign marks the case urgent and shows the verified
emergency numbers at once (data/directory.csv).
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import HotlineContext
from bot.i18n import N_, _
from flows import form, intake_steps, screening
from flows.form import Choice, Step, StepUI
from flows.intake_steps import TEXT

KIND = "G"
DESCRIPTION_LIMIT = 3000
PLACE_LIMIT = 200
RECRUITER = "recruiter"
WAGES = "wages"

CATEGORY_CHOICES = [
    Choice(RECRUITER, N_("Recruiter or broker: lies or fees")),
    Choice("documents", N_("Passport or documents kept")),
    Choice("violence", N_("Violence, threats or forced work")),
    Choice("debt", N_("Debt and money lenders")),
    Choice("harassment", N_("Discrimination or harassment, sexual harassment too")),
    Choice(WAGES, N_("Unpaid wages")),
    Choice("other", N_("Something else")),
]


# -- category ---------------------------------------------------------------------
async def ask_category(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("Report a problem: what you tell me goes to hotline staff only. "
             "You can go back or cancel at any time.\n\nWhat is the problem about?")
    await form.question(update, context, draft, "category", text,
                        form.choice_rows(CATEGORY_CHOICES, "rp:cat"))


async def on_category_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the category; unpaid wages go to the wage claim form instead."""
    value = update.callback_query.data.split(":")[2]
    draft = form.current(context)
    if value == WAGES:
        wage_draft = form.new_draft("W", ask_gender=draft.get("ask_gender", False))
        wage_draft["ask_home"] = draft.get("ask_home", False)
        context.user_data[form.DRAFT] = wage_draft
        return await form.ask(update, context, wage_draft, form.order("W")[0].key)
    was_urgent = screening.is_urgent(draft)
    draft["f"]["category"] = value
    await screening.warn_if_newly_urgent(update, context, draft, was_urgent)
    return await form.advance(update, context, "category")


form.register(StepUI(
    key="category", label=N_("Problem"), ask=ask_category, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_category_chosen, pattern="^rp:cat:(" + "|".join(
        c.value for c in CATEGORY_CHOICES) + ")$")],
    describe=lambda d: form.label_of(CATEGORY_CHOICES, d["f"].get("category")),
))


# -- description ------------------------------------------------------------------------
async def ask_description(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("Tell me what happened, in your own words: what, when, who. "
             "Type it or send a voice note.")
    await form.question(update, context, draft, "description", text)


async def on_description_typed(update: Update, context: HotlineContext) -> str:
    """Stores the written description."""
    draft = form.current(context)
    was_urgent = screening.is_urgent(draft)
    fields = draft["f"]
    fields["description"] = await form.typed_text(update, context, DESCRIPTION_LIMIT)
    fields["description_voice"] = None
    await screening.warn_if_newly_urgent(update, context, draft, was_urgent)
    return await form.advance(update, context, "description")


async def on_description_spoken(update: Update, context: HotlineContext) -> str:
    """Stores a voice note as the description (its Telegram file id)."""
    fields = form.fields(context)
    fields["description_voice"] = update.effective_message.voice.file_id
    fields["description"] = None
    return await form.advance(update, context, "description")


def describe_description(draft: dict) -> str | None:
    fields = draft["f"]
    if fields.get("description_voice"):
        return _("a voice note")
    return form.shorten(fields.get("description"), 300)


form.register(StepUI(
    key="description", label=N_("What happened"), ask=ask_description, expects="text_or_voice",
    handlers=lambda: [MessageHandler(TEXT, on_description_typed),
                      MessageHandler(intake_steps.NEW & filters.VOICE, on_description_spoken)],
    describe=describe_description,
))


# -- where it happened ----------------------------------------------------------------
COUNTRY_CHOICES = [
    Choice("TH", N_("🇹🇭 In Thailand")),
    Choice("KH", N_("🇰🇭 In Cambodia")),
    Choice("border", N_("🚌 On the way or at the border")),
]


async def ask_country(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "country", _("Where did it happen?"),
                        form.choice_rows(COUNTRY_CHOICES, "rp:where"))


async def on_country_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the country; Thailand asks for the province, elsewhere for the place."""
    value = update.callback_query.data.split(":")[2]
    fields = form.fields(context)
    fields["country"] = value
    fields.pop("province" if value != "TH" else "place", None)
    return await form.advance(update, context, "country")


def describe_country(draft: dict) -> str | None:
    fields = draft["f"]
    value = form.label_of(COUNTRY_CHOICES, fields.get("country"))
    detail = intake_steps.province_name(fields.get("province")) if fields.get("country") == "TH" \
        else form.shorten(fields.get("place"), 100)
    return _("{label}: {value}").format(label=value, value=detail) if value and detail else value


form.register(StepUI(
    key="country", label=N_("Where"), ask=ask_country, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_country_chosen,
                                           pattern="^rp:where:(TH|KH|border)$")],
    describe=describe_country,
))


async def ask_place(update: Update, context: HotlineContext, draft: dict) -> None:
    await form.question(update, context, draft, "place",
                        _("Which place: the province, town or border crossing? "
                          "Type it, or press Skip."), [[form.skip_button()]])


async def on_place_typed(update: Update, context: HotlineContext) -> str:
    """Stores the place outside Thailand."""
    form.fields(context)["place"] = await form.typed_text(update, context, PLACE_LIMIT)
    return await form.advance(update, context, "place")


async def on_place_skipped(update: Update, context: HotlineContext) -> str:
    """No place given."""
    form.fields(context)["place"] = None
    return await form.advance(update, context, "place")


form.register(StepUI(
    key="place", label=N_("Place"), ask=ask_place, expects="text",
    handlers=lambda: [MessageHandler(TEXT, on_place_typed),
                      CallbackQueryHandler(on_place_skipped, pattern=f"^{form.SKIP_DATA}$")],
))


# -- named or anonymous ---------------------------------------------------------------------
ANONYMOUS_CHOICES = [
    Choice("named", N_("👤 Staff may know my name")),
    Choice("anonymous", N_("🕶 Keep me anonymous")),
]


async def ask_anonymous(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("May hotline staff know who you are? If you stay anonymous, your name is not "
             "kept with this report and is never given to anyone.")
    await form.question(update, context, draft, "anonymous", text,
                        form.choice_rows(ANONYMOUS_CHOICES, "rp:anon"))


async def on_anonymous_chosen(update: Update, context: HotlineContext) -> str:
    """Stores whether the report is anonymous (then the name is never shared)."""
    anonymous = update.callback_query.data.endswith(":anonymous")
    fields = form.fields(context)
    fields["anonymous"] = anonymous
    if anonymous:
        fields["share_name"] = False
        fields.pop("phone", None)  # staff would know who it is: anonymous reports use the chat
        if fields.get("contact") == "phone":
            fields["contact"] = "chat"
    return await form.advance(update, context, "anonymous")


def describe_anonymous(draft: dict) -> str | None:
    value = draft["f"].get("anonymous")
    if value is None:
        return None
    return form.label_of(ANONYMOUS_CHOICES, "anonymous" if value else "named")


form.register(StepUI(
    key="anonymous", label=N_("Name"), ask=ask_anonymous, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_anonymous_chosen,
                                           pattern="^rp:anon:(named|anonymous)$")],
    describe=describe_anonymous,
))


form.ORDERS[KIND] = [
    Step("category"),
    Step("screener"),
    Step("recruiter_name", when=lambda d: d["f"].get("category") == RECRUITER),
    Step("description"),
    Step("evidence"),
    Step("country"),
    Step("province", parent="country", when=lambda d: d["f"].get("country") == "TH"),
    Step("place", parent="country", when=lambda d: d["f"].get("country") in ("KH", "border")),
    Step("anonymous"),
    *intake_steps.tail_steps(),
]
