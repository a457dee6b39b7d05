"""The grievance form ("Report a problem", kind G), as its table of steps.

Every grievance goes through the safety questions (flows/forms/screening.py, rules in
bot/content/screener.py); a warning sign marks the case urgent and shows the verified
emergency numbers at once (data/directory.csv).
"""
from __future__ import annotations

from dataclasses import replace

from bot.i18n import N_, _
from flows.callbacks import AnonymityPicked, CategoryPicked, WherePicked
from flows.forms import form, intake_steps, screening, wage_claim
from flows.forms.draft import Draft
from flows.forms.form import Form, Option
from flows.forms.form_steps import Choice, Text, YesNo

KIND = "G"
DESCRIPTION_LIMIT = 3000
PLACE_LIMIT = 200
RECRUITER = "recruiter"
WAGES = "wages"

CATEGORY_CHOICES = [
    Option(RECRUITER, N_("Recruiter or broker: lies or fees")),
    Option("documents", N_("Passport or documents kept")),
    Option("violence", N_("Violence, threats or forced work")),
    Option("debt", N_("Debt and money lenders")),
    Option("harassment", N_("Discrimination or harassment, sexual harassment too")),
    Option(WAGES, N_("Unpaid wages")),
    Option("other", N_("Something else")),
]
COUNTRY_CHOICES = [
    Option("TH", N_("🇹🇭 In Thailand")),
    Option("KH", N_("🇰🇭 In Cambodia")),
    Option("border", N_("🚌 On the way or at the border")),
]
ANONYMOUS_CHOICES = (
    Option("named", N_("👤 Staff may know my name")),
    Option("anonymous", N_("🕶 Keep me anonymous")),
)


def describe_country(draft: Draft) -> str | None:
    answers = draft.answers
    value = form.label_of(COUNTRY_CHOICES, answers.country)
    detail = intake_steps.province_name(answers.province) if answers.country == "TH" \
        else form.shorten(answers.place, 100)
    return _("{label}: {value}").format(label=value, value=detail) if value and detail else value


def stay_anonymous(draft: Draft) -> None:
    """An anonymous report shares no name and gives no phone: staff would know who it is."""
    answers = draft.answers
    if answers.anonymous:
        answers.share_name = False
        answers.phone = None
        if answers.contact == "phone":
            answers.contact = "chat"


GRIEVANCE = Form(KIND, after_answer=screening.warn_if_newly_urgent, steps=[
    Choice(key="category", label=N_("Problem"), button=CategoryPicked, options=CATEGORY_CHOICES,
           question=N_("Report a problem: what you tell me goes to hotline staff only. "
                       "You can go back or cancel at any time.\n\nWhat is the problem about?"),
           switch={WAGES: wage_claim.KIND}),  # unpaid wages: the wage claim form instead
    screening.Safety(),
    replace(intake_steps.RECRUITER_NAME, when=lambda d: d.answers.category == RECRUITER),
    Text(key="description", label=N_("What happened"), limit=DESCRIPTION_LIMIT, voice=True,
         expects="text_or_voice", shows=intake_steps.describe_story,
         question=N_("Tell me what happened, in your own words: what, when, who. "
                     "Type it or send a voice note."),
         # Started from a voice note or a captioned file sent at the menu (case_replies).
         keep=N_("What happened: {story}. Press Keep, or type it or send another voice note."),
         keep_as="story", keep_label=N_("✅ Keep this")),
    intake_steps.EVIDENCE,
    Choice(key="country", label=N_("Where"), button=WherePicked, options=COUNTRY_CHOICES,
           question=N_("Where did it happen?"),
           clears={"TH": ("place",), "KH": ("province",), "border": ("province",)},
           shows=describe_country),
    replace(intake_steps.PROVINCE, parent="country", when=lambda d: d.answers.country == "TH"),
    Text(key="place", label=N_("Place"), parent="country", limit=PLACE_LIMIT, skip=True,
         optional=True, when=lambda d: d.answers.country in ("KH", "border"),
         question=N_("Which place: the province, town or border crossing? "
                     "Type it, or press Skip.")),
    YesNo(key="anonymous", label=N_("Name"), button=AnonymityPicked, options=ANONYMOUS_CHOICES,
          true="anonymous", then=stay_anonymous,
          question=N_("May hotline staff know who you are? If you stay anonymous, your name is "
                      "not kept with this report and is never given to anyone.")),
    *intake_steps.TAIL,
])
