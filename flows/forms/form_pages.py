"""Steps that take more than one message: a month picked in two pages (year, then month),
files collected until Done, and a phone number shared with Telegram's contact keyboard."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from babel import dates
from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.i18n import _, current_language
from domain.khmer import clean_input
from flows import ui
from flows.callbacks import FormDone, MonthPicked
from flows.forms.draft import Draft
from flows.forms.form import Expects, Row, State, Step, Turn, Wrap, send_keyboard, state_of
from flows.forms.form_steps import NEW, TEXT, grid

EVIDENCE_FILTER = NEW & (filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.VIDEO
                         | filters.AUDIO | filters.VIDEO_NOTE)


# -- months -------------------------------------------------------------------------
def month_text(value: str | None) -> str | None:
    """'2025-07' as 'July 2025' / 'កក្កដា 2025'."""
    if not value:
        return None
    year, month = (int(part) for part in value.split("-"))
    return dates.format_date(date(year, month, 1), "MMMM y", locale=current_language())


@dataclass(frozen=True, kw_only=True)
class Month(Step):
    """A month worked, chosen with buttons: the years first, then that year's months."""

    question: str  # N_() msgid: asks for the year
    years_back: int  # months up to this many years ago can be chosen
    not_before: str | None = None  # the answer this month may not come before

    def bounds(self, turn: Turn) -> tuple[str, str]:
        """The earliest and latest month ('YYYY-MM') that may be chosen."""
        today = datetime.now(turn.context.settings.timezone).date()  # the hotline's date
        latest = f"{today.year:04d}-{today.month:02d}"
        earliest = f"{today.year - self.years_back:04d}-01"
        before = turn.draft.answers.get(self.not_before) if self.not_before else None
        return (before or earliest), latest

    async def ask(self, turn: Turn) -> None:
        earliest, latest = self.bounds(turn)
        year = turn.draft.picking_year
        if year is None:
            text = _(self.question)
            years = [str(y) for y in range(int(latest[:4]), int(earliest[:4]) - 1, -1)]
            rows = grid([ui.button(y, MonthPicked(y).pack()) for y in years], 5)
        else:
            text = _("Which month of {year}?").format(year=year)
            names = dates.get_month_names("wide", locale=current_language())
            months = [f"{year}-{m:02d}" for m in range(1, 13)]
            rows = grid([ui.button(names[int(m[5:])], MonthPicked(m).pack())
                         for m in months if earliest <= m <= latest], 3)
        await turn.question(self.key, text, rows)

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [CallbackQueryHandler(wrap(self.on_pressed), pattern=MonthPicked.pattern)]

    def back(self, draft: Draft) -> bool:
        if draft.picking_year is None:
            return False
        draft.picking_year = None  # back to the years
        return True

    async def on_pressed(self, turn: Turn) -> State:
        """A year shows its months; a month is stored."""
        parsed = MonthPicked.parse(turn.data)
        value = parsed.value if parsed else ""
        earliest, latest = self.bounds(turn)
        if len(value) == 4:
            if earliest[:4] <= value <= latest[:4]:
                turn.draft.picking_year = value
            return await turn.ask(self.key)
        turn.draft.picking_year = None
        if not earliest <= value <= latest:
            return await turn.ask(self.key)
        turn.draft.answers.set(self.key, value)
        return await turn.advance(self.key)


def describe_months(first: str, last: str) -> Callable[[Draft], str | None]:
    def describe(draft: Draft) -> str | None:
        start, end = draft.answers.get(first), draft.answers.get(last)
        if not start:
            return None
        return f"{month_text(start)} – {month_text(end)}" if end else month_text(start)

    return describe


# -- files ------------------------------------------------------------------------------
def evidence_of(update: Update) -> list[str] | None:
    """[kind, file_id, file_unique_id] of the file in the message, or None."""
    message = update.effective_message
    if message is None:
        return None
    if message.photo:
        largest = message.photo[-1]
        return ["photo", largest.file_id, largest.file_unique_id]
    for kind in ("document", "voice", "video", "audio", "video_note"):
        item = getattr(message, kind)
        if item is not None:
            return [kind, item.file_id, item.file_unique_id]
    return None


def add_to_story(draft: Draft, text: str | None, limit: int) -> None:
    """Add typed words (a note at the proof step, a caption) to the description."""
    text = (text or "").strip()
    if not text:
        return
    before = draft.answers.description
    draft.answers.description = (f"{before}\n{text}" if before else text)[:limit]


def done_row() -> Row:
    return [ui.button(_("✅ Done"), FormDone().pack())]


@dataclass(frozen=True, kw_only=True)
class Files(Step):
    """Photos, documents and voice notes until Done; typed words join the description."""

    question: str  # N_() msgid
    most: int
    story_limit: int
    expects: Expects = "files"
    optional: bool = True

    async def ask(self, turn: Turn) -> None:
        count = len(turn.draft.evidence)
        text = _(self.question) + " " + _("What you type here is kept with your report too.")
        if count:
            text += "\n\n" + _("Received so far: {count}.").format(count=count)
        await turn.question(self.key, text, [done_row()])

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [MessageHandler(EVIDENCE_FILTER, wrap(self.on_file)),
                MessageHandler(TEXT, wrap(self.on_text)),
                CallbackQueryHandler(wrap(self.on_done), pattern=FormDone.pattern)]

    def describe(self, draft: Draft) -> str | None:
        count = len(draft.evidence)
        return _("{count} file(s)").format(count=count) if count else _("none")

    async def on_file(self, turn: Turn) -> State:
        """Keeps the file's Telegram id with the draft and asks for more or Done."""
        item = evidence_of(turn.update)
        if len(turn.draft.evidence) >= self.most or item is None:
            text = _("That is the most one report can take ({count}). Press Done; "
                     "you can add more later in My cases.").format(count=self.most)
        else:
            turn.draft.evidence.append(item)
            add_to_story(turn.draft, turn.message.caption, self.story_limit)  # what it shows
            await turn.answered()
            text = _("Received ({count}). Send more, or press Done.").format(
                count=len(turn.draft.evidence))
        await turn.send(text, ui.keyboard([done_row()]))
        return state_of(self.key)

    async def on_text(self, turn: Turn) -> State:
        """Text at the proof step is not dropped: it is kept as part of what happened (and
        screened like a description)."""
        add_to_story(turn.draft, await turn.typed_text(self.story_limit), self.story_limit)
        await turn.answered()
        await turn.send(_("Kept with your report as part of what happened. "
                          "Send more, or press Done."), ui.keyboard([done_row()]))
        return state_of(self.key)

    async def on_done(self, turn: Turn) -> State:
        return await turn.advance(self.key)


# -- the phone number (Telegram's share-contact button) --------------------------------
@dataclass(frozen=True, kw_only=True)
class Phone(Step):
    """A phone number shared with the contact button or typed (Khmer digits too)."""

    expects: Expects = "contact"
    reply_keyboard: bool = True
    pattern: str = r"^\+?[0-9][0-9 ()-]{6,20}$"
    digits: tuple[int, int] = (8, 15)

    async def ask(self, turn: Turn) -> None:
        share = ReplyKeyboardMarkup(
            [[KeyboardButton(_("📞 Share my phone number"), request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )
        turn.draft.phone_keyboard = True
        text = _("Press “Share my phone number” at the bottom of the screen, or type your number.")
        await send_keyboard(turn.update, turn.context, text, share)
        await turn.question(self.key, _("Or go back and choose another way."))

    def handlers(self, wrap: Wrap) -> list[BaseHandler]:
        return [MessageHandler(NEW & filters.CONTACT, wrap(self.on_shared)),
                MessageHandler(TEXT, wrap(self.on_typed))]

    def describe(self, draft: Draft) -> str | None:
        return draft.answers.phone

    async def on_shared(self, turn: Turn) -> State:
        contact = turn.message.contact
        return await self.save(turn, clean_input(contact.phone_number if contact else ""))

    async def on_typed(self, turn: Turn) -> State:
        number = clean_input(turn.message.text or "")
        digits = len(re.sub(r"\D", "", number))
        if not re.match(self.pattern, number) or not self.digits[0] <= digits <= self.digits[1]:
            await turn.send(_(
                # No example number: an example could be someone's real phone.
                "That does not look like a phone number. Please type only the digits of your "
                "number, with its area code, or press the button to share it."))
            return state_of(self.key)
        return await self.save(turn, number)

    async def save(self, turn: Turn, number: str) -> State:
        turn.draft.answers.phone = number
        await turn.close_phone_keyboard(_("Thank you, I saved your number."))
        return await turn.advance(self.key)


