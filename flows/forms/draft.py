"""The report being written (wage claim or grievance): a dataclass kept as JSON in user_data.

user_data["report_draft"] holds `Draft.to_json()`, so the draft survives a restart with the
conversation's position (bot/persistence.py). Its JSON keeps the keys of the dict the bot
stored before drafts were typed ("id", "kind", "f" for the answers, "evidence", "step"...),
so a person in the middle of a form when a new version starts goes on: `Draft.from_json`
reads both, and drops what it cannot read (an unknown field, a value of the wrong type).
Nothing in a draft counts as reported until Confirm writes the case (flows/forms/intake.py).
"""
from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.context import HotlineContext

KINDS = ("W", "G")  # wage claim, grievance


@dataclass
class Answers:
    """Every answer a report form can hold, by step (None: not answered)."""

    # The wage claim.
    reported_by: str | None = None  # self, family, group
    group_size: int | None = None
    employer: str | None = None
    workplace: str | None = None
    sector: str | None = None
    first_month: str | None = None  # "YYYY-MM"
    last_month: str | None = None
    owed: list[str] = field(default_factory=list)
    amount: str | None = None  # a decimal, as text
    currency: str | None = None
    recruiter_involved: str | None = None  # yes, no, unsure
    # The grievance.
    category: str | None = None
    country: str | None = None  # TH, KH, border
    place: str | None = None
    anonymous: bool | None = None
    # Both.
    province: str | None = None  # in Thailand: a key of data/provinces, or "unknown"
    recruiter_name: str | None = None
    screener: dict[str, str] = field(default_factory=dict)  # question key -> yes/no
    description: str | None = None
    description_voice: str | None = None  # a Telegram file id
    contact: str | None = None  # chat, phone, none
    phone: str | None = None
    share_name: bool | None = None
    home_province: str | None = None  # in Cambodia, asked once per person
    gender: str | None = None  # asked once per person

    def get(self, name: str) -> Any:
        return getattr(self, _checked(name))

    def set(self, name: str, value: Any) -> None:
        setattr(self, _checked(name), value)

    def clear(self, name: str) -> None:
        """Back to "not answered" (an answer that no longer applies)."""
        default = _FIELDS[_checked(name)]
        setattr(self, name, default.default_factory() if default.default_factory
                is not dataclasses.MISSING else default.default)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = {f.name: f for f in dataclasses.fields(Answers)}
_TYPES = typing.get_type_hints(Answers)
_BOOLS = {name for name, hint in _TYPES.items() if bool in typing.get_args(hint)}


def _checked(name: str) -> str:
    if name not in _FIELDS:
        raise KeyError(f"no answer called {name!r}")
    return name


@dataclass
class Draft:
    """A report not yet sent: its answers, its files and where the person is in the form."""

    kind: str  # "W" or "G"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    answers: Answers = field(default_factory=Answers)
    evidence: list[list[str]] = field(default_factory=list)  # [kind, file_id, unique_id]
    step: str | None = None  # the step asked last, or "summary"
    editing: bool = False  # a field is being changed from the summary
    ask_gender: bool = False  # the person never answered these (asked once per person)
    ask_home: bool = False
    picking_year: str | None = None  # month steps: the year whose months are shown
    screen_i: int = 0  # the safety question being asked
    urgent: bool | None = False  # urgent when last checked (None: not known, an older draft)
    phone_keyboard: bool = False  # the share-contact keyboard is showing

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["f"] = self.answers.as_dict()
        del data["answers"]
        data["evidence"] = [list(item) for item in self.evidence]
        return data

    @classmethod
    def from_json(cls, data: object) -> Draft | None:
        """The draft in `data` (this shape or the older dict), or None if it is not one."""
        if not isinstance(data, Mapping) or data.get("kind") not in KINDS:
            return None
        draft_id = data.get("id")
        if not isinstance(draft_id, str) or len(draft_id) != 32:
            return None
        draft = cls(kind=data["kind"], id=draft_id, answers=answers_from(data.get("f")))
        draft.evidence = [[str(part) for part in item] for item in data.get("evidence") or []
                          if isinstance(item, list) and len(item) == 3]
        for name, kind in ((n, t) for n, t in _DRAFT_TYPES.items()
                           if n not in ("kind", "id", "answers", "evidence")):
            if name in data and _fits(data[name], kind):
                setattr(draft, name, data[name])
        if "urgent" not in data:  # an older draft: its mark at "What is owed", or not known
            before = data.get("urgent_before_owed")
            draft.urgent = before if isinstance(before, bool) else None
        return draft


_DRAFT_TYPES = typing.get_type_hints(Draft)


def answers_from(data: object) -> Answers:
    """Answers from their JSON (or a prefill): unknown names and wrong types are left out."""
    answers = Answers()
    if isinstance(data, Mapping):
        for name, value in data.items():
            if name in _BOOLS and value in (0, 1) and not isinstance(value, bool):
                value = bool(value)  # a stored case's 0/1 (flows/my_cases.as_draft)
            if name in _FIELDS and _fits(value, _TYPES[name]):
                answers.set(name, value)
    return answers


def _fits(value: object, hint: Any) -> bool:
    """Whether a JSON value has the declared type (str | None, int, list[str], ...)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        return isinstance(value, dict) and all(
            _fits(k, key) and _fits(v, item) for k, v in value.items())
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def of_case(data: Mapping[str, Any]) -> Draft | None:
    """A stored case in the shape of a draft (flows/my_cases.as_draft), for its summary:
    it has no draft id, and its proof is only counted."""
    draft = Draft.from_json({"id": "0" * 32, **data})
    if draft is not None:
        draft.evidence = [["", "", ""] for _ in data.get("evidence") or []]
    return draft


def current(context: HotlineContext) -> Draft | None:
    """The person's unfinished report, if there is one."""
    return Draft.from_json(context.person_state.get("report_draft"))


def save(context: HotlineContext, draft: Draft) -> None:
    context.person_state["report_draft"] = draft.to_json()


def drop(context: HotlineContext) -> None:
    context.person_state.pop("report_draft", None)
