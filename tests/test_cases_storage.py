"""storage/cases.py: idempotent creation, references per kind, ownership."""
import pytest

from storage import cases, reporters, users
from storage.cases import Evidence, NewCase
from storage.db import Database


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "cases.sqlite3")
    for person in (1, 2):
        await users.get_or_create(database, person, "km")
    yield database
    await database.close()


def new_case(draft_id: str, kind: str = "W", reporter: int = 1, **extra) -> NewCase:
    return NewCase(kind=kind, draft_id=draft_id, reporter_id=reporter, reporter_language="km",
                   category="wages" if kind == "W" else "other", contact="chat", **extra)


async def test_the_same_draft_makes_one_case(db):
    first, created = await cases.create(db, new_case("a" * 32), [Evidence("photo", "f1", "u1")])
    again, created_again = await cases.create(db, new_case("a" * 32), [Evidence("photo", "f2")])
    assert created and not created_again
    assert again.id == first.id and again.reference == "W-0001"
    assert await db.fetchval("SELECT COUNT(*) FROM cases") == 1
    assert [e.file_id for e in await cases.evidence(db, first.id)] == ["f1"]


async def test_references_count_per_kind(db):
    w1, _ = await cases.create(db, new_case("1" * 32))
    g1, _ = await cases.create(db, new_case("2" * 32, kind="G"))
    w2, _ = await cases.create(db, new_case("3" * 32))
    assert (w1.reference, g1.reference, w2.reference) == ("W-0001", "G-0001", "W-0002")


async def test_a_case_is_stored_with_every_field_and_waits_as_new(db):
    case, _ = await cases.create(db, new_case(
        "4" * 32, kind="G", urgent=True, screener='{"debt": "yes"}', country="TH",
        province="rayong", anonymous=True, phone="+85512345678", reporter_gender="woman"), [])
    stored = await cases.get(db, case.id)
    assert stored.status == "new" and stored.urgent and stored.anonymous
    assert stored.created_at and stored.updated_at and stored.first_response_at is None
    assert stored.province == "rayong" and stored.reporter_gender == "woman"


async def test_nobody_reads_or_adds_to_another_persons_case(db):
    case, _ = await cases.create(db, new_case("5" * 32, reporter=1), [])
    assert await cases.get_own(db, case.id, 2) is None
    assert await cases.by_draft(db, "5" * 32, 2) is None
    assert await cases.list_own(db, 2) == []
    assert not await cases.add_reporter_message(db, case.id, 2, "hello")
    assert not await cases.add_reporter_evidence(db, case.id, 2, Evidence("photo", "x"))
    assert await cases.add_reporter_message(db, case.id, 1, "more news")
    assert await cases.messages(db, case.id) == [("reporter", "more news",
                                                  (await cases.messages(db, case.id))[0][2])]


async def test_gender_is_kept_on_the_person(db):
    assert await reporters.gender(db, 1) is None
    await reporters.set_gender(db, 1, "unsaid")
    assert await reporters.gender(db, 1) == "unsaid"
    with pytest.raises(ValueError):
        await reporters.set_gender(db, 1, "unknown")
