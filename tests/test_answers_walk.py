"""Walk every button reachable from the main menu, in Khmer and English side by side.

Generated from the menu: a new topic is walked without a new test. Fails on a
dead end (an answer without buttons), on Khmer text that is the English text,
and on a phone number or web address that is not in the verified directory.
"""
from __future__ import annotations

import re
import unicodedata
from collections import deque

from bot.content import factcheck
from bot.i18n import LANGUAGE_NAMES
from tests.harness import Reply

# Buttons that change the person's settings rather than lead somewhere.
SKIP_PREFIXES = ("lang:",)
MESSAGE_LIMIT = 1000  # "about 700 characters" per message; Khmer runs a little longer
_KHMER = re.compile(r"[\u1780-\u17ff]")


def words_only(text: str) -> str:
    """Text without digits, emoji, punctuation and spaces: what must be translated."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LM")


def untranslated(km: str, en: str) -> bool:
    english_words = words_only(en)
    if not english_words:
        return False  # numbers and emoji only: nothing to translate
    return words_only(km) == english_words or not _KHMER.search(km)


async def choose(person, label: str) -> Reply:
    await person.send("/start")
    await person.press(label)
    return person.latest_with_buttons()


def problems_in(data: str, km: list[Reply], en: list[Reply], directory) -> list[str]:
    found = []
    if not km or not en:
        return [f"{data}: no answer"]
    if not km[-1].buttons or not en[-1].buttons:
        found.append(f"{data}: dead end (last reply has no buttons)")
    if len(km) != len(en):
        return [*found, f"{data}: {len(km)} replies in Khmer, {len(en)} in English"]
    for k, e in zip(km, en, strict=True):  # lengths checked above
        for reply in (k, e):
            bad = factcheck.unverified(reply.text, directory.numbers, directory.addresses)
            if bad:
                found.append(f"{data}: unverified {bad} in {reply.text[:80]!r}")
            if len(reply.text) > MESSAGE_LIMIT:
                found.append(f"{data}: message of {len(reply.text)} characters")
        if untranslated(k.text, e.text):
            found.append(f"{data}: Khmer text not translated: {k.text[:80]!r}")
        if [d for _l, d in k.buttons] != [d for _l, d in e.buttons]:
            found.append(f"{data}: Khmer and English buttons differ")
        for k_label, e_label in zip(k.labels, e.labels, strict=False):
            if e_label not in LANGUAGE_NAMES.values() and untranslated(k_label, e_label):
                found.append(f"{data}: button not translated: {k_label!r}")
    return found


async def test_every_path_from_the_main_menu_in_both_languages(bot):
    directory = bot.app.bot_data["directory"]
    km, en = bot.person(language_code="km"), bot.person(language_code="en")
    menu_km, menu_en = await choose(km, "ភាសាខ្មែរ"), await choose(en, "English")
    problems = problems_in("main menu", [menu_km], [menu_en], directory)
    queue = deque(data for _label, data in menu_en.buttons)
    seen = set(queue)
    while queue:
        data = queue.popleft()
        replies_en = await en.press_data(data)
        replies_km = await km.press_data(data)
        problems += problems_in(data, replies_km, replies_en, directory)
        for reply in replies_en:
            for _label, next_data in reply.buttons:
                if next_data not in seen and not next_data.startswith(SKIP_PREFIXES):
                    seen.add(next_data)
                    queue.append(next_data)
    assert not problems, "\n".join(problems)
    # The walk reached every topic's inner pages, not only the menu.
    for prefix in ("now:", "sm:", "ben:", "doc:", "wr:"):
        assert any(d.startswith(prefix) for d in seen), prefix
    assert len(seen) > 40


def test_the_walk_notices_untranslated_text_and_unverified_numbers():
    from bot.content.directory import load_directory
    directory = load_directory()

    def reply(text, buttons=(("🏠", "menu"),)):
        return Reply({"text": text, "reply_markup": {"inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in buttons]]}})

    same = problems_in("t", [reply("Call 117 now")], [reply("Call 117 now")], directory)
    assert any("not translated" in p for p in same)
    fake = problems_in("t", [reply("ហៅលេខ ១២៨៨")], [reply("Call 1288")], directory)
    assert any("unverified ['1288']" in p for p in fake)
    dead = problems_in("t", [reply("សួស្តី", buttons=())], [reply("Hello", buttons=())], directory)
    assert any("dead end" in p for p in dead)
    assert problems_in("t", [reply("ហៅលេខ ១១៧")], [reply("Call 117")], directory) == []
