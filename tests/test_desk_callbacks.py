"""The staff desk's and the alert composer's buttons through the callback codec: every
shape already sitting in chats still parses (and packs back the same), forged ones do
not, every handler listens with a declared kind, and the awaited answer survives (or is
dropped) as persistence gives it back."""
from __future__ import annotations

import time

import pytest
from telegram.ext import CallbackQueryHandler, ConversationHandler

from flows.admin import broadcast
from flows.callbacks import (
    BroadcastAudience,
    BroadcastConfirm,
    BroadcastControl,
    BroadcastDiscard,
    BroadcastNoPhoto,
    BroadcastProvince,
    BroadcastSkip,
    Callback,
    CaseButton,
    ListedCase,
    ListPage,
    every_pattern,
)
from flows.desk import awaiting as desk_awaiting
from flows.desk import followups as desk_followups
from flows.desk import handlers as staff_desk
from storage import desk
from tests.desk_helpers import card_of, confirmed_wage_claim, desk_bot, staff

OLD_SHAPES: list[tuple[str, Callback]] = [  # as the bot wrote them before the codec
    ("sd:claim:7", CaseButton("claim", 7)),
    ("sd:unassign:7", CaseButton("unassign", 7)),
    ("sd:wait:7", CaseButton("wait", 7)),
    ("sd:refer:7", CaseButton("refer", 7)),
    ("sd:ref:7:mlvt", CaseButton("ref", 7, "mlvt")),
    ("sd:close:7", CaseButton("close", 7)),
    ("sd:out:7:money", CaseButton("out", 7, "money")),
    ("sd:out:7:no_response", CaseButton("out", 7, "no_response")),
    ("sd:esc:7", CaseButton("esc", 7)),
    ("sd:lvl:7:supervisor", CaseButton("lvl", 7, "supervisor")),
    ("sd:reopen:7", CaseButton("reopen", 7)),
    ("sd:canned:7", CaseButton("canned", 7)),
    ("sd:can:7:received", CaseButton("can", 7, "received")),
    ("sl:o:12", ListedCase(12)),
    ("sl:p:3:0", ListPage(3, 0)),
    ("sl:p:3:11", ListPage(3, 11)),
    ("bc:aud:all", BroadcastAudience("all")),
    ("bc:aud:province", BroadcastAudience("province")),
    ("bc:aud:language:km", BroadcastAudience("language", "km")),
    ("bc:aud:language:en", BroadcastAudience("language", "en")),
    ("bc:prov:battambang", BroadcastProvince("battambang")),
    ("bc:skip", BroadcastSkip()),
    ("bc:nophoto", BroadcastNoPhoto()),
    ("bc:confirm", BroadcastConfirm()),
    ("bc:discard", BroadcastDiscard()),
    ("bc:pause:4", BroadcastControl("pause", 4)),
    ("bc:resume:4", BroadcastControl("resume", 4)),
    ("bc:cancel:4", BroadcastControl("cancel", 4)),
    ("bc:stop:4", BroadcastControl("stop", 4)),
]


@pytest.mark.parametrize(("data", "expected"), OLD_SHAPES)
def test_old_buttons_parse_and_new_ones_are_written_the_same(data: str,
                                                            expected: Callback) -> None:
    assert type(expected).parse(data) == expected
    assert expected.pack() == data


@pytest.mark.parametrize("data", [
    "sd:claim:x", "sd:claim", "sd:bogus:7", "sd:claim:7:a:b", "sd:ref:7:ក", "sd:claim:7\n",
    "sl:o:x", "sl:p:3", "sl:p:3:x", "sl:x:1",
    "bc:aud:everyone", "bc:aud:language:fr", "bc:skip:1", "bc:confirm:now", "bc:stop:x",
    "bc:explode:4",
])
def test_forged_buttons_parse_as_nothing(data: str) -> None:
    kinds: list[type[Callback]] = [
        CaseButton, ListedCase, ListPage, BroadcastAudience, BroadcastProvince, BroadcastSkip,
        BroadcastNoPhoto, BroadcastConfirm, BroadcastDiscard, BroadcastControl]
    assert [kind for kind in kinds if kind.parse(data) is not None] == []


def _button_handlers(handlers: list) -> list[CallbackQueryHandler]:
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks,
                     *(h for state in handler.states.values() for h in state)]
            found += _button_handlers(inner)
        elif isinstance(handler, CallbackQueryHandler):
            found.append(handler)
    return found


def test_every_desk_and_composer_button_handler_listens_with_a_declared_kind() -> None:
    declared = every_pattern()
    handlers = _button_handlers(
        [*staff_desk.handlers(()), *desk_followups.handlers(()), *broadcast.handlers(())])
    ours = [h for h in handlers if h.callback.__module__.startswith(
        ("flows.desk", "flows.desk.handlers", "flows.admin.broadcast"))]
    assert len(ours) >= 12
    assert [h.callback.__name__ for h in ours if h.pattern not in declared] == []


class _Context:
    """What desk_awaiting reads: the person's user_data."""

    def __init__(self, state: dict) -> None:
        self.person_state = state


@pytest.mark.parametrize("stored", [
    {"case": "7", "what": "amount", "at": 0.0},  # not a case id
    {"case": 7, "what": "colour", "at": 0.0},  # not a question the desk asks
    {"case": 7, "what": "amount"},  # when asked is missing
    "amount for 7",
])
def test_an_awaited_answer_persistence_mangled_is_dropped(stored: object) -> None:
    context = _Context({"sd_awaiting": stored})
    if isinstance(stored, dict) and "at" in stored:
        stored["at"] = time.time()
    assert desk_awaiting.awaited(context) is None  # type: ignore[arg-type]
    assert "sd_awaiting" not in context.person_state


def test_an_awaited_answer_is_kept_for_its_time_only() -> None:
    context = _Context({})
    desk_awaiting.ask_reason(context, 7, "legal")  # type: ignore[arg-type]
    assert desk_awaiting.awaited(context) == {  # type: ignore[arg-type]
        "case": 7, "what": "reason", "level": "legal", "at": pytest.approx(time.time(), abs=5)}
    context.person_state["sd_awaiting"]["at"] -= desk_awaiting.AWAIT_SECONDS + 1
    assert desk_awaiting.awaited(context) is None  # type: ignore[arg-type]


async def test_an_old_outcome_button_still_closes_and_a_gone_case_is_stale(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        ana, *_ = staff(bot)
        await confirmed_wage_claim(bot)
        card = card_of(ana.group)
        case = await desk.by_reference(bot.db, "W-0001")
        replies = await ana.press_data(f"sd:out:{case.id}:withdrawn", card)
        assert any("closed by @ana: Withdrawn" in r.text for r in replies), replies
        assert (await desk.get(bot.db, case.id)).case.outcome == "withdrawn"

        await ana.press_data(f"sd:claim:{case.id + 100}", card)  # no such case
        stale = bot.api.answered_callbacks[-1]
        assert stale["text"] == "That button no longer works." and stale["show_alert"]
