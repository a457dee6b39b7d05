"""Benefits and services: a short check with buttons that ends in a personal list.

The answers live in user_data["benefits_check"] (JSON: str values and a list),
so a person can leave and come back, and a restart loses nothing. Which
programme fits which answers is the "when" column of data/services.csv; the
programmes themselves (who runs them, where to ask, what to bring, which number)
are rows there too. No amounts and no promises (domain-facts §6, §10.3).

Buttons (flows/callbacks.py): BenefitsStart begins again, BenefitsQuestion shows a
question, BenefitsAnswer answers one, BenefitsMember ticks a household member ("done" ends
the household question), BenefitsList shows a page of the list.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.content.services import CONDITIONS, Service
from bot.context import HotlineContext
from bot.i18n import LANGUAGES, N_, _, use_language
from bot.state import BenefitsCheck
from flows import ui
from flows.callbacks import (
    BenefitsAnswer,
    BenefitsList,
    BenefitsMember,
    BenefitsQuestion,
    BenefitsStart,
    ReportThis,
)
from flows.registry import Flow, MenuEntry
from flows.returnee.pages import facts, next_button

ENTRY = MenuEntry("benefits", N_("🤝 Benefits and services: check what may help"), order=300)
HOUSEHOLD = "household"  # the household question's key (it has no options of its own)
DONE = "done"  # BenefitsMember: ends the household question
PAGE_LIMIT = 700  # characters per message, for a phone screen

YES, NO, UNSURE = ("yes", N_("Yes")), ("no", N_("No")), ("unsure", N_("I don't know"))


@dataclass(frozen=True)
class Question:
    key: str
    text: str                                # msgid
    options: tuple[tuple[str, str], ...]     # (answer code, label msgid)

    @property
    def codes(self) -> set[str]:
        return {code for code, _label in self.options}


QUESTIONS = (
    Question("where", N_("Where are you now?"),
             (("kh", N_("🇰🇭 Back in Cambodia")), ("th", N_("🇹🇭 Still in Thailand")))),
    Question("card", N_("Does your household have an Equity Card (IDPoor card)?"),
             (YES, NO, UNSURE)),
    Question("work", N_("What would help you with work?"),
             (("job", N_("Finding a job")), ("skills", N_("Training or a skills certificate")),
              ("both", N_("Both")), ("none", N_("Nothing now")))),
    # Debts to a bank or MFI (restructuring), to an online lender (do not repay an illegal
    # one) and to a broker or employer (a forced-labour sign: to the screener) differ.
    Question("loan", N_("Do you have a debt that is hard to repay now? Who is it owed to?"),
             (("bank", N_("🏦 A bank or a microfinance institution")),
              ("broker", N_("🧑‍💼 A broker, an agent or an employer")),
              ("online", N_("📱 An online lender or a loan app")),
              ("no", N_("No debt like this")))),
    Question("health", N_("Do you have health cover, for example from the NSSF?"),
             (YES, NO, UNSURE)),
    Question("support", N_("Would it help to talk with someone about stress or worry since "
                           "you came back?"), (YES, NO)),
)
MEMBERS = (
    ("baby", N_("A pregnant woman or a child under 2")),
    ("disability", N_("A person with a disability")),
    ("older", N_("A person aged 60 or older")),
    ("school", N_("A child who should go to school")),
)



@dataclass
class Answers:
    """The check's answers so far, kept in user_data["benefits_check"] as flat JSON."""

    chosen: dict[str, str] = field(default_factory=dict)  # answer code by question key
    household: list[str] | None = None  # the members ticked, once that question was shown
    household_done: bool = False

    def get(self, key: str) -> str | None:
        return self.chosen.get(key)

    @classmethod
    def from_json(cls, stored: object) -> Answers:
        """The stored answers, with anything unknown (an older version's keys) left out."""
        if not isinstance(stored, dict):
            return cls()
        answers = cls()
        for question in QUESTIONS:
            code = stored.get(question.key)
            if isinstance(code, str) and code in question.codes:
                answers.chosen[question.key] = code
        members, done = stored.get(HOUSEHOLD), stored.get("household_done")
        if isinstance(members, list) and isinstance(done, bool):
            answers.household = [m for m, _label in MEMBERS if m in members]
            answers.household_done = done
        return answers

    def to_json(self) -> BenefitsCheck:
        stored: BenefitsCheck = dict(self.chosen)
        if self.household is not None:
            stored.update({HOUSEHOLD: self.household, "household_done": self.household_done})
        return stored


# What each "when" of data/services.csv means in terms of the answers.
APPLIES: dict[str, Callable[[Answers], bool]] = {
    "wants_job": lambda a: a.get("work") in ("job", "both"),
    "wants_skills": lambda a: a.get("work") in ("skills", "both"),
    "no_card": lambda a: a.get("card") in ("no", "unsure"),
    "household_help": lambda a: bool(a.household),
    "loan": lambda a: a.get("loan") == "bank",
    "online_loan": lambda a: a.get("loan") == "online",
    "wants_support": lambda a: a.get("support") == "yes",
    "no_health": lambda a: a.get("health") in ("no", "unsure"),
    "school": lambda a: "school" in (a.household or ()),
}
assert set(APPLIES) == set(CONDITIONS), "every condition of bot.content.services needs a meaning here"


def answers_of(context: HotlineContext) -> Answers:
    return Answers.from_json(context.person_state.get("benefits_check"))


def keep(context: HotlineContext, answers: Answers) -> None:
    context.person_state["benefits_check"] = answers.to_json()


def personal_list(answers: Answers, services: list[Service]) -> list[Service]:
    """The programmes that may apply, in the order of the data file."""
    return [s for s in services if APPLIES[s.when](answers)]


# -- handlers -------------------------------------------------------------------
async def on_benefits(update: Update, context: HotlineContext) -> None:
    """Says what the check is and offers to start it."""
    text = _("🤝 Benefits and services\n\n"
             "Answer a few short questions. At the end you get a list of help that may fit "
             "you, and where to ask for it. We cannot promise what you will get.")
    rows = [[ui.button(_("▶️ Start the check"), BenefitsStart().pack())], ui.nav_row()]
    await ui.send(update, context, text, ui.keyboard(rows))


async def on_check_started(update: Update, context: HotlineContext) -> None:
    """Forgets earlier answers and asks the first question."""
    keep(context, Answers())
    await ask(update, context, QUESTIONS[0])


def question_of(key: str) -> Question | None:
    return next((q for q in QUESTIONS if q.key == key), None)


async def on_question_asked(update: Update, context: HotlineContext) -> None:
    """Shows one question again (a Back button)."""
    button = BenefitsQuestion.parse(ui.query_data(update))
    question = question_of(button.question) if button is not None else None
    if question is not None:
        await ask(update, context, question)
    elif button is not None and button.question == HOUSEHOLD:
        await ask_household(update, context)
    else:
        await continue_check(update, context)


async def on_answer_chosen(update: Update, context: HotlineContext) -> None:
    """Keeps the answer and goes on to the next open question, or the list."""
    button = BenefitsAnswer.parse(ui.query_data(update))
    question = question_of(button.question) if button is not None else None
    if button is not None and question is not None and button.answer in question.codes:
        answers = answers_of(context)
        answers.chosen[question.key] = button.answer
        keep(context, answers)
    await continue_check(update, context)


async def on_member_ticked(update: Update, context: HotlineContext) -> None:
    """Ticks or unticks a household member, or ends the household question."""
    button = BenefitsMember.parse(ui.query_data(update))
    answers = answers_of(context)
    chosen = answers.household or []
    if button is not None and button.member == DONE:
        answers.household, answers.household_done = chosen, True
        keep(context, answers)
        await continue_check(update, context)
        return
    if button is not None and button.member in {m for m, _label in MEMBERS}:
        member = button.member
        answers.household = [m for m in chosen if m != member] if member in chosen \
            else [*chosen, member]
        keep(context, answers)
    await ask_household(update, context)


async def on_list_page_asked(update: Update, context: HotlineContext) -> None:
    """Shows a page of the personal list (Next and Back on the list)."""
    button = BenefitsList.parse(ui.query_data(update))
    await continue_check(update, context, max(button.page, 0) if button is not None else 0)


# -- what is shown ------------------------------------------------------------------
async def continue_check(update: Update, context: HotlineContext, page: int = 0) -> None:
    """The first open question, or the list when everything is answered."""
    answers = answers_of(context)
    for question in QUESTIONS:
        if question.key not in answers.chosen:
            await ask(update, context, question)
            return
    if not answers.household_done:
        await ask_household(update, context)
        return
    await show_list(update, context, answers, page)


async def ask(update: Update, context: HotlineContext, question: Question) -> None:
    index = QUESTIONS.index(question)
    back = BenefitsQuestion(QUESTIONS[index - 1].key).pack() if index else ENTRY.callback_data
    rows = [[ui.button(_(label), BenefitsAnswer(question.key, code).pack())]
            for code, label in question.options]
    rows.append(ui.nav_row(back=back))
    text = _("Question {number} of {count}").format(number=index + 1, count=len(QUESTIONS) + 1)
    await ui.send(update, context, f"{text}\n\n{_(question.text)}", ui.keyboard(rows))


async def ask_household(update: Update, context: HotlineContext) -> None:
    chosen = answers_of(context).household or []
    rows = [[ui.button(("✅ " if member in chosen else "⬜ ") + _(label),
                       BenefitsMember(member).pack())]
            for member, label in MEMBERS]
    done = _("Done ➡️") if chosen else _("None of these ➡️")
    rows.append([ui.button(done, BenefitsMember(DONE).pack())])
    rows.append(ui.nav_row(back=BenefitsQuestion(QUESTIONS[-1].key).pack()))
    count = len(QUESTIONS) + 1
    text = (_("Question {number} of {count}").format(number=count, count=count) + "\n\n"
            + _("Does anyone in your household fit one of these? Tap all that fit, then Done."))
    await ui.send(update, context, text, ui.keyboard(rows))


async def show_list(update: Update, context: HotlineContext, answers: Answers,
                    page: int) -> None:
    pages = list_pages(context, answers)
    page = min(page, len(pages) - 1)
    text = pages[page]
    if len(pages) > 1:
        text += "\n\n" + _("Page {page} of {pages}").format(page=page + 1, pages=len(pages))
    rows: list[list[InlineKeyboardButton]] = []
    if answers.get("loan") == "broker":
        rows.append([ui.button(_("📣 Report this debt"), ReportThis("debt").pack())])
    if page + 1 < len(pages):
        rows.append([next_button(BenefitsList(page + 1).pack())])
    else:
        rows.append([ui.button(_("🔁 Do the check again"), BenefitsStart().pack())])
    back = BenefitsList(page - 1) if page else BenefitsQuestion(HOUSEHOLD)
    rows.append(ui.nav_row(back=back.pack()))
    await ui.send(update, context, text, ui.keyboard(rows))


def list_pages(context: HotlineContext, answers: Answers) -> list[str]:
    """The personal list as messages of at most about PAGE_LIMIT characters.

    The split is the same in Khmer and English (measured in both), so a Next or
    Back button means the same page whatever the language.
    """
    current = list_blocks(context, answers)
    sizes = [len(block) for block in current]
    for language in LANGUAGES:
        with use_language(language):
            sizes = [max(a, len(b))
                     for a, b in zip(sizes, list_blocks(context, answers), strict=True)]
    pages = [[current[0]]]
    used = sizes[0]
    for block, size in zip(current[1:], sizes[1:], strict=True):
        if used + 2 + size <= PAGE_LIMIT:
            pages[-1].append(block)
            used += 2 + size
        else:
            pages.append([block])
            used = size
    return ["\n\n".join(page) for page in pages]


def list_blocks(context: HotlineContext, answers: Answers) -> list[str]:
    """The list's parts in the current language: a heading, then one part per programme."""
    values = facts(context)
    services = personal_list(answers, context.content.topic("benefits"))
    # fact: ILO forced-labour indicators (debt bondage), ILO and PPP 2023 via domain-facts §3,
    # 2026-02
    broker = [_("⚠️ A debt to a broker, an agent or an employer can trap a worker (debt "
                "bondage). Report it to the hotline with the button below: a few safety "
                "questions help staff see how urgent it is.")] \
        if answers.get("loan") == "broker" else []
    if not services and broker:
        return [_("📋 Your list"), *broker]
    if not services:
        return [_("📋 Your list\n\nFrom your answers, nothing on our list fits right now. If your "
                  "situation changes, do the check again. For jobs and questions about work, you "
                  "can always call {mlvt}.").format_map(values)]
    heading = _("📋 Your list\n\nFrom your answers, these may help you. They are places to ask: "
                "we cannot promise what you will get.")
    if answers.get("where") == "th":
        heading += "\n\n" + _("You are still in Thailand: you can ask for most of these once "
                               "you are back in Cambodia. For a problem at work in Thailand, "
                               "call {dlpw_th}.").format_map(values)
    return [heading] + broker + [service_block(number, s)
                                 for number, s in enumerate(services, 1)]


def service_block(number: int | None, service: Service) -> str:
    """One programme: numbered in the personal list, on its own when asked about by name."""
    lines = [f"{number}. {service.name}" if number else f"🤝 {service.name}",
             _("Run by: {who}").format(who=service.runs),
             _("Where to ask: {where}").format(where=service.where)]
    if service.bring:
        lines.append(_("What to bring: {bring}").format(bring=service.bring))
    if service.contact:
        lines.append(_("☎️ Call {number}: {who}").format(number=service.contact.number,
                                                         who=service.contact.who))
    if service.website:
        lines.append(_("🌐 Website: {address}").format(address=service.website.address))
    if service.note:
        lines.append(service.note)
    return "\n".join(lines)


def handlers(exits: Sequence[BaseHandler]) -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_benefits, pattern=ENTRY.pattern),
        CallbackQueryHandler(on_check_started, pattern=BenefitsStart.pattern),
        CallbackQueryHandler(on_question_asked, pattern=BenefitsQuestion.pattern),
        CallbackQueryHandler(on_answer_chosen, pattern=BenefitsAnswer.pattern),
        CallbackQueryHandler(on_member_ticked, pattern=BenefitsMember.pattern),
        CallbackQueryHandler(on_list_page_asked, pattern=BenefitsList.pattern),
    ]


FLOW = Flow(name="benefits", handlers=handlers, menu=(ENTRY,))
