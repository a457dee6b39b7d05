"""Steps both report forms share: province in Thailand, recruiter name, evidence, contact,
phone, sharing the name with partners, and the reporter's home province (in Cambodia) and
gender, each asked once per person."""
from __future__ import annotations

from bot.content.provinces import load_provinces
from bot.content.provinces_kh import provinces as home_provinces
from bot.i18n import N_, _
from flows.callbacks import (
    ContactPicked,
    GenderPicked,
    HomePicked,
    ProvincePicked,
    SharePicked,
)
from flows.forms import form
from flows.forms.draft import Draft
from flows.forms.form import Option, Step
from flows.forms.form_pages import (  # noqa: F401  (re-exported for My cases and case replies)
    EVIDENCE_FILTER,
    Files,
    Phone,
    evidence_of,
)
from flows.forms.form_steps import NEW, TEXT, Choice, Text, YesNo  # noqa: F401  (NEW, TEXT: the same)
from storage import reporters

NAME_LIMIT = 200
STORY_LIMIT = 3000  # characters of a description (what happened)
MAX_EVIDENCE = 50


# -- province in Thailand -------------------------------------------------------
def province_options(draft: Draft) -> list[Option]:
    return [Option(p.key, p.name, named=True) for p in load_provinces().common]


def typed_province(text: str) -> str | None:
    """The typed province by its English or Khmer name (or a clear part of it)."""
    province = load_provinces().match(text)
    return province.key if province else None


def province_name(key: str | None) -> str | None:
    if key == "unknown":
        return _("not sure")
    province = load_provinces().get(key)
    return province.name if province else None


PROVINCE = Choice(
    key="province", label=N_("Province in Thailand"), button=ProvincePicked,
    question=N_("In which province of Thailand did you work? Choose below, or type the name."),
    options=province_options, per_row=2,
    below=(Option("other", N_("✍️ Another province: type its name"), prompt=N_(
               "Please type the name of the province, for example: Chonburi or ឈូនបុរី.")),
           Option("unknown", N_("🤷 I am not sure"))),
    accepts=lambda value: load_provinces().get(value) is not None,  # one not shown as a button
    typed=typed_province, typed_error=N_(
        "I could not find that province. Please check the spelling, "
        "for example: Rayong or រ៉ាយ៉ុង, or choose a button."),
    shows=lambda d: province_name(d.answers.province), expects="text",
)

# -- recruiter or broker name -------------------------------------------------------
RECRUITER_NAME = Text(
    key="recruiter_name", label=N_("Recruiter or broker"), limit=NAME_LIMIT, optional=True,
    question=N_("What is the name of the recruiter, broker or company? "
                "Type it, or press Skip if you do not know."), skip=True,
    keep=N_("The recruiter, broker or company: {name}. Press Keep, or type another name."),
    keep_label=N_("✅ Keep this name"), summary_limit=100, not_given=N_("name not given"),
)

# -- evidence ---------------------------------------------------------------------
EVIDENCE = Files(
    key="evidence", label=N_("Proof"), most=MAX_EVIDENCE, story_limit=STORY_LIMIT,
    question=N_("Do you have proof? For example photos of payslips, a contract, messages, "
                "or a voice note. Send them here, as many as you like, then press Done. "
                "No proof? Just press Done."),
)


def describe_story(draft: Draft) -> str | None:
    """What happened: the words, and whether a voice note tells it."""
    text = form.shorten(draft.answers.description, 300)
    if draft.answers.description_voice:
        return _("a voice note") + (f"; {text}" if text else "")
    return text


# -- contact ----------------------------------------------------------------------
CONTACT_CHOICES = [
    Option("chat", N_("💬 Write to me in this chat")),
    Option("phone", N_("📞 Call me on my phone")),
    Option("none", N_("🚫 Do not contact me")),
]


def contact_options(draft: Draft) -> list[Option]:
    if draft.answers.anonymous:  # a phone number would tell staff who it is
        return [c for c in CONTACT_CHOICES if c.value != "phone"]
    return CONTACT_CHOICES


def describe_contact(draft: Draft) -> str | None:
    value = form.label_of(CONTACT_CHOICES, draft.answers.contact)
    phone = draft.answers.phone
    return f"{value} ({phone})" if value and phone else value


CONTACT = Choice(
    key="contact", label=N_("Contact"), button=ContactPicked,
    question=N_("How may hotline staff contact you about this report?"),
    options=contact_options, clears={"chat": ("phone",), "none": ("phone",)},
    shows=describe_contact,
)
PHONE = Phone(key="phone", label=N_("Phone"), parent="contact",
              when=lambda d: d.answers.contact == "phone")

# -- sharing the name with partner organisations ---------------------------------------
SHARE_CHOICES = (Option("yes", N_("✅ Yes, they may share my name")),
                 Option("no", N_("🔒 No, keep my name with the hotline")))
SHARE_NAME = YesNo(
    key="share_name", label=N_("Partner organisations"), button=SharePicked,
    question=N_("Sometimes a partner organisation (for example legal help) can do more. "
                "May hotline staff give them your name for this report?"),
    options=SHARE_CHOICES, true="yes", when=lambda d: not d.answers.anonymous,
)

# -- gender and home province (once per person) ------------------------------------------
GENDER_CHOICES = [
    Option("woman", N_("Woman")),
    Option("man", N_("Man")),
    Option("other", N_("Other")),
    Option("unsaid", N_("⏭ I prefer not to say")),
]
GENDER = Choice(
    key="gender", label=N_("Gender"), button=GenderPicked, per_row=3, optional=True,
    question=N_("One more question, which you may skip. Are you a woman or a man? "
                "It helps the hotline show that help reaches women and men. "
                "I ask only once."),
    options=GENDER_CHOICES, remember=reporters.set_gender, when=lambda d: d.ask_gender,
)


def home_options(draft: Draft) -> list[Option]:
    return [Option(p.key, p.name, named=True) for p in home_provinces().all]


def home_province_name(key: str | None) -> str | None:
    if key == "unsaid":
        return _("not given")
    province = home_provinces().get(key)
    return province.name if province else None


HOME_PROVINCE = Choice(
    key="home_province", label=N_("Home province (where you live now)"), button=HomePicked,
    question=N_("Which province do you live in now, in Cambodia? You may skip this. It helps "
                "the hotline show in which provinces people need help. I ask only once."),
    options=home_options, per_row=2, below=(Option("unsaid", N_("⏭ I prefer not to say")),),
    remember=reporters.set_home_province, optional=True, when=lambda d: d.ask_home,
    shows=lambda d: home_province_name(d.answers.home_province),
)

TAIL: tuple[Step, ...] = (CONTACT, PHONE, SHARE_NAME, HOME_PROVINCE, GENDER)  # both forms end so
