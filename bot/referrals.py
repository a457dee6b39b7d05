"""Organisations staff can refer a case to: taken from the verified directory, never typed.

A partner is every non-emergency number in data/directory.csv and every
organisation in data/websites.csv (an organisation in both is listed once,
with its number). Staff add a partner by adding a verified row there.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.directory import Directory
from bot.i18n import current_language


@dataclass(frozen=True)
class Partner:
    key: str
    name_en: str
    name_km: str
    number: str | None
    address: str | None

    @property
    def name(self) -> str:
        return self.name_km if current_language() == "km" else self.name_en


def partners(directory: Directory) -> list[Partner]:
    found: dict[str, Partner] = {}
    for contact in directory.contacts:
        if not contact.emergency:
            found[contact.key] = Partner(contact.key, contact.who_en, contact.who_km,
                                         contact.number, None)
    for site in directory.websites:
        if site.key in found:
            known = found[site.key]
            found[site.key] = Partner(known.key, known.name_en, known.name_km, known.number,
                                      site.address)
        else:
            # "Name: what they do" in websites.csv; the part before the colon is the name.
            found[site.key] = Partner(site.key, _name(site.who_en, ":"), _name(site.who_km, "៖"),
                                      None, site.address)
    return list(found.values())


def partner(directory: Directory, key: str | None) -> Partner | None:
    return next((p for p in partners(directory) if p.key == key), None) if key else None


def _name(text: str, separator: str) -> str:
    return text.split(separator, 1)[0].strip()
