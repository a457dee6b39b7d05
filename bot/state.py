"""Every key the bot keeps in `user_data` and `bot_data`, with its type, in one place.

`user_data` is persisted as JSON (bot/persistence.py), so its values are JSON-shaped;
`bot_data` stays in memory and holds the services and caches. Handlers reach both through
the typed properties of `bot.context.HotlineContext`. A new key is declared here first.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, NotRequired, TypedDict

if TYPE_CHECKING:
    import asyncio

    from bot.content.directory import Directory
    from bot.content.recruiter_search import RegistryCache
    from bot.content.services import Content
    from bot.inbox import Inbox
    from bot.jobs.sender import Sender
    from bot.metrics import Metrics
    from bot.polling import UpdatesRequest
    from bot.settings import Settings
    from flows.registry import MenuEntry
    from storage.db import Database


# A message as the Bot API's JSON (Message.to_dict()), kept to be handled later.
MessageJSON = dict[str, Any]
# flows/returnee/benefits.py: the answer code by question key, and "household" (the members ticked)
# with "household_done" once that question was shown.
BenefitsCheck = dict[str, str | list[str] | bool]
# flows/returnee/consent.py: what a person sent before accepting the privacy notice.
HeldItem = tuple[Literal["message"], MessageJSON] | tuple[Literal["button"], str]


class UserData(TypedDict, total=False):
    """One person's state between messages (persisted; JSON values only)."""

    # bot/people.py: the language used for this person, and the day it was read from storage
    lang: str  # one of bot.i18n.LANGUAGES
    seen_on: str  # ISO date
    consented: bool  # flows/returnee/consent.py: the privacy notice was accepted
    report_draft: dict[str, Any]  # flows/forms/draft.py: Draft.to_json(), the report being written
    recruiter_to_report: str  # flows/returnee/recruiters.py -> intake: the name to report
    recruiters_query: str  # flows/returnee/recruiters.py: the last name searched, for "None of these"
    # flows/returnee/recruiters.py: the check listens for a name: "asked" (just asked for one) or
    # "answered" (after an answer another name may follow)
    recruiters_listening: Literal["asked", "answered"]
    pending_message: MessageJSON  # flows/returnee/case_replies.py: waiting for "which case?"
    mc_case: int  # flows/returnee/my_cases.py: the case being added to
    benefits_check: BenefitsCheck  # flows/returnee/benefits.py: the check's answers so far
    broadcast_draft: BroadcastDraft  # flows/admin/broadcast.py: the alert an admin is writing
    sd_awaiting: StaffAwaiting  # flows/desk/awaiting.py: the reason/amount asked of staff
    help_alerted_at: float  # flows/desk/thread.py: when staff were last alerted for this person


class BotData(TypedDict, total=False):
    """The running bot's services and in-memory caches (never persisted)."""

    settings: Settings
    db: Database
    directory: Directory
    menu: list[MenuEntry]
    content: Content  # programmes and documents from data/services.csv
    sender: Sender  # bot/jobs/sender.py: sends the outbox
    staff_chat: int  # the staff group's id when Telegram moved it (storage/outbox.py)
    inbox: Inbox  # bot/inbox.py: where updates are stored before they are handled
    updates_request: UpdatesRequest  # bot/polling.py: the getUpdates connection
    metrics: Metrics  # bot/metrics.py
    followup_clock: Callable[[], datetime]  # bot/jobs/followup_time.py: shifted in tests
    followup_lock: asyncio.Lock  # bot/jobs/followups.py: one sweep at a time
    # flows/returnee/recruiters.py: the parsed registry, rebuilt when it changes
    recruiter_registry: RegistryCache
    desk_members: dict[int, tuple[bool, float]]  # flows/desk/access.py: member?, checked when
    desk_names: dict[int, str]  # flows/desk/access.py: how staff see a staff member
    held_before_consent: dict[int, HeldItem]  # flows/returnee/consent.py: by person id, in memory only


# The service keys, as literals mypy checks against BotData.
SETTINGS: Final = "settings"
DATABASE: Final = "db"
DIRECTORY: Final = "directory"
MENU: Final = "menu"
CONTENT: Final = "content"
SENDER: Final = "sender"
STAFF_CHAT: Final = "staff_chat"
INBOX: Final = "inbox"
UPDATES_REQUEST: Final = "updates_request"


# -- the shapes of some values above (JSON, as they are persisted) ---------------------------
class StaffAwaiting(TypedDict):
    """sd_awaiting: the staff member's next message in the group answers this question."""

    case: int
    what: Literal["reason", "amount"]  # the escalation's reason, or the amount recovered
    level: NotRequired[str]  # the escalation level, for a reason
    at: float  # unix time asked; the answer is taken for flows/desk_awaiting.AWAIT_SECONDS


class BroadcastDraft(TypedDict, total=False):
    """broadcast_draft: the safety alert an admin is composing (flows/admin/broadcast.py)."""

    id: str  # 32 hex digits: a second Confirm of the same draft sends nothing again
    step: str  # the composer's state the draft is in (the question asked last)
    audience: str  # storage.broadcasts.Audience, as text: "all", "province:KEY", "language:km"
    km: str  # the Khmer text, exactly as typed
    en: str  # the English text
    photo: str  # Telegram file id of the photo


# user_data keys that only say how to talk to the person (language, last seen), not data.
BOOKKEEPING = frozenset({"lang", "seen_on", "consented"})


def kept_between_messages(user_data: Mapping[str, Any]) -> dict[str, Any]:
    """What a person's user_data holds besides bookkeeping (an unfinished report, ...):
    shown by /mydata, erased by /delete and by retention."""
    return {key: value for key, value in user_data.items() if key not in BOOKKEEPING}
