"""A registry file for tests: official-looking but fictional (source is not SAMPLE)."""
from __future__ import annotations

from pathlib import Path

from bot.content.recruiter_registry import parse_registry
from storage import recruiters as registry_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FILE = ROOT / "data" / "recruiters-sample.csv"
HEADER = "licence_no,name_latin,name_khmer,aliases,status,valid_until,destinations,address,source,as_of\n"
TEST_LIST = HEADER + (
    'TH-0101/2025,"Bright Harvest Manpower Co., Ltd",ក្រុមហ៊ុន ពន្លឺចំការ,Bright Harvest,active,'
    '2030-12-31,Thailand;Japan,,Test list (fictional),2026-10-01\n'
    'TH-0102/2025,"River Crane Recruitment Co., Ltd",ក្រុមហ៊ុន ក្រៀលទន្លេ,,suspended,2030-06-30,'
    'Thailand,,Test list (fictional),2026-10-01\n'
    'TH-0103/2025,"Jade Mountain Workers Co., Ltd",,,active,2030-01-31,Malaysia,,'
    'Test list (fictional),2026-10-01\n'
    'TH-0104/2025,"Jade Fountain Workers Co., Ltd",,,revoked,2029-01-31,Malaysia,,'
    'Test list (fictional),2026-10-01\n'
    'TH-0105/2025,Old Temple Manpower,ក្រុមហ៊ុន ប្រាសាទចាស់,,active,2020-01-31,Thailand,,'
    'Test list (fictional),2026-10-01\n'
)


async def load(db, text: str = TEST_LIST, name: str = "test-list.csv") -> int:
    registry = parse_registry(text.encode("utf-8"))
    return await registry_store.replace_registry(
        db, registry.recruiters, file_name=name, is_sample=registry.is_sample)


async def load_sample(db) -> int:
    return await load(db, SAMPLE_FILE.read_text(encoding="utf-8"), SAMPLE_FILE.name)
