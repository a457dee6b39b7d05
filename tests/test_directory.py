"""The verified phone directory: loaded, validated, and only §1a numbers."""
import pytest

from bot.content.directory import DirectoryError, load_directory
from bot.i18n import use_language
from bot.resources import data_file

DIRECTORY_PATH = data_file("directory.csv")
WEBSITES_PATH = data_file("websites.csv")

# domain-facts.md §1a: the numbers the bot may give. 1288 must never appear.
VERIFIED = {"1297", "1286", "117", "1280", "1546", "1506", "1300", "191", "1669", "1155"}


def test_shipped_directory_holds_only_verified_numbers():
    directory = load_directory()
    assert directory.numbers <= VERIFIED
    assert {"1297", "117", "191", "1300", "1669"} <= directory.numbers
    for contact in directory.contacts:
        assert contact.source and contact.checked


def test_contacts_speak_the_current_language():
    contact = load_directory()["police_kh"]
    with use_language("km"):
        assert contact.who == "នគរបាលជាតិកម្ពុជា"
    with use_language("en"):
        assert contact.who == "Cambodian National Police"


@pytest.mark.parametrize("mutate, message", [
    (lambda rows: rows[3].replace(",117,", ",11x7,"), "number"),
    (lambda rows: rows[3].replace(",KH,", ",XX,"), "country"),
    (lambda rows: rows[3].replace(",2026-02", ",Feb 2026"), "checked"),
    (lambda rows: rows[3].replace(",yes,", ",maybe,"), "emergency"),
    (lambda rows: rows[3] + ",extra", "columns"),
])
def test_a_malformed_file_names_the_line_at_fault(tmp_path, mutate, message):
    rows = DIRECTORY_PATH.read_text(encoding="utf-8").splitlines()
    line = 4
    assert ",117," in rows[line - 1]
    rows[line - 1] = mutate(rows)
    path = tmp_path / "directory.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DirectoryError) as error:
        load_directory(path)
    assert f"directory.csv:{line}:" in str(error.value)
    assert message in str(error.value)


def test_a_duplicate_number_is_refused(tmp_path):
    rows = DIRECTORY_PATH.read_text(encoding="utf-8").splitlines()
    rows.append(rows[1].replace("mlvt,", "mlvt_again,", 1))
    path = tmp_path / "directory.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=f"directory.csv:{len(rows)}: number 1297 appears twice"):
        load_directory(path)


def test_websites_are_loaded_with_their_sources():
    directory = load_directory()
    assert directory.website("mlvt").address == "www.mlvt.gov.kh"
    assert directory.addresses >= {"www.mlvt.gov.kh", "idpoor.gov.kh"}
    for website in directory.websites:
        assert website.source and website.checked


def test_a_malformed_website_row_names_the_line(tmp_path):
    rows = WEBSITES_PATH.read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace("idpoor.gov.kh,", "idpoor gov kh,", 1)
    path = tmp_path / "websites.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"websites\.csv:3: address"):
        load_directory(websites_path=path)


def test_a_quoted_cell_keeps_its_line_break_and_later_lines_are_counted(tmp_path):
    from bot.content.datafile import DataFileError, read_rows
    path = tmp_path / "two.csv"
    path.write_text('key,text,checked\none,"first line\nsecond line",2026-02\ntwo,,2026-02\n',
                    encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        read_rows(path, ["key", "text", "checked"], DataFileError)
    assert f"{path}:4: text is empty" in str(error.value)  # the row after the two-line cell
    path.write_text('key,text,checked\none,"first line\nsecond line",2026-02\n', encoding="utf-8")
    [(where, row)] = read_rows(path, ["key", "text", "checked"], DataFileError)
    assert row["text"] == "first line\nsecond line" and where.endswith(":2")


def test_an_unclosed_quote_stops_with_file_and_line(tmp_path):
    from bot.content.datafile import DataFileError, read_rows
    path = tmp_path / "bad.csv"
    path.write_text('key,text,checked\none,ok,2026-02\ntwo,"never closed,2026-02\n',
                    encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        read_rows(path, ["key", "text", "checked"], DataFileError)
    assert f"{path}:" in str(error.value)
