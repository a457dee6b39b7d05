"""The draft of a report: its JSON, drafts stored by the version before typed drafts, and
the form buttons' callback data (every button parses, forged and stale ones are refused)."""
from __future__ import annotations

import copy
import json

import pytest

from flows import callbacks
from flows.forms.draft import Answers, Draft
from flows.forms.form import Form
from flows.forms.form_conversation import FormConversation
from flows.forms.form_steps import Text
from flows.forms.report_forms import FORMS
from storage.db import Database
from tests.harness import BotHarness
from tests.intake_helpers import (
    answer_safety_questions,
    case_rows,
    onboarded,
    walk_wage_claim_en,
)

# A wage claim as the version before typed drafts kept it in user_data, at "What is owed"
# (a plain dict, keys missing that were added later, and one written by an older form).
OLD_DRAFT = {
    "id": "0123456789abcdef0123456789abcdef", "kind": "W",
    "f": {"reported_by": "self", "province": "rayong", "employer": "Rayong Rubber Co.",
          "workplace": None, "sector": "agriculture", "first_month": "2025-01",
          "last_month": "2025-03", "from_an_older_form": "x"},
    "evidence": [["photo", "file-1", "unique-1"]], "step": "owed", "editing": False,
    "ask_gender": True, "ask_home": True, "urgent_before_owed": False,
}


def test_a_draft_round_trips_through_json() -> None:
    draft = Draft(kind="G", ask_home=True, answers=Answers(category="debt", anonymous=True,
                                                           screener={"debt": "yes"}))
    draft.evidence.append(["voice", "f", "u"])
    data = draft.to_json()
    assert data["f"]["category"] == "debt" and data["kind"] == "G" and data["step"] is None
    assert Draft.from_json(copy.deepcopy(data)) == draft


def test_an_old_draft_loads_into_the_dataclass() -> None:
    draft = Draft.from_json(OLD_DRAFT)
    assert draft is not None
    assert (draft.id, draft.kind, draft.step, draft.ask_gender) == (
        OLD_DRAFT["id"], "W", "owed", True)
    assert (draft.answers.employer, draft.answers.last_month, draft.answers.owed) == (
        "Rayong Rubber Co.", "2025-03", [])
    assert draft.evidence == [["photo", "file-1", "unique-1"]]
    assert draft.urgent is False  # from "urgent_before_owed"
    assert "from_an_older_form" not in draft.to_json()["f"]
    without_mark = {k: v for k, v in OLD_DRAFT.items() if k != "urgent_before_owed"}
    assert Draft.from_json(without_mark).urgent is None  # not known: learnt, never warned


@pytest.mark.parametrize("data", [
    None, "draft", [], {}, {"kind": "X", "id": "0" * 32}, {"kind": "W"},
    {"kind": "W", "id": 5}, {"kind": "W", "id": "short"},
])
def test_what_is_not_a_draft_is_none(data: object) -> None:
    assert Draft.from_json(data) is None


def test_values_of_the_wrong_type_are_dropped_not_trusted() -> None:
    draft = Draft.from_json({"id": "a" * 32, "kind": "G", "editing": "yes", "screen_i": "2",
                             "evidence": [["photo", "only two"], "x"],
                             "f": {"group_size": "12", "owed": "wages", "anonymous": 1,
                                   "screener": {"debt": 1}, "description": "ok"}})
    assert draft is not None
    assert (draft.editing, draft.screen_i, draft.evidence) == (False, 0, [])
    answers = draft.answers
    assert (answers.group_size, answers.owed, answers.screener) == (None, [], {})
    assert (answers.anonymous, answers.description) == (True, "ok")  # a stored 0/1 is a bool


def test_states_come_from_the_forms_and_a_key_means_one_step() -> None:
    states = FormConversation(FORMS).states()
    keys = {s.key for form in FORMS.values() for s in form.steps}
    assert set(states) == {f"ask_{key}" for key in keys} | {"summary"}
    a = Text(key="note", question="A?", limit=10)
    b = Text(key="note", question="B?", limit=10)
    with pytest.raises(ValueError, match="two different steps"):
        FormConversation({"W": Form("W", [a]), "G": Form("G", [b])}).states()
    with pytest.raises(ValueError, match="used twice"):
        Form("W", [a, b])


async def test_a_person_mid_form_when_the_new_version_starts_goes_on(settings, fake_api):
    async with BotHarness.started(settings, fake_api) as bot:
        person = await onboarded(bot, "en", user_id=300_601)
        await person.press("💸 I was not paid")
        await person.press("🙋 Myself: I was not paid")
        await person.press("Rayong")
        await person.send("Typed Employer")
        await person.press("⏭ Skip")
        await person.press("Agriculture")
        for data in ("rp:ym:2025", "rp:ym:2025-01", "rp:ym:2025", "rp:ym:2025-03"):
            await person.press_data(data)
    # What the older version had stored for this person at this point, in the database.
    async with await Database.open(settings.database_path) as db:
        data = json.loads(await db.fetchval(
            "SELECT data FROM ptb_user_data WHERE user_id = ?", (300_601,)))
        assert data["report_draft"]["step"] == "owed"
        data["report_draft"] = OLD_DRAFT
        await db.execute_write("UPDATE ptb_user_data SET data = ? WHERE user_id = ?",
                               (json.dumps(data), 300_601))
    async with BotHarness.started(settings, fake_api) as bot:
        person = bot.person(language_code="en", user_id=300_601)
        question = person.latest_with_buttons()
        await person.press("▫️ Documents the employer kept", question)
        replies = await person.press("➡️ Next")
        assert "If you or someone else is in danger now, call:" in replies[0].text
        assert replies[-1].text.startswith("About how much money")
        await person.send("8000")
        await person.press("No")
        await answer_safety_questions(person)
        await person.press("⏭ Skip")
        await person.press("✅ Done")
        await person.press("💬 Write to me in this chat")
        await person.press("🔒 No, keep my name with the hotline")
        await person.press("Kampot")
        summary = (await person.press("Man"))[-1]
        assert "Rayong Rubber Co." in summary.text and "1 file(s)" in summary.text
        replies = await person.press("✅ Confirm and send")
        assert "Your reference is W-0001." in replies[-1].text
        [row] = await case_rows(bot, person)
        assert (row["draft_id"], row["employer"], row["owed"], row["urgent"]) == (
            OLD_DRAFT["id"], "Rayong Rubber Co.", "documents", 1)
        assert (row["first_month"], row["last_month"], row["amount"]) == (
            "2025-01", "2025-03", "8000")


async def test_a_forged_or_stale_confirm_sends_nothing(bot):
    person = await onboarded(bot, "en")
    summary = (await walk_wage_claim_en(person))[-1]
    replies = await person.press_data("rp:confirm:not-a-draft-id")  # forged: not the shape
    assert replies[-1].text == "That button no longer works. Here is the menu."
    replies = await person.press_data("rp:confirm:" + "f" * 32)  # stale: another draft's id
    assert replies[-1].text == "That report is no longer open. Here is the menu."
    assert await case_rows(bot, person) == []
    assert bot.app.user_data[person.id]["report_draft"]["step"] == "summary"  # kept
    replies = await person.press("✅ Confirm and send", summary)
    assert "Your reference is W-0001." in replies[-1].text


async def test_every_form_button_is_a_declared_kind(bot):
    person = await onboarded(bot, "en")
    await walk_wage_claim_en(person)
    await person.press("✅ Confirm and send")
    await person.press("🏠 Main menu")
    await person.press("📣 Report a problem")
    await person.press("Something else")
    await answer_safety_questions(person)
    sent = {data for reply in person.chat for _label, data in reply.buttons
            if data.startswith(("rp:", "report:", "cr:", "menu"))}  # the forms' own buttons
    assert any(d.startswith("rp:confirm:") for d in sent) and "rp:owe:next" in sent
    for data in sent:
        assert [kind for kind in callbacks.KINDS.values() if kind.parse(data)], data


@pytest.mark.parametrize("data", [  # buttons the version before the codec sent
    "rp:who:group", "rp:prov:chonburi", "rp:prov:other", "rp:prov:unknown", "rp:sector:seafood",
    "rp:ym:2024", "rp:ym:2024-07", "rp:owe:wages", "rp:owe:next", "rp:rec:unsure",
    "rp:scr:free_to_leave:no", "rp:skip", "rp:keep", "rp:done", "rp:back", "rp:cancel",
    "rp:cancel:yes", "rp:resume", "rp:edit:amount", "rp:new:V", "rp:cat:debt", "rp:where:KH",
    "rp:anon:anonymous", "rp:contact:phone", "rp:share:yes", "rp:home:unsaid",
    "rp:gender:other", "rp:confirm:" + "0a" * 16, "report:recruiter", "report:debt", "cr:new",
])
def test_old_button_shapes_still_parse(data: str) -> None:
    assert len([kind for kind in callbacks.KINDS.values() if kind.parse(data)]) == 1, data
