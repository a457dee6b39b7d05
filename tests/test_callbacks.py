"""The callback-data codec: packing, parsing, forged data, duplicate prefixes."""
from __future__ import annotations

from typing import Literal

import pytest

from flows.callbacks import KINDS, Callback, token


class OpenThing(Callback, prefix="test:open"):
    thing_id: int


class MenuThing(Callback, prefix="test:menu"):
    key: str = ""


class PickThing(Callback, prefix="test:pick"):
    who: Literal["self", "family"]
    draft: str = token(r"[0-9a-f]{4}")
    sure: bool = False


def test_round_trip_and_shapes() -> None:
    assert OpenThing(42).pack() == "test:open:42"
    assert OpenThing.parse("test:open:42") == OpenThing(42)
    assert PickThing("family", "00ff", True).pack() == "test:pick:family:00ff:1"
    assert PickThing.parse("test:pick:family:00ff:1") == PickThing("family", "00ff", True)
    assert PickThing.parse("test:pick:self:00ff") == PickThing("self", "00ff", False)


def test_defaults_at_the_end_are_left_out_so_old_short_buttons_still_parse() -> None:
    assert MenuThing().pack() == "test:menu"
    assert MenuThing("wage").pack() == "test:menu:wage"
    assert MenuThing.parse("test:menu") == MenuThing()
    assert MenuThing.parse("test:menu:wage") == MenuThing("wage")


@pytest.mark.parametrize("data", [
    None, 5, "", "test:open", "test:open:", "test:open:x", "test:open:1:2", "test:opened:1",
    "xtest:open:1", "test:open:1\n", "test:pick:stranger:00ff", "test:pick:self:zz",
    "test:open:" + "9" * 16,
])
def test_forged_or_stale_data_is_none(data: object) -> None:
    assert OpenThing.parse(data) is None or PickThing.parse(data) is None
    assert OpenThing.parse(data) is None
    assert PickThing.parse(data) is None


def test_pack_refuses_what_parse_would_not_read_back() -> None:
    with pytest.raises(ValueError):
        PickThing("self", "zz").pack()
    with pytest.raises(ValueError):
        MenuThing("a:b").pack()  # ":" would split the field
    with pytest.raises(ValueError):
        MenuThing("ក").pack()  # not ASCII


def test_more_than_64_bytes_is_refused() -> None:
    class LongThing(Callback, prefix="test:long"):
        a: str
        b: str

    with pytest.raises(ValueError, match="64 bytes"):
        LongThing("a" * 30, "b" * 30).pack()


def test_a_prefix_is_registered_once() -> None:
    assert KINDS["test:open"] is OpenThing
    with pytest.raises(ValueError, match="used by OpenThing"):
        class AgainThing(Callback, prefix="test:open"):
            other: int
    assert KINDS["test:open"] is OpenThing


def test_the_handler_pattern_matches_exactly_what_parse_accepts() -> None:
    assert OpenThing.pattern.match("test:open:7")
    assert not OpenThing.pattern.match("test:open:7:8")
