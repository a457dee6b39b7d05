"""The wage claim form ("I was not paid", kind W), as its table of steps.

Family and group complaints are allowed (domain-facts §5), so the first question is
who is reporting. Months are chosen with buttons, never typed.
"""
from __future__ import annotations

from dataclasses import replace

from bot.i18n import N_, _
from flows.callbacks import OwedTicked, RecruiterPicked, SectorPicked, WhoPicked
from flows.forms import form, intake_steps, screening
from flows.forms.draft import Draft
from flows.forms.form import Form, Option
from flows.forms.form_pages import Month, describe_months
from flows.forms.form_steps import Amount, Choice, MultiChoice, Number, Text

KIND = "W"
TEXT_LIMIT = 500
MAX_GROUP = 10_000
YEARS_BACK = 9  # months worked up to this many years ago can be chosen

WHO_CHOICES = [
    Option("self", N_("🙋 Myself: I was not paid")),
    Option("family", N_("👪 A family member was not paid")),
    Option("group", N_("👥 A group of workers was not paid")),
]
SECTOR_CHOICES = [
    Option("construction", N_("Construction")),
    Option("agriculture", N_("Agriculture")),
    Option("factory", N_("Factory")),
    Option("seafood", N_("Fishing or seafood processing")),
    Option("domestic", N_("Domestic or care work")),
    Option("services", N_("Services (shop, restaurant, hotel)")),
    Option("other", N_("Other work")),
]
OWED_CHOICES = [
    Option("wages", N_("Wages")),
    Option("overtime", N_("Overtime pay")),
    Option("severance", N_("Severance pay")),
    Option("deposit", N_("Deposit or guarantee money")),
    Option("documents", N_("Documents the employer kept")),
]
RECRUITER_CHOICES = [
    Option("yes", N_("Yes")),
    Option("no", N_("No")),
    Option("unsure", N_("I am not sure")),
]
# example: how to type an amount, not a fact
AMOUNT_EXAMPLE = N_("For example: 12,500 or ១២៥០០ បាត or 12500 baht or $300. "
                    "Baht is used when you do not name the money.")


def describe_reported_by(draft: Draft) -> str | None:
    value = form.label_of(WHO_CHOICES, draft.answers.reported_by)
    if value and draft.answers.group_size:
        value += " " + _("({count} people)").format(count=draft.answers.group_size)
    return value


def describe_recruiter(draft: Draft) -> str | None:
    value = form.label_of(RECRUITER_CHOICES, draft.answers.recruiter_involved)
    name = draft.answers.recruiter_name
    return _("{label}: {value}").format(label=value, value=form.shorten(name, 100)) \
        if value and name else value


WAGE_CLAIM = Form(KIND, after_answer=screening.warn_if_newly_urgent, steps=[
    Choice(key="reported_by", label=N_("Who"), button=WhoPicked, options=WHO_CHOICES,
           question=N_("I was not paid: I will ask a few short questions so hotline staff can "
                       "help. You can go back or cancel at any time.\n\nWho was not paid?"),
           clears={"self": ("group_size",), "family": ("group_size",)},
           shows=describe_reported_by),
    Number(key="group_size", label=N_("Number of workers"), parent="reported_by",
           when=lambda d: d.answers.reported_by == "group", least=2, most=MAX_GROUP,
           question=N_("How many workers were not paid? Type a number, for example 12."),
           error=N_("Please type how many workers as a number from 2 to {most}, "
                    "for example 12 or ១២.")),
    intake_steps.PROVINCE,
    Text(key="employer", label=N_("Employer"), limit=intake_steps.NAME_LIMIT, summary_limit=100,
         question=N_("What is the name of the employer or company? Type it as you know it, "
                     "in Khmer, Thai or English.")),
    Text(key="workplace", label=N_("Workplace"), limit=TEXT_LIMIT, skip=True, optional=True,
         summary_limit=150, not_given=N_("not given"),
         question=N_("Describe the workplace if you can: the town or district, what the place "
                     "makes or does, a landmark nearby. Or press Skip.")),
    Choice(key="sector", label=N_("Work"), button=SectorPicked, options=SECTOR_CHOICES,
           per_row=2, question=N_("What kind of work was it?")),
    Month(key="first_month", label=N_("Months worked"), years_back=YEARS_BACK,
          question=N_("When did you start working there? Choose the year."),
          shows=describe_months("first_month", "last_month")),
    Month(key="last_month", label=N_("Last month worked"), parent="first_month",
          years_back=YEARS_BACK, not_before="first_month",
          question=N_("When did you last work there? Choose the year.")),
    MultiChoice(key="owed", label=N_("What is owed"), button=OwedTicked, options=OWED_CHOICES,
                question=N_("What does the employer owe you? Press everything that applies, "
                            "then press Next."),
                next_label=N_("➡️ Next"), none_ticked=N_("Please press at least one thing, then Next.")),
    Amount(key="amount", label=N_("Amount"), example=AMOUNT_EXAMPLE,
           question=N_("About how much money are you owed in total? Type the amount."),
           skip=N_("⏭ Skip: I do not know")),
    Choice(key="recruiter_involved", label=N_("Recruiter or broker"), button=RecruiterPicked,
           options=RECRUITER_CHOICES, per_row=3,
           question=N_("Did a recruiter, broker or agency find you this job?"),
           clears={"no": ("recruiter_name",), "unsure": ("recruiter_name",)},
           shows=describe_recruiter),
    replace(intake_steps.RECRUITER_NAME, parent="recruiter_involved",
            when=lambda d: d.answers.recruiter_involved == "yes"),
    screening.Safety(),
    Text(key="wage_description", field_name="description", label=N_("What happened"),
         limit=intake_steps.STORY_LIMIT, voice=True, skip=True, skip_clears=False,
         optional=True, expects="text_or_voice", shows=intake_steps.describe_story,
         not_given=N_("not given"),
         question=N_("What happened? Tell us in your own words (you can also send a voice "
                     "message). Or press Skip.")),
    intake_steps.EVIDENCE,
    *intake_steps.TAIL,
])
