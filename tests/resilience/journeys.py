"""Every flow as a list of steps a returnee takes, in either language.

Buttons are pressed by their callback data, never by label, so one journey serves a
Khmer and an English person. An action is
    ("data", "rp:who:group")        press the button with this data (on the latest keyboard)
    ("prefix", "rp:confirm:")       press the latest button whose data starts with this
    ("first", None)                 press the first button of the latest keyboard
    ("text", "12")                  type a message
    ("content", {"photo": True})    send something else (photo, voice, location ...)
    ("own_language", None)          press the button of the person's own language

The resilience tests send bad input after any number of a journey's steps (every
step of every flow), and the crash tests replay the wage claim around a SIGKILL.
"""
from __future__ import annotations

from tests.harness import Person, Reply

Action = tuple[str, object]
# The safety questions answered with no warning sign (bot/screener.QUESTIONS, in order).
SAFE_SCREENER: list[Action] = [
    ("data", "rp:scr:documents:no"), ("data", "rp:scr:free_to_leave:yes"),
    ("data", "rp:scr:violence:no"), ("data", "rp:scr:confinement:no"),
    ("data", "rp:scr:child:no"), ("data", "rp:scr:debt:no"), ("data", "rp:scr:deceived:no"),
]

WAGE_CLAIM: list[Action] = [
    ("data", "menu:wage"), ("data", "rp:who:group"), ("text", "12"),
    ("data", "rp:prov:chonburi"), ("text", "Golden Seafood Co."), ("data", "rp:skip"),
    ("data", "rp:sector:seafood"), ("data", "rp:ym:2024"), ("data", "rp:ym:2024-07"),
    ("data", "rp:ym:2025"), ("data", "rp:ym:2025-06"), ("data", "rp:owe:wages"),
    ("data", "rp:owe:next"), ("text", "12500"), ("data", "rp:rec:yes"), ("text", "Mr Broker"),
    *SAFE_SCREENER, ("content", {"photo": True}), ("data", "rp:done"), ("data", "rp:contact:chat"),
    ("data", "rp:share:yes"), ("data", "rp:home:battambang"),
    ("data", "rp:gender:woman"), ("prefix", "rp:confirm:"),
]
GRIEVANCE: list[Action] = [
    ("data", "menu:report"), ("data", "rp:cat:other"), *SAFE_SCREENER,
    ("text", "My boss shouted at me every day."), ("content", {"voice": True}),
    ("data", "rp:done"), ("data", "rp:where:KH"), ("text", "Battambang"),
    ("data", "rp:anon:anonymous"), ("data", "rp:contact:chat"), ("data", "rp:home:unsaid"),
    ("data", "rp:gender:unsaid"),
    ("prefix", "rp:confirm:"),
    # then My cases: open the report and add to it
    ("data", "menu:mycases"), ("prefix", "mc:open:"), ("prefix", "mc:add:"),
    ("text", "One more thing."), ("data", "mc:done"),
]
RECRUITER_REPORT: list[Action] = [
    ("data", "menu:report"), ("data", "rp:cat:recruiter"), SAFE_SCREENER[0],
]
RECRUITER_CHECK: list[Action] = [
    ("data", "menu:recruiters"), ("text", "Golden Star Manpower"), ("data", "rc:again"),
]
HELP_NOW: list[Action] = [("data", "menu:now"), ("data", "now:TH")]
BENEFITS: list[Action] = [("data", "menu:benefits"), ("data", "ben:start")] + [
    ("first", None)] * 6 + [("data", "ben:hh:done"), ("first", None)]
DOCUMENTS: list[Action] = [("data", "menu:documents"), ("data", "doc:passport")]
SAFE_MIGRATION: list[Action] = [("data", "menu:migration"), ("data", "sm:costs:0"),
                                ("first", None)]
WAGE_RIGHTS: list[Action] = [("data", "menu:wages"), ("data", "wr:rights:1"), ("first", None)]
ALERTS: list[Action] = [("data", "menu:alerts"), ("data", "al:on"), ("data", "al:prov"),
                        ("data", "al:prov:battambang"), ("data", "al:off")]
PRIVACY: list[Action] = [("data", "menu:about"), ("data", "pv:mydata"), ("data", "pv:delete"),
                         ("data", "pv:del:no")]
MENUS: list[Action] = [("data", "menu:help"), ("data", "menu:language"),
                       ("own_language", None), ("text", "/cancel")]

JOURNEYS: dict[str, list[Action]] = {
    "wage claim": WAGE_CLAIM, "grievance and my cases": GRIEVANCE,
    "recruiter report": RECRUITER_REPORT, "recruiter check": RECRUITER_CHECK,
    "help now": HELP_NOW, "benefits": BENEFITS, "documents": DOCUMENTS,
    "safe migration": SAFE_MIGRATION, "wage rights": WAGE_RIGHTS, "alerts": ALERTS,
    "privacy": PRIVACY, "menus": MENUS,
}
# The steps of all journeys: (journey, how many of its actions come first).
STEPS: list[tuple[str, int]] = [(name, count) for name, actions in JOURNEYS.items()
                                for count in range(len(actions) + 1)]


async def perform(person: Person, action: Action, keyboard: Reply | None = None) -> list[Reply]:
    """Take one step; buttons are pressed on `keyboard` (default: the latest one)."""
    kind, value = action
    if kind == "text":
        return await person.send(str(value))
    if kind == "content":
        assert isinstance(value, dict)
        return await person.send(**value)
    keyboard = keyboard or person.latest_with_buttons()
    if kind == "data":
        return await person.press_data(str(value), keyboard)
    if kind == "prefix":
        data = next(d for _label, d in reversed(keyboard.buttons) if d.startswith(str(value)))
        return await person.press_data(data, keyboard)
    if kind == "first":
        return await person.press_data(keyboard.buttons[0][1], keyboard)
    if kind == "own_language":
        return await person.press_data(f"lang:{person.user['language_code']}", keyboard)
    raise ValueError(f"unknown action {kind!r}")


async def walk(person: Person, actions: list[Action]) -> list[Reply]:
    """Perform the actions in order; the replies to the last one."""
    replies: list[Reply] = []
    for action in actions:
        replies = await perform(person, action)
    return replies
