"""Shared steps for the report tests: a person who has chosen a language, and form walks."""
from __future__ import annotations

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
    await person.send("They stopped paying us in May and closed the site.")
    await person.send(photo=True)
    await person.send(voice=True)
    await person.press("✅ Done")
    await person.press("💬 Write to me in this chat")
    await person.press("✅ Yes, they may share my name")
    return await person.press("Woman")
