"""Every string the code shows is in messages.pot and translated into Khmer."""
from bot.admin import catalogs


def test_catalogs_are_complete_and_in_sync_with_the_code():
    problems = catalogs.problems()
    assert problems == [], "\n".join(problems[:30])


def test_the_check_notices_a_missing_khmer_translation(tmp_path, monkeypatch):
    km = catalogs.read(catalogs.po_path("km"), "km")
    message = km.get("Choose your language:")
    message.string = ""
    broken = tmp_path / "km" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(catalogs.render(km))
    real_po_path = catalogs.po_path
    monkeypatch.setattr(catalogs, "po_path",
                        lambda lang: broken if lang == "km" else real_po_path(lang))
    assert "km: untranslated 'Choose your language:'" in catalogs.problems()


def test_the_check_notices_fuzzy_and_placeholder_mistakes(tmp_path, monkeypatch):
    km = catalogs.read(catalogs.po_path("km"), "km")
    km.get("This hotline is run by {operator}.").string = "សេវាជំនួយនេះ ដំណើរការដោយ {name}។"
    km.get("Change language").flags.add("fuzzy")
    broken = tmp_path / "messages.po"
    broken.write_bytes(catalogs.render(km))
    real_po_path = catalogs.po_path
    monkeypatch.setattr(catalogs, "po_path",
                        lambda lang: broken if lang == "km" else real_po_path(lang))
    problems = catalogs.problems()
    assert "km: placeholders differ in 'This hotline is run by {operator}.'" in problems
    assert "km: fuzzy 'Change language'" in problems
