"""Information topics as short pages: a topic lists its sections, a section has pages with Next.

Page text is a msgid (marked with N_) whose placeholders are filled from the
verified directory only: {mlvt} is the number of the directory entry "mlvt",
{site_mlvt} the address of the website "mlvt". So no number is ever typed
into the catalogs, and changing one is one edit in data/directory.csv.

Each topic has its own kind of button in flows/callbacks.py (SafeMigrationPage,
WageRightsPage): "<prefix>" shows the topic's sections, "<prefix>:<section>:<page>"
one page (page counted from 0).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.content import referrals
from bot.context import HotlineContext
from bot.i18n import _
from flows import ui
from flows.callbacks import SafeMigrationPage, WageRightsPage
from flows.registry import MenuEntry

PageButton = type[SafeMigrationPage] | type[WageRightsPage]  # a topic's kind of button


def facts(context: HotlineContext) -> dict[str, str]:
    """Placeholder values for page text: directory numbers by key, websites as site_<key>."""
    directory = context.directory
    values = {contact.key: contact.number for contact in directory.contacts}
    values.update({f"site_{site.key}": site.address for site in directory.websites})
    # "Who can help" lists from data/partners.csv: {partners_wages}, {partners_women} ...
    values.update({f"partners_{topic}": referrals.who_can_help(directory, topic)
                   for topic in referrals.TOPICS})
    return values


def next_button(data: str) -> InlineKeyboardButton:
    return ui.button(_("Next ➡️"), data)


@dataclass(frozen=True)
class Section:
    key: str                 # ASCII, part of the callback data
    label: str               # msgid (N_) of the section's button
    pages: tuple[str, ...]   # msgids (N_), each under about 700 characters once filled


@dataclass(frozen=True)
class Topic:
    kind: PageButton         # the topic's buttons (flows/callbacks.py)
    entry: MenuEntry
    sections: tuple[Section, ...]
    intro: str = ""          # msgid shown above the section buttons (not for one section)
    links: tuple[tuple[str, str], ...] = ()  # (label msgid, callback data): to related topics

    def handlers(self, exits: Sequence[BaseHandler]) -> list[BaseHandler]:
        return [
            CallbackQueryHandler(self.on_topic_chosen, pattern=self.entry.pattern),
            CallbackQueryHandler(self.on_page_asked, pattern=self.kind.pattern),
        ]

    @property
    def single(self) -> bool:
        """A topic of one section opens straight on its first page."""
        return len(self.sections) == 1

    async def on_topic_chosen(self, update: Update, context: HotlineContext) -> None:
        """Shows the topic's sections (or the first page of a one-section topic)."""
        if self.single:
            await self.show_page(update, context, self.sections[0], 0)
            return
        rows = [[ui.button(_(s.label), self.kind(s.key, 0).pack())] for s in self.sections]
        rows += self.link_rows()
        rows.append(ui.nav_row())
        await ui.send(update, context, _(self.intro).format_map(facts(context)), ui.keyboard(rows))

    def link_rows(self) -> list[list[InlineKeyboardButton]]:
        """No dead ends between topics: e.g. from the rights to reporting unpaid wages."""
        return [[ui.button(_(label), data)] for label, data in self.links]

    async def on_page_asked(self, update: Update, context: HotlineContext) -> None:
        """Shows the page a Next, Back or section button asked for ("<prefix>" alone: the
        topic's sections)."""
        button = self.kind.parse(ui.query_data(update))
        section = next((s for s in self.sections if button and s.key == button.section), None)
        if button is None or section is None or not 0 <= button.page < len(section.pages):
            await self.on_topic_chosen(update, context)  # an old button: start the topic again
            return
        await self.show_page(update, context, section, button.page)

    async def show_page(self, update: Update, context: HotlineContext,
                        section: Section, page: int) -> None:
        text = _(section.pages[page]).format_map(facts(context))
        if len(section.pages) > 1:
            text += "\n\n" + _("Page {page} of {pages}").format(page=page + 1, pages=len(section.pages))
        rows = []
        if page + 1 < len(section.pages):
            rows.append([next_button(self.kind(section.key, page + 1).pack())])
        if page > 0:
            back: str | None = self.kind(section.key, page - 1).pack()
        else:
            back = None if self.single else self.kind().pack()
        rows += self.link_rows()
        rows.append(ui.nav_row(back=back))
        await ui.send(update, context, text, ui.keyboard(rows))
