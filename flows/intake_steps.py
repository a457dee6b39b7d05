"""Steps both report forms share: province in Thailand, recruiter name, evidence,
contact, phone, sharing the name with partners, and the reporter's home province
(in Cambodia) and gender, each asked once per person."""
from __future__ import annotations

import re

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import HotlineContext
from bot.i18n import N_, _
from bot.khmer import clean_input
from bot.provinces import load_provinces
from bot.provinces_kh import provinces as home_provinces
from flows import form, screening, ui
from flows.form import Choice, StepUI
from storage import reporters

NAME_LIMIT = 200
STORY_LIMIT = 3000  # characters of a description (what happened)
MAX_EVIDENCE = 50
# New messages only: an edited earlier message is not an answer to the current question.
NEW = filters.UpdateType.MESSAGE
TEXT = NEW & filters.TEXT & ~filters.COMMAND
EVIDENCE_FILTER = NEW & (filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.VIDEO
                         | filters.AUDIO | filters.VIDEO_NOTE)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,20}$")


def evidence_of(update: Update) -> list[str] | None:
    """[kind, file_id, file_unique_id] of the file in the message, or None."""
    message = update.effective_message
    if message.photo:
        largest = message.photo[-1]
        return ["photo", largest.file_id, largest.file_unique_id]
    for kind in ("document", "voice", "video", "audio", "video_note"):
        item = getattr(message, kind)
        if item is not None:
            return [kind, item.file_id, item.file_unique_id]
    return None


# -- province in Thailand -------------------------------------------------------
async def ask_province(update: Update, context: HotlineContext, draft: dict) -> None:
    buttons = [ui.button(p.name, f"rp:prov:{p.key}") for p in load_provinces().common]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ui.button(_("✍️ Another province: type its name"), "rp:prov:other")])
    rows.append([ui.button(_("🤷 I am not sure"), "rp:prov:unknown")])
    text = _("In which province of Thailand did you work? Choose below, or type the name.")
    await form.question(update, context, draft, "province", text, rows)


async def on_province_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the province pressed (or 'not sure')."""
    value = update.callback_query.data.split(":", 2)[2]
    draft = form.current(context)
    if value == "other":
        await ui.send(update, context, _("Please type the name of the province, "
                                         "for example: Chonburi or ឈូនបុរី."))
        return form.state_of("province")
    if value != "unknown" and load_provinces().get(value) is None:
        return await form.ask(update, context, draft, "province")
    draft["f"]["province"] = value
    return await form.advance(update, context, "province")


async def on_province_typed(update: Update, context: HotlineContext) -> str:
    """Finds the typed province by its English or Khmer name (or a clear part of it)."""
    draft = form.current(context)
    province = load_provinces().match(update.effective_message.text or "")
    if province is None:
        await ui.send(update, context, _(
            "I could not find that province. Please check the spelling, "
            "for example: Rayong or រ៉ាយ៉ុង, or choose a button."))
        return await form.ask(update, context, draft, "province")
    draft["f"]["province"] = province.key
    return await form.advance(update, context, "province")


def province_name(key: str | None) -> str | None:
    if key == "unknown":
        return _("not sure")
    province = load_provinces().get(key)
    return province.name if province else None


form.register(StepUI(
    key="province", label=N_("Province in Thailand"), ask=ask_province, expects="text",
    handlers=lambda: [CallbackQueryHandler(on_province_chosen, pattern=r"^rp:prov:[a-z_]+$"),
                      MessageHandler(TEXT, on_province_typed)],
    describe=lambda d: province_name(d["f"].get("province")),
))


# -- recruiter or broker name -------------------------------------------------------
async def ask_recruiter_name(update: Update, context: HotlineContext, draft: dict) -> None:
    name = draft["f"].get("recruiter_name")
    if name:
        text = _("The recruiter, broker or company: {name}. Press Keep, or type another name."
                 ).format(name=name)
        rows = [[ui.button(_("✅ Keep this name"), "rp:keep")]]
    else:
        text = _("What is the name of the recruiter, broker or company? "
                 "Type it, or press Skip if you do not know.")
        rows = [[form.skip_button()]]
    await form.question(update, context, draft, "recruiter_name", text, rows)


async def on_recruiter_name_typed(update: Update, context: HotlineContext) -> str:
    """Stores the recruiter's or broker's name."""
    form.fields(context)["recruiter_name"] = await form.typed_text(update, context, NAME_LIMIT)
    return await form.advance(update, context, "recruiter_name")


async def on_recruiter_name_skipped(update: Update, context: HotlineContext) -> str:
    """No name given (Skip), or the name already there kept (Keep)."""
    if update.callback_query.data == form.SKIP_DATA:
        form.fields(context)["recruiter_name"] = None
    return await form.advance(update, context, "recruiter_name")


form.register(StepUI(
    key="recruiter_name", label=N_("Recruiter or broker"), ask=ask_recruiter_name,
    expects="text",
    handlers=lambda: [MessageHandler(TEXT, on_recruiter_name_typed),
                      CallbackQueryHandler(on_recruiter_name_skipped, pattern="^rp:(skip|keep)$")],
    describe=lambda d: form.shorten(d["f"].get("recruiter_name"), 100) or _("name not given"),
))


# -- evidence ---------------------------------------------------------------------
def _done_row() -> list:
    return [ui.button(_("✅ Done"), "rp:done")]


async def ask_evidence(update: Update, context: HotlineContext, draft: dict) -> None:
    count = len(draft["evidence"])
    text = _("Do you have proof? For example photos of payslips, a contract, messages, "
             "or a voice note. Send them here, as many as you like, then press Done. "
             "No proof? Just press Done.") + " " + _("What you type here is kept with "
                                                     "your report too.")
    if count:
        text += "\n\n" + _("Received so far: {count}.").format(count=count)
    await form.question(update, context, draft, "evidence", text, [_done_row()])


async def on_evidence_sent(update: Update, context: HotlineContext) -> str:
    """Keeps the file's Telegram id with the draft and asks for more or Done."""
    draft = form.current(context)
    item = evidence_of(update)
    if len(draft["evidence"]) >= MAX_EVIDENCE:
        text = _("That is the most one report can take ({count}). Press Done; "
                 "you can add more later in My cases.").format(count=MAX_EVIDENCE)
    else:
        draft["evidence"].append(item)
        was_urgent = screening.is_urgent(draft)
        add_to_story(draft, update.effective_message.caption)  # a caption says what it shows
        await screening.warn_if_newly_urgent(update, context, draft, was_urgent)
        text = _("Received ({count}). Send more, or press Done.").format(
            count=len(draft["evidence"]))
    await ui.send(update, context, text, ui.keyboard([_done_row()]))
    return form.state_of("evidence")


async def on_evidence_text(update: Update, context: HotlineContext) -> str:
    """Text at the proof step is not dropped: it is kept as part of what happened (and
    screened like a description: the emergency numbers at once if its words say danger)."""
    draft = form.current(context)
    was_urgent = screening.is_urgent(draft)
    add_to_story(draft, await form.typed_text(update, context, STORY_LIMIT))
    await screening.warn_if_newly_urgent(update, context, draft, was_urgent)
    await ui.send(update, context, _("Kept with your report as part of what happened. "
                                     "Send more, or press Done."), ui.keyboard([_done_row()]))
    return form.state_of("evidence")


def add_to_story(draft: dict, text: str) -> None:
    """Add typed words (a note at the proof step, a caption) to the description."""
    text = (text or "").strip()
    if not text:
        return
    before = draft["f"].get("description")
    draft["f"]["description"] = (f"{before}\n{text}" if before else text)[:STORY_LIMIT]


def describe_story(draft: dict) -> str | None:
    """What happened: the words, and whether a voice note tells it."""
    fields = draft["f"]
    text = form.shorten(fields.get("description"), 300)
    if fields.get("description_voice"):
        return _("a voice note") + (f"; {text}" if text else "")
    return text


async def on_evidence_done(update: Update, context: HotlineContext) -> str:
    """No more files: on to the next question."""
    return await form.advance(update, context, "evidence")


def describe_evidence(draft: dict) -> str:
    count = len(draft["evidence"])
    return _("{count} file(s)").format(count=count) if count else _("none")


form.register(StepUI(
    key="evidence", label=N_("Proof"), ask=ask_evidence, expects="files",
    handlers=lambda: [MessageHandler(EVIDENCE_FILTER, on_evidence_sent),
                      MessageHandler(TEXT, on_evidence_text),
                      CallbackQueryHandler(on_evidence_done, pattern="^rp:done$")],
    describe=describe_evidence,
))


# -- contact ----------------------------------------------------------------------
CONTACT_CHOICES = [
    Choice("chat", N_("💬 Write to me in this chat")),
    Choice("phone", N_("📞 Call me on my phone")),
    Choice("none", N_("🚫 Do not contact me")),
]


async def ask_contact(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("How may hotline staff contact you about this report?")
    choices = CONTACT_CHOICES
    if draft["f"].get("anonymous"):  # a phone number would tell staff who it is
        choices = [c for c in CONTACT_CHOICES if c.value != "phone"]
    await form.question(update, context, draft, "contact", text,
                        form.choice_rows(choices, "rp:contact"))


async def on_contact_chosen(update: Update, context: HotlineContext) -> str:
    """Stores how staff may reach the person."""
    value = update.callback_query.data.split(":")[2]
    draft = form.current(context)
    draft["f"]["contact"] = value
    if value != "phone":
        draft["f"].pop("phone", None)
    return await form.advance(update, context, "contact")


def describe_contact(draft: dict) -> str | None:
    value = form.label_of(CONTACT_CHOICES, draft["f"].get("contact"))
    phone = draft["f"].get("phone")
    return f"{value} ({phone})" if value and phone else value


form.register(StepUI(
    key="contact", label=N_("Contact"), ask=ask_contact, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_contact_chosen,
                                           pattern="^rp:contact:(chat|phone|none)$")],
    describe=describe_contact,
))


# -- phone number (Telegram's share-contact button) --------------------------------------
async def ask_phone(update: Update, context: HotlineContext, draft: dict) -> None:
    share = ReplyKeyboardMarkup(
        [[KeyboardButton(_("📞 Share my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    draft[form.PHONE_KEYBOARD] = True
    text = _("Press “Share my phone number” at the bottom of the screen, or type your number.")
    await ui.send(update, context, text, share)
    await form.question(update, context, draft, "phone",
                        _("Or go back and choose another way."))


async def on_contact_shared(update: Update, context: HotlineContext) -> str:
    """Stores the shared phone number and removes the share keyboard."""
    number = clean_input(update.effective_message.contact.phone_number or "")
    return await _save_phone(update, context, number)


async def on_phone_typed(update: Update, context: HotlineContext) -> str:
    """Accepts a typed number (Khmer digits too) if it looks like a phone number."""
    number = clean_input(update.effective_message.text or "")
    digits = re.sub(r"\D", "", number)
    if not _PHONE.match(number) or not 8 <= len(digits) <= 15:
        await ui.send(update, context, _(
            # No example number: an example could be someone's real phone.
            "That does not look like a phone number. Please type only the digits of your "
            "number, with its area code, or press the button to share it."))
        return form.state_of("phone")
    return await _save_phone(update, context, number)


async def _save_phone(update: Update, context: HotlineContext, number: str) -> str:
    draft = form.current(context)
    draft["f"]["phone"] = number
    await form.close_phone_keyboard(update, context, draft, _("Thank you, I saved your number."))
    return await form.advance(update, context, "phone")


form.register(StepUI(
    key="phone", label=N_("Phone"), ask=ask_phone, expects="contact",
    handlers=lambda: [MessageHandler(NEW & filters.CONTACT, on_contact_shared),
                      MessageHandler(TEXT, on_phone_typed)],
    describe=lambda d: d["f"].get("phone"),
))


# -- sharing the name with partner organisations ---------------------------------------
SHARE_CHOICES = [
    Choice("yes", N_("✅ Yes, they may share my name")),
    Choice("no", N_("🔒 No, keep my name with the hotline")),
]


async def ask_share_name(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("Sometimes a partner organisation (for example legal help) can do more. "
             "May hotline staff give them your name for this report?")
    await form.question(update, context, draft, "share_name", text,
                        form.choice_rows(SHARE_CHOICES, "rp:share"))


async def on_share_chosen(update: Update, context: HotlineContext) -> str:
    """Stores whether the name may go to partner organisations."""
    form.fields(context)["share_name"] = update.callback_query.data.endswith(":yes")
    return await form.advance(update, context, "share_name")


def describe_share(draft: dict) -> str | None:
    value = draft["f"].get("share_name")
    if value is None:
        return None
    return form.label_of(SHARE_CHOICES, "yes" if value else "no")


form.register(StepUI(
    key="share_name", label=N_("Partner organisations"), ask=ask_share_name, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_share_chosen, pattern="^rp:share:(yes|no)$")],
    describe=describe_share,
))


# -- gender (once per person) ------------------------------------------------------
GENDER_CHOICES = [
    Choice("woman", N_("Woman")),
    Choice("man", N_("Man")),
    Choice("other", N_("Other")),
    Choice("unsaid", N_("⏭ I prefer not to say")),
]


async def ask_gender(update: Update, context: HotlineContext, draft: dict) -> None:
    text = _("One more question, which you may skip. Are you a woman or a man? "
             "It helps the hotline show that help reaches women and men. "
             "I ask only once.")
    await form.question(update, context, draft, "gender", text,
                        form.choice_rows(GENDER_CHOICES, "rp:gender", per_row=3))


async def on_gender_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the answer on the person, so it is never asked again."""
    value = update.callback_query.data.split(":")[2]
    await reporters.set_gender(context.db, update.effective_user.id, value)
    form.fields(context)["gender"] = value
    return await form.advance(update, context, "gender")


form.register(StepUI(
    key="gender", label=N_("Gender"), ask=ask_gender, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_gender_chosen,
                                           pattern="^rp:gender:(woman|man|other|unsaid)$")],
    describe=lambda d: form.label_of(GENDER_CHOICES, d["f"].get("gender")),
))


# -- home province in Cambodia (once per person) --------------------------------------
HOME_PER_ROW = 2


async def ask_home_province(update: Update, context: HotlineContext, draft: dict) -> None:
    buttons = [ui.button(p.name, f"rp:home:{p.key}") for p in home_provinces().all]
    rows = [buttons[i:i + HOME_PER_ROW] for i in range(0, len(buttons), HOME_PER_ROW)]
    rows.append([ui.button(_("⏭ I prefer not to say"), "rp:home:unsaid")])
    text = _("Which province do you live in now, in Cambodia? You may skip this. It helps the "
             "hotline show in which provinces people need help. I ask only once.")
    await form.question(update, context, draft, "home_province", text, rows)


async def on_home_province_chosen(update: Update, context: HotlineContext) -> str:
    """Stores the answer on the person, so it is never asked again."""
    value = update.callback_query.data.split(":", 2)[2]
    draft = form.current(context)
    if value != "unsaid" and home_provinces().get(value) is None:
        return await form.ask(update, context, draft, "home_province")  # an old or forged button
    await reporters.set_home_province(context.db, update.effective_user.id, value)
    draft["f"]["home_province"] = value
    return await form.advance(update, context, "home_province")


def home_province_name(key: str | None) -> str | None:
    if key == "unsaid":
        return _("not given")
    province = home_provinces().get(key)
    return province.name if province else None


form.register(StepUI(
    key="home_province", label=N_("Home province (where you live now)"),
    ask=ask_home_province, expects="buttons",
    handlers=lambda: [CallbackQueryHandler(on_home_province_chosen,
                                           pattern=r"^rp:home:[a-z_]+$")],
    describe=lambda d: home_province_name(d["f"].get("home_province")),
))


def wants_home_province(draft: dict) -> bool:
    return bool(draft.get("ask_home"))


def wants_gender(draft: dict) -> bool:
    return bool(draft.get("ask_gender"))


def wants_share(draft: dict) -> bool:
    return not draft["f"].get("anonymous")


def wants_phone(draft: dict) -> bool:
    return draft["f"].get("contact") == "phone"


def tail_steps() -> list[form.Step]:
    """The steps that end both forms, in order."""
    return [
        form.Step("contact"),
        form.Step("phone", parent="contact", when=wants_phone),
        form.Step("share_name", when=wants_share),
        form.Step("home_province", when=wants_home_province),
        form.Step("gender", when=wants_gender),
    ]
