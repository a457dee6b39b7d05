"""Safe migration: the legal way, costs, contracts, warning signs, keeping documents.

Facts from domain-facts §3 and §4. Never states which border crossings or
channels are open now (§10.6): people are sent to MLVT for that.
"""
from __future__ import annotations

from bot.i18n import N_
from flows.callbacks import Menu, SafeMigrationPage
from flows.registry import Flow, MenuEntry
from flows.returnee.pages import Section, Topic

ENTRY = MenuEntry("migration", N_("🧳 Safe migration"), order=200)

LEGAL = Section("legal", N_("✅ The legal way"), (
    # fact: migra-info.org/2018/08/15/brokers-and-recruitment-agencies (MoU steps, MED);
    # KT 2025-03-06 (MLVT list); domain-facts §3 and §4, 2026-02
    N_("✅ The legal way to work in Thailand\n\n"
       "The legal way is the MoU channel between Cambodia and Thailand:\n"
       "1. A Thai employer asks for workers.\n"
       "2. A recruitment agency with a licence from the Ministry of Labour (MLVT) recruits you.\n"
       "3. You sign a contract, get your documents and travel with the agency.\n\n"
       "Only go with an agency on the official MLVT list. Check the list at {site_mlvt} or "
       "call {mlvt}.\n\n"
       "Rules and border crossings change often. Before you decide, call {mlvt} and ask what "
       "is possible now."),
    # fact: migra-info.org/information-for-migrants/documents (about 2018, MED); Prakas 46/13
    # (apmigration.ilo.org); domain-facts §3, 2026-02
    N_("📄 Documents for the legal way\n\n"
       "You need:\n"
       "• a passport (for it you need your birth certificate, family book and national ID card)\n"
       "• a visa for work in Thailand\n"
       "• an Overseas Cambodian Worker Card (OCWC)\n"
       "• a work contract\n"
       "In Thailand you also get a work permit.\n\n"
       "Before you leave, you should get pre-departure training (orientation) about your job, "
       "your rights and the law. It is part of the legal way: ask the agency when it is."),
))

COSTS = Section("costs", N_("💵 Costs and fees"), (
    # fact: Thai Royal Ordinance amendment 2018, zero recruitment fees (ILO good-practice
    # database); Royal Decree 2016 (thailand-business-news); ILO 2020 and 2024 on fees still
    # paid; domain-facts §3, 2026-02
    N_("💵 What you pay\n\n"
       "Thai law says licensed recruiters must not charge workers recruitment fees. In real "
       "life, many workers are still asked to pay.\n\n"
       "• You should never pay recruitment fees, before or after you sign a contract.\n"
       "• Ask for a written list of every cost and who pays it.\n"
       "• Get a receipt for every payment.\n"
       "• Be careful with loans for the journey: a big debt can trap you.\n\n"
       "If someone wants money first and promises a job later, call {mlvt} to check the agency."),
))

CONTRACT = Section("contract", N_("📝 Check the contract"), (
    N_("📝 Before you sign a contract\n\n"
       "Read it, or ask someone you trust to read it with you. It should say:\n"
       "• the name and address of the employer\n"
       "• the job you will do\n"
       "• the wage, and when it is paid\n"
       "• the working hours and days off\n"
       "• the place where you will work\n"
       "• how long it lasts, and who pays which costs\n\n"
       "Do not sign what you do not understand, and never sign a blank paper. Ask for a copy in "
       "Khmer and keep it. If the job or the wage changes when you arrive, that is a warning sign."),
))

WARNING = Section("warning", N_("⚠️ Warning signs"), (
    # fact: rbbinformationhub.com/human-trafficking (MED); ILO via PPP 2023; PPP "debt-out-work";
    # domain-facts §3, 2026-02
    N_("⚠️ Warning signs of trafficking or a trick\n\n"
       "Be careful if:\n"
       "☐ someone takes your passport or ID card and keeps it\n"
       "☐ the pay promised is much higher than for other jobs\n"
       "☐ you must pay a big fee before you leave\n"
       "☐ you are told to work on a tourist visa\n"
       "☐ you do not know the name or address of the workplace\n"
       "☐ your documents are false or not in your name\n"
       "☐ the contract changes after you arrive\n"
       "☐ you cannot leave, or cannot call your family\n"
       "☐ you are not paid, or your debt keeps growing\n\n"
       "If one of these is true, stop and get advice before you go on."),
    N_("🆘 What to do\n\n"
       "If you have not left yet: do not pay and do not give away your documents. Call {mlvt} "
       "to check the agency or to report it.\n\n"
       "If you or someone else is in danger:\n"
       "• in Cambodia, call the police on {police_kh} (free, even with no phone credit)\n"
       "• in Thailand, call {msdhs_th} (help and trafficking reports, 24 hours) or the police "
       "on {police_th}\n\n"
       "Tell your family where you are and who you are with."),
))

DOCUMENTS = Section("keep", N_("🗂 Keep your documents"), (
    N_("🗂 Keep your own documents\n\n"
       "• Keep your passport, ID card and work permit with you. Do not let an employer, broker "
       "or agent keep them.\n"
       "• Give copies, not the originals.\n"
       "• Take photos of every document and send them to someone in your family.\n"
       "• Write down the address of your workplace and your family's phone numbers.\n"
       "• Save these numbers in your phone: {police_kh} (police in Cambodia), {msdhs_th} and "
       "{police_th} (help and police in Thailand)."),
))

TOPIC = Topic(
    kind=SafeMigrationPage,
    entry=ENTRY,
    intro=N_("🧳 Safe migration\n\nThinking of working in Thailand? Read this first. "
             "Choose a topic:"),
    sections=(LEGAL, COSTS, CONTRACT, WARNING, DOCUMENTS),
    links=((N_("🔎 Check a recruiter"), Menu("recruiters").pack()),),
)

FLOW = Flow(name="safe_migration", handlers=TOPIC.handlers, menu=(ENTRY,))
