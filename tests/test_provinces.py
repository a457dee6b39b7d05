"""Thailand's provinces in English and Khmer (data/thai_provinces.csv)."""
import pytest

from bot.content.provinces import COLUMNS, ProvinceError, load_provinces
from bot.i18n import use_language


def test_the_list_has_every_province_and_the_common_ones():
    provinces = load_provinces()
    assert len(provinces.all) == 77  # 76 provinces and Bangkok
    common = {p.key for p in provinces.common}
    assert {"bangkok", "chonburi", "rayong", "sa_kaeo", "chanthaburi", "trat", "samut_sakhon",
            "pathum_thani", "nakhon_ratchasima", "songkhla"} == common
    assert all(p.name_km and p.name_en for p in provinces.all)


@pytest.mark.parametrize("typed, key", [
    ("Chonburi", "chonburi"), ("chon buri", "chonburi"), ("ឈូនបុរី", "chonburi"),
    ("ឈូន\u200bបុរី", "chonburi"), ("Korat", "nakhon_ratchasima"), ("BKK", "bangkok"),
    ("sakhon", "samut_sakhon"), ("Tak", "tak"), ("ស្រះកែវ", "sa_kaeo"),
    # misspelt, found like recruiters are: the one clearly closest name
    ("chon bury", "chonburi"), ("ឈូនបូរី", "chonburi"), ("rayon", "rayong"),
    ("bankok", "bangkok"), ("songkla", "songkhla"),
])
def test_typed_names_are_found(typed, key):
    assert load_provinces().match(typed).key == key


@pytest.mark.parametrize("typed", ["Nakhon", "Samut", "xyz", "ab", ""])
def test_unclear_or_unknown_names_are_not_guessed(typed):
    assert load_provinces().match(typed) is None


def test_names_follow_the_language():
    chonburi = load_provinces().get("chonburi")
    with use_language("km"):
        assert chonburi.name == "ឈូនបុរី"
    with use_language("en"):
        assert chonburi.name == "Chonburi"


def test_a_malformed_row_names_the_file_and_line(tmp_path):
    path = tmp_path / "thai_provinces.csv"
    path.write_text(",".join(COLUMNS) + "\n"
                    "rayong,Rayong,រ៉ាយ៉ុង,,yes,source,2026-11\n"
                    "trat,Trat,ត្រាត,,maybe,source,2026-11\n", encoding="utf-8")
    with pytest.raises(ProvinceError, match=r"thai_provinces.csv:3: common must be yes or no"):
        load_provinces.__wrapped__(path)
