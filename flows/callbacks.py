"""Callback data: one typed class per kind of button, packed and parsed in one place.

A kind of button subclasses `Callback` with its prefix (it becomes a frozen dataclass):

    class OpenCase(Callback, prefix="mc:open"):
        case_id: int

    OpenCase(42).pack()            -> "mc:open:42"
    OpenCase.parse("mc:open:42")   -> OpenCase(case_id=42)
    OpenCase.parse("mc:open:x")    -> None (forged or stale: answer it as stale)
    CallbackQueryHandler(on_open, pattern=OpenCase.pattern)

Fields are `int`, `str` (a short ASCII word without ":"), a `Literal` of words, or any
of these with its own regex (`token(r"[0-9a-f]{32}")`). Fields with a default may be left
out at the end (`Menu()` packs as "menu", `Menu("wage")` as "menu:wage"), so one kind can
keep the shapes of buttons already sitting in people's chats. A prefix is registered
once: a second kind with the same prefix fails at import. `KINDS` lists every button the
bot has (the test suite checks every handler's pattern is one of them).
"""
from __future__ import annotations

import dataclasses
import re
import typing
from typing import Any, ClassVar, Literal, Self, dataclass_transform

DATA_LIMIT = 64  # bytes: Telegram's limit for callback data
_INT = r"-?\d{1,15}"
_WORD = r"[A-Za-z0-9_.\-]{1,40}"

KINDS: dict[str, type[Callback]] = {}  # prefix -> kind, in the order they were declared


def token(pattern: str, default: Any = dataclasses.MISSING) -> Any:
    """A field with its own regex (no ":" in it), e.g. a 32-hex draft id."""
    return dataclasses.field(default=default, metadata={"pattern": pattern})


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, token))
class Callback:
    """Base of every kind of callback data; each subclass is made a frozen dataclass."""

    prefix: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    _fields: ClassVar[tuple[tuple[str, str, type], ...]]  # name, regex, converter

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix.isascii() or not prefix or prefix.endswith(":"):
            raise ValueError(f"callback prefix must be ASCII without a trailing ':': {prefix!r}")
        if prefix in KINDS:
            raise ValueError(f"callback prefix {prefix!r} is used by {KINDS[prefix].__name__}")
        cls.prefix = prefix
        dataclasses.dataclass(frozen=True)(cls)  # in place: the class keeps its identity
        cls._describe()
        KINDS[prefix] = cls

    @classmethod
    def _describe(cls) -> None:
        """Turn the dataclass fields into the handler's regex and the parsers."""
        hints = typing.get_type_hints(cls)
        described: list[tuple[str, str, Any]] = []
        regex = re.escape(cls.prefix)
        optional_from = None
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            field_regex, convert = _field_regex(hints[f.name], f.metadata.get("pattern"))
            has_default = f.default is not dataclasses.MISSING
            if has_default and optional_from is None:
                optional_from = len(described)
            if not has_default and optional_from is not None:
                raise TypeError(f"{cls.__name__}.{f.name}: a required field after an optional one")
            described.append((f.name, field_regex, convert))
            part = f":(?P<{f.name}>{field_regex})"
            regex += f"(?:{part}" if has_default else part
        regex += ")?" * (len(described) - optional_from if optional_from is not None else 0)
        cls._fields = tuple(described)
        cls.pattern = re.compile(rf"^{regex}\Z")  # \Z: "$" would let a newline through

    def pack(self) -> str:
        """The callback data for a button; raises ValueError if it could not be parsed back."""
        parts = [self.prefix]
        left_out: list[tuple[str, str, str]] = []  # trailing defaults: written if a value follows
        for f, (name, field_regex, _convert) in zip(
            dataclasses.fields(self), self._fields, strict=True  # type: ignore[arg-type]
        ):
            value = getattr(self, name)
            text = str(int(value)) if isinstance(value, bool) else str(value)
            if f.default is not dataclasses.MISSING and value == f.default:
                left_out.append((name, text, field_regex))
                continue
            for written_name, written, written_regex in [*left_out, (name, text, field_regex)]:
                if not re.fullmatch(written_regex, written):
                    raise ValueError(
                        f"{type(self).__name__}.{written_name}={written!r} does not fit {written_regex}"
                    )
                parts.append(written)
            left_out.clear()
        data = ":".join(parts)
        if not data.isascii() or len(data.encode()) > DATA_LIMIT:
            raise ValueError(f"callback data must be ASCII and at most {DATA_LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button's fields, or None for data of another kind, forged or stale."""
        if not isinstance(data, str):
            return None
        match = cls.pattern.match(data)
        if match is None:
            return None
        values = {
            name: convert(match[name])
            for name, _regex, convert in cls._fields
            if match[name] is not None
        }
        return cls(**values)


def _field_regex(hint: Any, pattern: str | None) -> tuple[str, type]:
    if typing.get_origin(hint) is Literal:
        words = typing.get_args(hint)
        return "|".join(re.escape(str(w)) for w in words), type(words[0])
    if hint is bool:
        return "0|1", lambda text: text == "1"  # type: ignore[return-value]
    if hint is int:
        return pattern or _INT, int
    if hint is str:
        return pattern or _WORD, str
    raise TypeError(f"callback fields are int, str, bool or Literal words, not {hint!r}")


def every_pattern() -> list[re.Pattern[str]]:
    """The handler pattern of every kind of button (for the test that no handler is unlisted)."""
    return [kind.pattern for kind in KINDS.values()]


# Every kind of button the bot has, by the part of the bot that sends it. A kind is
# declared here, not in the flow, so this is the one list (and no two parts share a prefix).

# --- The main menu and navigation ------------------------------------------------------


class Menu(Callback, prefix="menu"):
    """A main-menu entry ("menu:<key>"), or the "Main menu" button itself ("menu")."""

    key: str = ""


# --- Returnee information flows (start, benefits, recruiters, my cases, my data, alerts...)

# start.py: the language buttons under the greeting (choosing one accepts the privacy notice)
class Language(Callback, prefix="lang"):
    code: str = token(r"[a-z]{2}")  # one of bot.i18n.LANGUAGES


# understand.py: a suggested topic ("it:wages")
class Intent(Callback, prefix="it"):
    intent: str = token(r"[a-z_]{1,30}")


# help_now.py: "now" asks where the person is, "now:KH" / "now:TH" give that country's numbers
class HelpNow(Callback, prefix="now"):
    country: str = token(r"[A-Z]{2}", default="")


# documents.py: "doc" lists the documents, "doc:<key>" shows one (a key of data/services.csv)
class Document(Callback, prefix="doc"):
    key: str = ""


# pages.py: an information topic: "<prefix>" its sections, "<prefix>:<section>:<page>" a page
# (page counted from 0; "sm:legal" is page 0 too). One kind per topic, each its own prefix.
class SafeMigrationPage(Callback, prefix="sm"):
    section: str = ""
    page: int = 0


class WageRightsPage(Callback, prefix="wr"):
    section: str = ""
    page: int = 0


# benefits.py: the check: begin again, show a question, answer it, tick a household member
# ("done" ends that question), a page of the personal list
class BenefitsStart(Callback, prefix="ben:start"):
    pass


class BenefitsQuestion(Callback, prefix="ben:q"):
    question: str


class BenefitsAnswer(Callback, prefix="ben:a"):
    question: str
    answer: str


class BenefitsMember(Callback, prefix="ben:hh"):
    member: str


class BenefitsList(Callback, prefix="ben:r"):
    page: int


# recruiters.py: "Check another", a near match by its registry row id, "None of these"
class RecruiterAgain(Callback, prefix="rc:again"):
    pass


class RecruiterPick(Callback, prefix="rc:pick"):
    recruiter_id: int


class RecruiterNone(Callback, prefix="rc:none"):
    pass


# my_cases.py: the person's own reports (the "menu:mycases" entry shows the same list).
# Also sent under staff messages (desk_relay.py, desk_outbox.py, followups.py).
class MyCases(Callback, prefix="mc:list"):
    pass


class OpenCase(Callback, prefix="mc:open"):
    case_id: int


class AddToCase(Callback, prefix="mc:add"):
    case_id: int


class AddingDone(Callback, prefix="mc:done"):
    pass


# case_replies.py: "which of your reports is this about?" answered, or "none of these"
class ReplyToCase(Callback, prefix="cr:to"):
    case_id: int


class ReplyToNone(Callback, prefix="cr:none"):
    pass


# my_data.py: /mydata and /delete as buttons, and the answer to "Delete all your data?"
class MyData(Callback, prefix="pv:mydata"):
    pass


class DeleteAsked(Callback, prefix="pv:delete"):
    pass


class DeleteAnswer(Callback, prefix="pv:del"):
    answer: Literal["yes", "no"]


# alerts.py: the onboarding question, the settings, Stop alerts under every alert (and its
# harmless twin in an admin's preview), the home province ("al:prov" asks, "al:prov:<key>")
class AlertsWanted(Callback, prefix="al"):
    answer: Literal["yes", "no"]


class AlertsShown(Callback, prefix="al:show"):
    pass


class AlertsOn(Callback, prefix="al:on"):
    pass


class AlertsOff(Callback, prefix="al:off"):
    pass


class StopAlerts(Callback, prefix="al:stop"):
    pass


class StopAlertsPreview(Callback, prefix="al:preview"):
    pass


class AlertsProvince(Callback, prefix="al:prov"):
    key: str = ""


# followups.py: the answer to a follow-up, the satisfaction question, reminders off and on
# (Stop reminders under every follow-up). Checked against the person pressing them.
class FollowupAnswer(Callback, prefix="fu:a"):
    followup_id: int
    answer: str


class FollowupSatisfaction(Callback, prefix="fu:s"):
    followup_id: int
    level: int


class StopReminders(Callback, prefix="fu:stop"):
    pass


class RemindersOff(Callback, prefix="fu:off"):
    pass


class RemindersOn(Callback, prefix="fu:on"):
    pass


# --- Report forms (wage claim, grievance, intake) ----------------------------------------

# A form's answer buttons carry the step's word and the answer: "rp:<step>:<value>". The
# value is a short word; the step checks it is one of its answers (a forged one asks again).


class WhoPicked(Callback, prefix="rp:who"):
    value: str


class ProvincePicked(Callback, prefix="rp:prov"):
    value: str


class SectorPicked(Callback, prefix="rp:sector"):
    value: str


class MonthPicked(Callback, prefix="rp:ym"):
    """A year ("2025") shows its months; a month ("2025-07") is the answer."""

    value: str = token(r"\d{4}(?:-\d{2})?")


class OwedTicked(Callback, prefix="rp:owe"):
    """Ticks one thing owed; the value "next" is the Next button (its shape from before)."""

    value: str


class RecruiterPicked(Callback, prefix="rp:rec"):
    value: str


class CategoryPicked(Callback, prefix="rp:cat"):
    value: str


class WherePicked(Callback, prefix="rp:where"):
    value: str


class AnonymityPicked(Callback, prefix="rp:anon"):
    value: str


class ContactPicked(Callback, prefix="rp:contact"):
    value: str


class SharePicked(Callback, prefix="rp:share"):
    value: str


class HomePicked(Callback, prefix="rp:home"):
    value: str


class GenderPicked(Callback, prefix="rp:gender"):
    value: str


class SafetyAnswered(Callback, prefix="rp:scr"):
    """The question's key is in the button: an old button of another question changes nothing."""

    question: str
    answer: Literal["yes", "no"]


class FormSkip(Callback, prefix="rp:skip"):
    """Skip an optional question."""


class FormKeep(Callback, prefix="rp:keep"):
    """Keep the answer already there (a name or story filled in before)."""


class FormDone(Callback, prefix="rp:done"):
    """No more files."""


class FormBack(Callback, prefix="rp:back"):
    """One question back."""


class FormCancel(Callback, prefix="rp:cancel"):
    """Asks before deleting the unfinished report."""


class FormCancelConfirmed(Callback, prefix="rp:cancel:yes"):
    """Deletes the unfinished report."""


class FormResume(Callback, prefix="rp:resume"):
    """Continue the unfinished report."""


class FormEdit(Callback, prefix="rp:edit"):
    """From the summary: ask this step again."""

    step: str = token(r"[a-z_]{1,30}")


class FormConfirm(Callback, prefix="rp:confirm"):
    """Confirm and send: the draft's id, so a second press finds the same case."""

    draft_id: str = token(r"[0-9a-f]{32}")


class FormNew(Callback, prefix="rp:new"):
    """Start a new report (deleting the unfinished one): W, G, or a grievance about a
    recruiter (R), a debt (D), or from the voice note or file sent at the menu (V)."""

    kind: Literal["W", "G", "R", "D", "V"]


class ReportThis(Callback, prefix="report"):
    """'Report this recruiter' (recruiter check) or 'Report this debt' (benefits check)."""

    topic: Literal["recruiter", "debt"]


class FileAsReport(Callback, prefix="cr:new"):
    """'Send it as a new report' under a voice note or file sent at the menu (case_replies)."""


# --- Staff desk and the alert composer -------------------------------------------------

CaseAction = Literal[
    "claim", "unassign", "wait", "refer", "close", "esc", "reopen", "canned",  # no choice
    "ref", "out", "lvl", "can",  # with a choice: partner, outcome, level, canned reply
]


class CaseButton(Callback, prefix="sd"):
    """A button on a case's card or in its thread: "sd:<action>:<case id>[:<choice>]"."""

    action: CaseAction
    case_id: int
    choice: str = ""


class ListedCase(Callback, prefix="sl:o"):
    """A case under a /search, /cases or /mine list: posts its card."""

    case_id: int


class ListPage(Callback, prefix="sl:p"):
    """◀️ ▶️ under a case list: that page of the list remembered as `list_id`."""

    list_id: int
    page: int


class BroadcastAudience(Callback, prefix="bc:aud"):
    """The alert composer's audience: "bc:aud:all", "bc:aud:province", "bc:aud:language:km"."""

    kind: Literal["all", "province", "language"]
    language: str = token(r"km|en", default="")


class BroadcastProvince(Callback, prefix="bc:prov"):
    """The province of a province audience (a key of data/provinces_kh)."""

    province: str


class BroadcastSkip(Callback, prefix="bc:skip"):
    """No Khmer (or no English) text."""


class BroadcastNoPhoto(Callback, prefix="bc:nophoto"):
    """The alert goes without a photo."""


class BroadcastConfirm(Callback, prefix="bc:confirm"):
    """Send the alert previewed."""


class BroadcastDiscard(Callback, prefix="bc:discard"):
    """Drop the draft alert."""


class BroadcastControl(Callback, prefix="bc"):
    """Under a broadcast's progress: pause, resume, cancel (asks first) or stop for good."""

    action: Literal["pause", "resume", "cancel", "stop"]
    broadcast_id: int


COMPOSER_KINDS: tuple[type[Callback], ...] = (
    BroadcastAudience, BroadcastProvince, BroadcastSkip, BroadcastNoPhoto, BroadcastConfirm,
    BroadcastDiscard,
)  # the composer's buttons: one pressed at the wrong step asks that step again
