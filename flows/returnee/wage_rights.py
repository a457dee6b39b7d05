"""Unpaid wages: your rights. Information only; reporting a claim is a flow of its own.

Facts from domain-facts §5: the Thai labour inspector of the province where the
person worked, the DLPW hotline (for people still in Thailand: no source says 1546
can be dialled from Cambodia), the Labour Court without court fees, "claims generally
expire two years after the wages were due". Who can help comes from data/partners.csv.
"""
from __future__ import annotations

from bot.i18n import N_
from flows.callbacks import Menu, WageRightsPage
from flows.registry import Flow, MenuEntry
from flows.returnee.pages import Section, Topic

ENTRY = MenuEntry("wages", N_("💰 Unpaid wages: your rights"), order=500)

PAGES = (
    # fact: LPA B.E. 2541 s.123 (library.siam-legal.com); mol.go.th (1546); Labour Court Act
    # B.E. 2522 via ibc-firm.com and siamcenterlawgroup; domain-facts §5 (LPA No. 9, in force
    # 2025-12-07, reviewed 2026-12 in law-firm summaries: no change to s.123-125), 2026-02
    N_("💰 Unpaid wages: your rights\n\n"
       "If your employer in Thailand did not pay all your wages, that money is still yours, "
       "even after you came home.\n\n"
       "In Thailand, a complaint goes to the labour inspector of the province where you worked "
       "(the Labour Protection and Welfare Office). If you are still in Thailand, you can also "
       "call the Thai labour hotline {dlpw_th} for advice and complaints. It is not confirmed "
       "that anyone there speaks Khmer.\n\n"
       "The Thai Labour Court charges no court fees. A lawyer, travel and time away from work "
       "can still cost money."),
    # fact: CCC s.193/34(9) via zero-asia.biz (MED); Labour Court: a case is struck out when
    # the plaintiff does not appear (ibc-firm.com, bday.net); domain-facts §5 and §10.4, 2026-02
    N_("⏳ Act quickly\n\n"
       "Wage claims generally expire two years after the wages were due. The sooner you start, "
       "the easier it is to find the employer and the proof.\n\n"
       "If you are already back in Cambodia, you usually need someone in Thailand to act for "
       "you, such as an organisation or a union. A case can be stopped if nobody comes to the "
       "hearings, so do not try it alone."),
    N_("📁 Keep the proof\n\n"
       "Keep everything that shows your work and your pay:\n"
       "• payslips and any paper about your wages\n"
       "• your contract\n"
       "• photos of the workplace, your work permit and your passport\n"
       "• messages with the employer, the supervisor or the broker\n"
       "• the name and address of the employer or the company\n"
       "• the dates you worked and how much you were not paid\n\n"
       "Take photos of your papers and send them to someone you trust, so they are not lost."),
    N_("🤝 Who can help\n\n"
       "{partners_wages}\n\n"
       "Report your unpaid wages here (💸 I was not paid) and hotline staff will look at what "
       "can be done. Nobody can promise that the money will be paid, but asking early gives you "
       "the best chance."),
)

TOPIC = Topic(
    kind=WageRightsPage,
    entry=ENTRY,
    sections=(Section("rights", ENTRY.label, PAGES),),
    links=((N_("💸 Report unpaid wages"), Menu("wage").pack()),),
)

FLOW = Flow(name="wage_rights", handlers=TOPIC.handlers, menu=(ENTRY,))
