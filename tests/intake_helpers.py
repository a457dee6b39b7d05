"""Shared steps for the report tests: a person who has chosen a language, and form walks."""
from __future__ import annotations

from bot.content.screener import QUESTIONS
from flows.callbacks import SafetyAnswered
from tests.harness import Person

LANGUAGE_BUTTON = {"km": "ភាសាខ្មែរ", "en": "English"}


async def onboarded(bot, language: str = "en", **kwargs) -> Person:
    """A person who saw the privacy greeting and chose a language (consent recorded)."""
    person = bot.person(language_code=language, **kwargs)
    await person.send("/start")
    await person.press(LANGUAGE_BUTTON[language])
    return person


async def case_rows(bot, person) -> list:
    return await bot.db.fetchall("SELECT * FROM cases WHERE reporter_id = ? ORDER BY id",
                                 (person.id,))


async def answer_safety_questions(person, warn: tuple[str, ...] = ()) -> list:
    """Answers every safety question still asked: a warning sign for the keys in `warn`
    (bot/screener.QUESTIONS), none for the others. Returns the last replies."""
    flag_on = {q.key: q.flag_on for q in QUESTIONS}
    replies: list = []
    while True:
        asked = [found for _, data in person.latest_with_buttons().buttons
                 if (found := SafetyAnswered.parse(data)) is not None]
        if not asked:
            return replies
        key = asked[0].question
        answer = flag_on[key] if key in warn else ("no" if flag_on[key] == "yes" else "yes")
        replies = await person.press_data(f"rp:scr:{key}:{answer}")


async def walk_wage_claim_en(person, *, amount: str = "12,500") -> list:
    """Fill the English wage claim up to the summary; returns the summary replies."""
    await person.press("💸 I was not paid")
    await person.press("👥 A group of workers was not paid")
    await person.send("12")
    await person.press("Chonburi")
    await person.send("Golden Seafood Co.")
    await person.press("⏭ Skip")
    await person.press("Fishing or seafood processing")
    await person.press_data("rp:ym:2024")
    await person.press_data("rp:ym:2024-07")
    await person.press_data("rp:ym:2025")
    await person.press_data("rp:ym:2025-06")
    await person.press("▫️ Wages")
    await person.press("▫️ Overtime pay")
    await person.press("➡️ Next")
    await person.send(amount)
    await person.press("Yes")
    await person.send("Mr Broker")
    await answer_safety_questions(person)
    await person.send("They stopped paying us in May and closed the site.")
    await person.send(photo=True)
    await person.send(voice=True)
    await person.press("✅ Done")
    await person.press("💬 Write to me in this chat")
    await person.press("✅ Yes, they may share my name")
    await person.press("Battambang")  # home province, asked once per person
    return await person.press("Woman")
