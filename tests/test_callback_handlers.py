"""Every button handler of the running bot answers a declared kind of callback data, and the
buttons already sitting in people's chats (older shapes) still parse or are answered as stale."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from flows import callbacks
from flows.callbacks import KINDS, Menu
from flows.forms.form_conversation import any_button_of
from flows.registry import exact_pattern
from flows.returnee import start

RETURNEE_FLOWS = {
    "flows.returnee.start", "flows.returnee.benefits", "flows.returnee.recruiters",
    "flows.returnee.safe_migration", "flows.returnee.wage_rights", "flows.returnee.my_cases",
    "flows.returnee.my_data", "flows.returnee.help_now", "flows.returnee.consent",
    "flows.returnee.understand", "flows.returnee.pages", "flows.returnee.documents",
    "flows.returnee.alerts", "flows.returnee.followups", "flows.returnee.case_replies",
}


def walk(handlers: list[BaseHandler]) -> Iterator[BaseHandler]:
    """Every handler, with those inside conversations (entry points, states, fallbacks)."""
    for handler in handlers:
        yield handler
        if isinstance(handler, ConversationHandler):
            yield from walk(handler.entry_points)
            for state in handler.states.values():
                yield from walk(state)
            yield from walk(handler.fallbacks)


def module_of(handler: CallbackQueryHandler) -> str:
    callback = handler.callback
    return getattr(callback, "__module__", "") or type(getattr(callback, "__self__", None)).__module__


def button_handlers(app) -> list[CallbackQueryHandler]:
    every = [h for group in sorted(app.handlers) for h in walk(app.handlers[group])]
    return [h for h in every if isinstance(h, CallbackQueryHandler)]


async def test_every_button_handler_answers_a_declared_kind(bot):
    menu_entries = bot.app.bot_data["menu"]
    allowed = {kind.pattern.pattern for kind in KINDS.values()}
    allowed |= {entry.pattern for entry in menu_entries} | {exact_pattern(Menu())}
    handlers = button_handlers(bot.app)
    unlisted, catch_alls = [], []
    for handler in handlers:
        pattern = handler.pattern
        if pattern is None:
            catch_alls.append(handler)
            continue
        if callable(pattern) and pattern.__qualname__ == any_button_of(
                {}).__qualname__:
            continue  # a form's "button of an earlier question": its states' patterns, walked too
        assert isinstance(pattern, re.Pattern), handler
        if pattern.pattern in allowed:
            continue
        unlisted.append(f"{module_of(handler)}: {handler.callback.__qualname__} {pattern.pattern}")
    assert not unlisted, "\n".join(unlisted)
    # One catch-all, start's stale answer, registered after every other handler.
    assert [h.callback for h in catch_alls] == [start.on_stale_button]
    assert handlers[-1].callback is start.on_stale_button
    # The walk found the returnee flows' handlers (it is not vacuous).
    found = {module_of(h) for h in handlers}
    not_walked = {"flows.returnee.consent", "flows.returnee.safe_migration", "flows.returnee.wage_rights"}
    assert RETURNEE_FLOWS - not_walked <= found


async def test_the_returnee_flows_have_no_exception(bot):
    for handler in button_handlers(bot.app):
        if module_of(handler) in RETURNEE_FLOWS and handler.pattern is not None:
            kinds = [k for k in KINDS.values() if k.pattern.pattern == handler.pattern.pattern]
            menu = [e for e in bot.app.bot_data["menu"] if e.pattern == handler.pattern.pattern]
            assert kinds or menu or handler.pattern.pattern == exact_pattern(Menu()), handler


def test_the_walk_sees_an_unlisted_pattern():
    async def on_press(update, context) -> None:
        pass

    handler = CallbackQueryHandler(on_press, pattern="^xx:")
    conversation = ConversationHandler(entry_points=[], states={1: [handler]}, fallbacks=[])
    assert handler in list(walk([conversation]))
    assert handler.pattern.pattern not in {k.pattern.pattern for k in KINDS.values()}


# Callback data already sitting in people's chats, as the bot sent it before the codec, and
# what it parses as now.
OLD_SHAPES = [
    ("lang:km", callbacks.Language("km")),
    ("lang:en", callbacks.Language("en")),
    ("it:wages", callbacks.Intent("wages")),
    ("it:safe_migration", callbacks.Intent("safe_migration")),
    ("now", callbacks.HelpNow()),
    ("now:KH", callbacks.HelpNow("KH")),
    ("now:TH", callbacks.HelpNow("TH")),
    ("doc", callbacks.Document()),
    ("doc:national_id", callbacks.Document("national_id")),
    ("sm", callbacks.SafeMigrationPage()),
    ("sm:legal:0", callbacks.SafeMigrationPage("legal", 0)),
    ("sm:warning:1", callbacks.SafeMigrationPage("warning", 1)),
    ("wr:rights:3", callbacks.WageRightsPage("rights", 3)),
    ("ben:start", callbacks.BenefitsStart()),
    ("ben:q:card", callbacks.BenefitsQuestion("card")),
    ("ben:q:household", callbacks.BenefitsQuestion("household")),
    ("ben:a:where:kh", callbacks.BenefitsAnswer("where", "kh")),
    ("ben:hh:baby", callbacks.BenefitsMember("baby")),
    ("ben:hh:done", callbacks.BenefitsMember("done")),
    ("ben:r:2", callbacks.BenefitsList(2)),
    ("rc:again", callbacks.RecruiterAgain()),
    ("rc:pick:17", callbacks.RecruiterPick(17)),
    ("rc:none", callbacks.RecruiterNone()),
    ("mc:list", callbacks.MyCases()),
    ("mc:open:42", callbacks.OpenCase(42)),
    ("mc:add:42", callbacks.AddToCase(42)),
    ("mc:done", callbacks.AddingDone()),
    ("cr:to:7", callbacks.ReplyToCase(7)),
    ("cr:none", callbacks.ReplyToNone()),
    ("pv:mydata", callbacks.MyData()),
    ("pv:delete", callbacks.DeleteAsked()),
    ("pv:del:yes", callbacks.DeleteAnswer("yes")),
    ("pv:del:no", callbacks.DeleteAnswer("no")),
    ("al:yes", callbacks.AlertsWanted("yes")),
    ("al:no", callbacks.AlertsWanted("no")),
    ("al:show", callbacks.AlertsShown()),
    ("al:on", callbacks.AlertsOn()),
    ("al:off", callbacks.AlertsOff()),
    ("al:stop", callbacks.StopAlerts()),
    ("al:preview", callbacks.StopAlertsPreview()),
    ("al:prov", callbacks.AlertsProvince()),
    ("al:prov:battambang", callbacks.AlertsProvince("battambang")),
    ("al:prov:none", callbacks.AlertsProvince("none")),
    ("fu:a:12:yes", callbacks.FollowupAnswer(12, "yes")),
    ("fu:a:12:help", callbacks.FollowupAnswer(12, "help")),
    ("fu:s:12:3", callbacks.FollowupSatisfaction(12, 3)),
    ("fu:stop", callbacks.StopReminders()),
    ("fu:off", callbacks.RemindersOff()),
    ("fu:on", callbacks.RemindersOn()),
]


@pytest.mark.parametrize(("data", "expected"), OLD_SHAPES)
def test_old_buttons_keep_parsing(data, expected):
    kind = type(expected)
    assert kind.parse(data) == expected
    others = [k for k in KINDS.values() if k is not kind and k.parse(data) is not None]
    assert not others, f"{data!r} is also read by {others}"  # one handler answers it


@pytest.mark.parametrize(("data", "expected"), [
    (data, expected) for data, expected in OLD_SHAPES
    if data not in ("sm:legal:0",)  # page 0 is left out now: "sm:legal"
])
def test_buttons_are_sent_in_the_old_shape(data, expected):
    assert expected.pack() == data


def test_page_zero_is_sent_short_and_both_shapes_read_the_same():
    assert callbacks.SafeMigrationPage("legal", 0).pack() == "sm:legal"
    assert callbacks.SafeMigrationPage.parse("sm:legal") == \
        callbacks.SafeMigrationPage.parse("sm:legal:0")


async def test_an_old_shape_that_no_longer_parses_is_answered_as_stale(bot):
    person = bot.person(language_code="en")
    await person.send("/start")
    await person.press("English")
    for data in ("lang:fr", "ben:a:where", "now:khm", "fu:a:x:no", "mc:open:x", "al:maybe"):
        replies = await person.press_data(data)
        assert "That button no longer works. Here is the menu." in replies[-1].text, data
    replies = await person.press_data("lang:xx")
    assert "That button no longer works." in replies[-1].text
    # and a new-shaped page button works like the old one
    short = (await person.press_data("sm:legal"))[-1].text
    old = (await person.press_data("sm:legal:0"))[-1].text
    assert short == old and "MoU" in short



async def test_the_form_buttons_the_returnee_flows_send_have_a_handler(bot):
    """Buttons of kinds the report forms declare (their handlers are in flows/forms/intake.py)."""
    from flows.callbacks import FileAsReport, FormResume, ReportThis

    handlers = [h for h in button_handlers(bot.app) if h.pattern is not None]
    for data in (ReportThis("debt").pack(), ReportThis("recruiter").pack(), FormResume().pack(),
                 FileAsReport().pack(), Menu("mycases").pack()):
        assert any(h.pattern.match(data) for h in handlers), data
