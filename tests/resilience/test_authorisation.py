"""Who may do what: every staff and admin action, tried by everyone.

The table ACTIONS lists each card button (sd:*), thread command, group command and
admin action with who may take it; the test runs the whole table for one role at a
time. Staff act in the staff group (STAFF_USER_IDS), admins are staff who are also
in ADMIN_USER_IDS; broadcasts are composed in a private chat by ADMIN_USER_IDS.
A refusal changes nothing (case, notes, follow-ups, audit log, broadcasts, what the
returnee receives) and reveals nothing about the case: no reference, no names.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage import broadcasts, desk
from storage.broadcasts import Audience
from tests.alerts_helpers import wait_for_status
from tests.desk_helpers import ANA, BO, CHAN, OUTSIDER, desk_bot, stored_case
from tests.followup_helpers import topic_of
from tests.harness import BotHarness, Person, StaffMember

STAFF, ADMINS = frozenset({"staff", "admin"}), frozenset({"admin"})
ROLES = ("returnee", "group member, not staff", "staff", "admin", "staff in a private chat")
IN_GROUP = {"group member, not staff": (OUTSIDER, "outsider"), "staff": (ANA, "ana"),
            "admin": (BO, "bo")}
IN_PRIVATE = {"returnee": 880_001, "group member, not staff": OUTSIDER, "staff": ANA,
              "admin": BO, "staff in a private chat": ANA}
REFUSALS = ("Only hotline staff can do this.", "Only hotline admins can do this.",
            "Sorry, I did not understand that.", "That button no longer works.",
            "Not sent: only hotline staff can write to returnees.")
REPORTER, EMPLOYER = "Sokha Chan", "Golden Seafood Co."


@dataclass(frozen=True)
class Action:
    attempt: str  # text or callback data; {id} {ref} {fid} {bid} are filled in
    where: str  # "thread" (a case's topic), "group" (the staff group) or "private"
    allowed: frozenset = STAFF
    button: bool = False
    before: str | None = None  # "closed", "followup" or "staff message" (replied to)


def button(data: str, **kwargs) -> Action:
    return Action(data, "thread", button=True, **kwargs)


ACTIONS = [
    # buttons on the case card and in the thread
    button("sd:claim:{id}"), button("sd:unassign:{id}"), button("sd:wait:{id}"),
    button("sd:refer:{id}"), button("sd:ref:{id}:mlvt"), button("sd:close:{id}"),
    button("sd:out:{id}:withdrawn"), button("sd:out:{id}:money"), button("sd:esc:{id}"),
    button("sd:lvl:{id}:supervisor"), button("sd:reopen:{id}", before="closed"),
    button("sd:canned:{id}"), button("sd:can:{id}:received"),
    # commands in a case's thread
    Action("/claim", "thread"), Action("/unassign", "thread"), Action("/waiting", "thread"),
    Action("/refer", "thread"), Action("/refer mlvt", "thread"),
    Action("/intouch women_network", "thread"), Action("/close", "thread"),
    Action("/close withdrawn", "thread"), Action("/reopen", "thread", before="closed"),
    Action("/escalate supervisor The employer threatens her", "thread"),
    Action("/note Called the employer", "thread"),
    Action("/redact", "thread", before="staff message"),
    Action("/followup 2d Did you find work?", "thread"), Action("/followups", "thread"),
    Action("/followup_cancel {fid}", "thread", before="followup"),
    Action("Please send a photo of your payslip.", "thread"),  # reaches the returnee
    # commands anywhere in the staff group
    Action("/case {ref}", "group"), Action("/cases", "group"), Action("/mine", "group"),
    Action("/stats", "group"), Action("/facts", "group"),
    Action("/export", "group", allowed=ADMINS),
    Action("/search {ref}", "group"), Action("/cases status:all mine", "group"),
    Action("/recruiters_unlisted", "group"), button("sl:o:{id}"),
    # admins' broadcasts, in a private chat
    Action("/broadcast", "private", allowed=ADMINS),
    Action("/broadcasts", "private", allowed=ADMINS),
    *(Action(f"bc:{verb}:{{bid}}", "private", allowed=ADMINS, button=True)
      for verb in ("pause", "resume", "cancel", "stop")),
]


@dataclass
class Attempt:
    texts: list[str]  # everything the bot said to the actor because of it
    reacted: bool
    changed: bool


async def snapshot(bot: BotHarness, case_id: int, reporter: int) -> list:
    found: list = []
    for sql, params in (("SELECT * FROM cases WHERE id = ?", (case_id,)),
                        ("SELECT COUNT(*) FROM audit_log", ()),
                        ("SELECT COUNT(*) FROM case_notes", ()),
                        ("SELECT COUNT(*) FROM case_messages", ()),
                        ("SELECT id, state FROM followups", ()),
                        ("SELECT id, status FROM broadcasts", ())):
        found.append([tuple(row) for row in await bot.db.fetchall(sql, params)])
    return [*found, len(bot.api.sent_to(reporter))]


async def attempt(bot: BotHarness, role: str, action: Action, ctx: dict) -> Attempt:
    text = action.attempt.format(**ctx)
    before = await snapshot(bot, ctx["id"], ctx["reporter"])
    answered = len(bot.api.answered_callbacks)
    reacted = False
    if role in IN_GROUP and action.where != "private":
        member: StaffMember = ctx["members"][role]
        if action.button:
            replies = await member.press_data(text, ctx["card"])
        else:
            replies = await member.send(text, reply_to=ctx.get("staff message"),
                                        thread_id=ctx["thread"] if action.where == "thread"
                                        else None)
            reacted = bool(member.reactions())
    else:
        person: Person = ctx["people"][role]
        replies = await (person.press_data(text) if action.button else person.send(text))
    texts = [reply.text for reply in replies] + [
        answer["text"] for answer in bot.api.answered_callbacks[answered:] if answer.get("text")]
    changed = before != await snapshot(bot, ctx["id"], ctx["reporter"])
    return Attempt(texts, reacted, changed)


async def prepare(bot: BotHarness, action: Action, ctx: dict) -> None:
    """A new case in its own topic (and what the action needs) for each attempt."""
    reporter, case = await stored_case(bot, "en", reporter_name=REPORTER, employer=EMPLOYER)
    ctx.update(id=case.id, ref=case.reference, reporter=reporter)
    ctx["thread"] = await topic_of(bot, case.id)
    ana: StaffMember = ctx["ana"]
    ctx["card"] = next(r for r in reversed(ana.group)
                       if f"sd:claim:{case.id}" in [d for _, d in r.buttons])
    ctx.pop("staff message", None)
    if action.before == "closed":
        await desk.close(bot.db, case.id, ANA, "withdrawn")
        await bot.settle()  # the closing notice, queued with the close, goes before the attempt
    elif action.before == "followup":
        await ana.send("/followup 3d Is the employer paying?", thread_id=ctx["thread"])
        ctx["fid"] = await bot.db.fetchval("SELECT MAX(id) FROM followups")
    elif action.before == "staff message":
        await ana.send("Please send your contract.", thread_id=ctx["thread"])
        ctx["staff message"] = ana.last_sent["message_id"]


@pytest.mark.parametrize("role", ROLES)
async def test_every_staff_and_admin_action_is_refused_to_everyone_else(settings, fake_api, role):
    async with desk_bot(settings, fake_api, forum=True, staff_user_ids=frozenset({ANA, BO, CHAN}),
                        admin_user_ids=frozenset({BO}), broadcast_poll_seconds=0.05,
                        broadcast_progress_seconds=0.05) as bot:
        people = {}
        for name, user_id in IN_PRIVATE.items():
            people[name] = bot.person(language_code="en", user_id=user_id, first_name="Tester")
            await people[name].send("/start")
            await people[name].press_data("lang:en")
        members = {name: bot.staff(username, user_id, "Tester")
                   for name, (user_id, username) in IN_GROUP.items()}
        ctx: dict = {"people": people, "members": members, "ana": members["staff"]}
        ctx["bid"], _ = await broadcasts.create(bot.db, audience=Audience.parse("all"),
                                                text_km=None, text_en="A test alert",
                                                created_by=BO)
        await wait_for_status(bot.db, ctx["bid"])  # no subscribers: done at once

        wrong = []
        for action in ACTIONS:
            # A refused attempt changes nothing, so those who may not act share one case.
            if role in action.allowed or action.before or "id" not in ctx:
                await prepare(bot, action, ctx)
            result = await attempt(bot, role, action, ctx)
            said = "\n".join(result.texts)
            refused = any(refusal in said for refusal in REFUSALS)
            # Staff words typed in a private chat are the person's own question there: an
            # ordinary answer (e.g. about wages) is fine while it changes and reveals nothing.
            in_private = not (role in IN_GROUP and action.where != "private")
            refused = refused or (in_private and action.where == "thread" and not action.button
                                  and not action.attempt.startswith("/"))
            if role in action.allowed:
                if refused or not (result.texts or result.reacted or result.changed):
                    wrong.append(f"{action.attempt!r} should be allowed: {result.texts}")
            elif not (refused or not result.texts) or result.changed or result.reacted:
                wrong.append(f"{action.attempt!r} should be refused: {result}")
            elif any(secret in said for secret in (ctx["ref"], REPORTER, EMPLOYER)):
                wrong.append(f"{action.attempt!r}: the refusal reveals the case: {said!r}")
        assert not wrong, f"{role}:\n" + "\n".join(wrong)
