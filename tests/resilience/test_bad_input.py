"""Bad input at every step of every flow, property-based (hypothesis).

Random text (Khmer, emoji, right-to-left, control characters, 4096 characters), random
callback data (forged, stale, other people's case ids, staff "sd:" data) and messages of
unexpected kinds (photo, sticker, location, contact, voice ...), sent after any number of
steps of every journey in tests/resilience/journeys.py. Every such update must get an
answer in the person's language, never the error handler's apology nor a logged error,
never a word about somebody else's case, and the person can go on afterwards.

One bot per test (starting it per example would be slow); each example is a new person.
Examples are derandomized, so CI sees the same inputs on every run.
"""
from __future__ import annotations

import logging
import re
import string

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.desk_helpers import desk_bot
from tests.followup_helpers import reported_case
from tests.harness import BotHarness, Person, Reply
from tests.intake_helpers import case_rows, onboarded
from tests.resilience.journeys import JOURNEYS, STEPS, WAGE_CLAIM, Action, perform, walk

# No shrinking: a failure is reported at once with its input (shrinking a walk takes minutes).
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])
SORRY = ("Sorry, something went wrong", "សូមទោស មានបញ្ហាខាងយើង")
SCRIPT = {"km": re.compile("[\u1780-\u17ff]"), "en": re.compile("[A-Za-z]")}
VICTIM_NAME, VICTIM_EMPLOYER = "Chenda Phirum", "Mekong Fishing Ltd"
# Data a person may legitimately press that changes who they are (the language, or erasing
# everything): the answer is then rightly not in their old language or not the menu.
LEGITIMATE_CHANGES = re.compile(r"^(lang:|pv:del:yes$)")

# -- what people send ------------------------------------------------------------------------
KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
EMOJI = st.sampled_from("😀🙏🇰🇭🇹🇭❤️👍🏽💸🆘🧳‍👨‍👩‍👧️⃣")
RIGHT_TO_LEFT = st.one_of(st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),
                          st.sampled_from("\u200f\u202b\u202e\u2067"))
CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])
SHORT_TEXT = st.one_of(
    st.text(min_size=1, max_size=60),
    st.text(KHMER, min_size=1, max_size=60),
    st.text(EMOJI, min_size=1, max_size=20),
    st.text(RIGHT_TO_LEFT, min_size=1, max_size=40),
    st.text(st.one_of(CONTROL, KHMER, st.sampled_from("/ 0123456789")), min_size=1, max_size=30),
)
TEXTS = st.one_of(SHORT_TEXT, SHORT_TEXT.map(lambda s: (s * 4096)[:4096])).filter(str.strip)

PREFIXES = ("rp:", "rp:confirm:", "rp:ym:", "rp:edit:", "mc:open:", "mc:add:", "sd:claim:",
            "sd:out:", "sd:can:", "fu:a:", "fu:s:", "bc:", "bc:stop:", "al:prov:", "ben:a:",
            "ben:r:", "doc:", "now:", "sm:", "wr:", "rc:", "pv:", "menu:", "menu")
FORGED = st.one_of(
    st.text(string.printable, min_size=1, max_size=64),
    st.tuples(st.sampled_from(PREFIXES), st.text(string.ascii_letters + string.digits + ":_-",
                                                 max_size=30)).map("".join),
).filter(lambda data: len(data.encode()) <= 64 and not LEGITIMATE_CHANGES.match(data))
CONTENT = st.one_of(
    st.sampled_from([{"photo": True}, {"sticker": True}, {"location": (11.56, 104.92)},
                     {"contact": "+85510000001"}, {"voice": True}, {"document": True},
                     {"video": True}, {"audio": True}]),
    TEXTS.map(lambda caption: {"photo": True, "caption": caption[:1024]}),
)
# Kinds nothing in the journeys accepts as an answer, safe to send before any step.
NEVER_AN_ANSWER = st.sampled_from([{"sticker": True}, {"location": (13.75, 100.5)}])


def others(victim) -> list[str]:
    """Callback data about somebody else's case: the victim's."""
    case, followup = victim
    return [f"mc:open:{case.id}", f"mc:add:{case.id}", f"rp:confirm:{case.draft_id}",
            f"sd:claim:{case.id}", f"sd:out:{case.id}:withdrawn", f"sd:can:{case.id}:received",
            f"sd:reopen:{case.id}", f"fu:a:{followup}:help", f"fu:s:{followup}:1", "bc:confirm",
            "bc:stop:1"]


# -- checks --------------------------------------------------------------------------------
class Checker:
    def __init__(self, bot: BotHarness, capture, victim) -> None:
        self.bot, self.capture, self.victim = bot, capture, victim

    def errors(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.capture.records
                if r.levelno >= logging.ERROR]

    def answered(self, replies: list[Reply], language: str, what: str) -> None:
        """At least one reply, in the person's language, no apology, nothing of the victim."""
        texts = [reply.text for reply in replies]
        assert texts, f"no answer to {what}"
        assert not any(s in text for text in texts for s in SORRY), (what, texts)
        assert any(SCRIPT[language].search(text) for text in texts), (what, language, texts)
        assert all(len(text) <= 4096 for text in texts), what  # Telegram's limit
        case = self.victim[0]
        secrets = (case.reference, VICTIM_NAME, VICTIM_EMPLOYER)
        assert not any(s in text for text in texts for s in secrets), (what, texts)
        assert not self.errors(), self.errors()

    async def can_go_on(self, person: Person, language: str) -> None:
        """The menu is reachable and what was kept about the person can be stored."""
        replies = await person.send("/menu")
        self.answered(replies, language, "/menu")
        assert "menu:wage" in [data for _, data in replies[-1].buttons], replies
        await self.bot.app.update_persistence()  # user_data stays JSON


async def reach(bot: BotHarness, language: str, journey: str, count: int) -> Person:
    """A new person who has taken the first `count` steps of the journey."""
    person = await onboarded(bot, language)
    for action in JOURNEYS[journey][:count]:
        await perform(person, action)
    return person


@pytest.fixture
async def desk(settings, fake_api):
    async with desk_bot(settings, fake_api, forum=True) as bot:
        yield bot


@pytest.fixture
async def victim(desk):
    """Somebody else's case with a follow-up, which nobody else may see or touch."""
    _person, case = await reported_case(desk, "km", reporter_name=VICTIM_NAME,
                                        employer=VICTIM_EMPLOYER)
    followup = await desk.db.fetchval("SELECT id FROM followups WHERE case_id = ?", (case.id,))
    return case, followup


async def untouched(bot: BotHarness, victim) -> None:
    case, _ = victim
    row = await bot.db.fetchone("SELECT status, assigned_staff_id FROM cases WHERE id = ?",
                                (case.id,))
    states = await bot.db.fetchall("SELECT state FROM followups WHERE case_id = ?", (case.id,))
    assert (row["status"], row["assigned_staff_id"]) == ("new", None)
    assert [s["state"] for s in states] == ["scheduled"]


LANGUAGES = st.sampled_from(["km", "en"])


# -- random input at a random step -----------------------------------------------------------
@EXAMPLES
@given(language=LANGUAGES, step=st.sampled_from(STEPS), text=TEXTS)
async def test_random_text_at_any_step(desk, victim, log_holds_no_personal_data, language,
                                       step, text):
    check = Checker(desk, log_holds_no_personal_data, victim)
    person = await reach(desk, language, *step)
    check.answered(await person.send(text), language, f"text at {step}")
    await check.can_go_on(person, language)
    await untouched(desk, victim)


@EXAMPLES
@given(language=LANGUAGES, step=st.sampled_from(STEPS), data=st.data())
async def test_forged_stale_and_other_peoples_buttons_at_any_step(
        desk, victim, log_holds_no_personal_data, language, step, data):
    check = Checker(desk, log_holds_no_personal_data, victim)
    person = await reach(desk, language, *step)
    stale = [d for reply in person.chat for _, d in reply.buttons
             if not LEGITIMATE_CHANGES.match(d)]
    choices = [FORGED, st.sampled_from(others(victim))] + ([st.sampled_from(stale)] if stale
                                                          else [])
    pressed = data.draw(st.one_of(choices), label="callback data")
    keyboard = data.draw(st.sampled_from([r for r in person.chat if r.buttons]), label="on")
    check.answered(await person.press_data(pressed, keyboard), language, f"{pressed!r} at {step}")
    await check.can_go_on(person, language)
    await untouched(desk, victim)


@EXAMPLES
@given(language=LANGUAGES, step=st.sampled_from(STEPS), content=CONTENT)
async def test_unexpected_kinds_of_message_at_any_step(desk, victim, log_holds_no_personal_data,
                                                       language, step, content):
    check = Checker(desk, log_holds_no_personal_data, victim)
    person = await reach(desk, language, *step)
    check.answered(await person.send(**content), language, f"{sorted(content)} at {step}")
    await check.can_go_on(person, language)


@EXAMPLES
@given(language=LANGUAGES, text=TEXTS, content=CONTENT)
async def test_bad_input_before_choosing_a_language(desk, victim, log_holds_no_personal_data,
                                                    language, text, content):
    check = Checker(desk, log_holds_no_personal_data, victim)
    person = desk.person(language_code=language)  # Telegram's language until one is chosen
    check.answered(await person.send(text), language, "first message")
    check.answered(await person.send(**content), language, "second message")
    check.answered(await person.send("/start"), language, "/start")
    check.answered(await person.press_data("lang:" + language), language, "the language")


# -- bad input before every step, then the journey goes on --------------------------------
# Steps whose question also takes a typed answer, though the journey presses a button.
TYPED_ANSWERS = {("data", "rp:skip"), ("data", "mc:done"), ("data", "rc:again"),
                 ("data", "rp:done")}  # words typed at the proof step are kept
# Data no flow knows (no "xx:" prefix, not "menu"), so it moves nobody anywhere.
UNKNOWN_DATA = st.text(string.printable, min_size=1, max_size=64).filter(
    lambda data: not re.match(r"[a-z]+(:|$)", data))


def junk_before(action: Action, victim):
    """Input that is no answer to the step about to be taken (so the walk can go on)."""
    buttons = st.one_of(UNKNOWN_DATA, st.sampled_from(
        [d for d in others(victim) if d.startswith(("sd:", "fu:"))])).map(lambda d: ("data", d))
    if action[0] in ("text", "content") or action in TYPED_ANSWERS:
        return st.one_of(buttons, NEVER_AN_ANSWER.map(lambda c: ("content", c)))
    typed = TEXTS.filter(lambda text: not text.startswith("/"))  # a command goes elsewhere
    return st.one_of(typed.map(lambda t: ("text", t)), buttons,
                     CONTENT.map(lambda c: ("content", c)))


def fingerprint(replies: list[Reply]) -> tuple:
    """The last answer without its numbers (references, dates differ between people)."""
    last = replies[-1]
    return re.sub(r"\d+", "#", last.text), [re.sub(r"\d+", "#", d) for _, d in last.buttons]


@settings(EXAMPLES, max_examples=3)
@given(language=LANGUAGES, data=st.data())
async def test_every_journey_finishes_with_bad_input_before_every_step(
        desk, victim, log_holds_no_personal_data, language, data):
    check = Checker(desk, log_holds_no_personal_data, victim)
    for journey, actions in JOURNEYS.items():
        clean = await onboarded(desk, language)
        expected = fingerprint(await walk(clean, actions))
        person = await onboarded(desk, language)
        replies: list[Reply] = []
        for number, action in enumerate(actions):
            kind, value = data.draw(junk_before(action, victim), label=f"{journey} {number}")
            keyboard = person.latest_with_buttons()  # the question's buttons, pressed after
            if kind == "data":
                got = await person.press_data(value, keyboard)
            elif kind == "text":
                got = await person.send(value)
            else:
                got = await person.send(**value)
            check.answered(got, language, f"{value!r} before {journey} step {number}")
            replies = await perform(person, action, keyboard)
        assert fingerprint(replies) == expected, journey
        if actions is WAGE_CLAIM:  # the report holds the walk's answers, junk or no junk
            [claim] = await case_rows(desk, person)
            assert (claim["group_size"], claim["province"], claim["employer"], claim["amount"],
                    claim["recruiter_name"]) == (12, "chonburi", "Golden Seafood Co.", "12500",
                                                 "Mr Broker")
    await untouched(desk, victim)



