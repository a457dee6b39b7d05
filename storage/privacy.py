"""A person's data rights in the database: what is stored about them (/mydata), deleting it
(/delete), erasing the details of old closed cases (retention), and redacting one message.

What a case keeps after erasure is exactly what the anonymous export shows
(storage.reports.REPORT_COLUMNS: category, province, dates, status, outcome, amounts
...). Everything else that a person wrote or that points at them is wiped: the
ERASED_COLUMNS, the case's messages, evidence file ids and staff notes, and the link to
the person (reporter_id moves to NOBODY, a users row that is no one).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from storage import desk, followups, outbox
from storage.clock import from_text, now_text, to_text
from storage.db import Connection, Database, Row

NOBODY = 0  # users row that owns the cases of people who deleted their data
# Free text, file ids, contact details and names: set to NULL when a case is erased.
ERASED_COLUMNS = ("place", "employer", "workplace", "first_month", "last_month",
                  "recruiter_involved", "recruiter_name", "description", "description_voice",
                  "screener", "phone", "reporter_name")
REDACTED = "[redacted]"
REDACTED_FILE = "redacted"  # case_evidence.file_id of a redacted file
RETENTION_JOB = "retention"
# Telegram lets a bot delete a message for 48 hours; older copies are edited instead (an
# hour in hand for the time the row waits in the outbox).
DELETE_WITHIN = timedelta(hours=47)


@dataclass
class Deletion:
    """What /delete did: ids only, for the log and for telling the staff threads."""

    user_id: int
    found: bool  # False: there was nothing left to delete
    case_ids: list[int] = field(default_factory=list)
    closed_case_ids: list[int] = field(default_factory=list)  # open cases closed (withdrawn)


def alias_code(case_id: int, draft_id: str) -> str:
    """Four hex digits naming an anonymous reporter to staff ('7F3A'), stable per case.

    Keyed by the case's random draft id, so it cannot be worked out from the reference.
    """
    return hashlib.sha256(f"{case_id}:{draft_id}".encode()).hexdigest()[:4].upper()


# -- /mydata ----------------------------------------------------------------------------------
async def stored_about(db: Database, user_id: int) -> dict | None:
    """Everything the database holds about the person (JSON-ready); None if nothing."""
    user = await db.fetchone(
        "SELECT language, language_chosen, first_seen, last_seen, consent_at, gender,"
        " home_province, unreachable_at, deleted_at FROM users WHERE telegram_id = ?", (user_id,))
    if user is None or user["deleted_at"] is not None or user_id == NOBODY:
        return None
    profile = {key: user[key] for key in user.keys() if key != "deleted_at"}  # noqa: SIM118 a row iterates values
    profile["telegram_id"] = user_id
    profile["language_chosen"] = bool(profile["language_chosen"])
    subscription = await db.fetchone(
        "SELECT subscribed, province, asked_at, changed_at FROM subscribers"
        " WHERE telegram_id = ?", (user_id,))
    alerts = None if subscription is None else dict(subscription, subscribed=bool(
        subscription["subscribed"]))
    queued = await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND broadcast_id IS NOT NULL"
        " AND status = 'queued'", (user_id,))
    received = await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND broadcast_id IS NOT NULL"
        " AND status = 'sent'", (user_id,))
    reports = []
    for row in await db.fetchall(
            "SELECT * FROM cases WHERE reporter_id = ? ORDER BY id", (user_id,)):
        reports.append(await _case_data(db, row))
    return {"profile": profile, "alerts": alerts,
            "alert_deliveries": {"received": received, "waiting": queued},
            "reports": reports}


_CASE_KEYS = (
    "kind", "category", "status", "outcome", "reported_by", "group_size", "urgent",
    "urgent_reasons", "country",
    "province", "place", "employer", "workplace", "sector", "first_month", "last_month", "owed",
    "amount", "currency", "recruiter_involved", "recruiter_name", "description",
    "description_voice", "anonymous", "contact", "phone", "share_name", "reporter_name",
    "reporter_gender", "home_province", "reporter_language", "recovered_amount", "recovered_currency",
    "referred_to", "created_at", "updated_at", "closed_at",
)


async def _case_data(db: Database, row: Row) -> dict[str, Any]:
    data = {key: row[key] for key in _CASE_KEYS}
    for flag in ("urgent", "anonymous", "share_name"):
        data[flag] = bool(data[flag])
    data["screener"] = json.loads(row["screener"]) if row["screener"] else None
    data["reference"] = f"{row['kind']}-{row['seq']:04d}"
    data["id"] = row["id"]
    data["messages"] = [dict(r) for r in await db.fetchall(
        "SELECT sender, text, created_at FROM case_messages WHERE case_id = ? ORDER BY id",
        (row["id"],))]
    data["evidence"] = [dict(r) for r in await db.fetchall(
        "SELECT kind, file_id, added_at FROM case_evidence WHERE case_id = ? ORDER BY id",
        (row["id"],))]
    return data


# -- /delete ----------------------------------------------------------------------------------
async def delete_person(db: Database, user_id: int) -> Deletion:
    """Delete what the hotline keeps about the person, in one transaction.

    Their cases are erased (statistics stay), open ones closed as withdrawn; their
    alert subscription and every alert delivery to them go; the persisted session
    (user_data, conversation positions) goes; the users row stays as a tombstone with
    deleted_at set and nothing else, so proactive senders skip them.
    """
    now = now_text()
    result = Deletion(user_id, found=False)
    if user_id == NOBODY:
        return result
    async with db.transaction() as conn:
        async with conn.execute(
                "SELECT consent_at, gender, deleted_at FROM users WHERE telegram_id = ?",
                (user_id,)) as cur:
            user = await cur.fetchone()
        async with conn.execute(
                "SELECT id, status FROM cases WHERE reporter_id = ? ORDER BY id",
                (user_id,)) as cur:
            owned = list(await cur.fetchall())
        result.case_ids = [row["id"] for row in owned]
        result.closed_case_ids = [row["id"] for row in owned if row["status"] != "closed"]
        for case_id in result.closed_case_ids:
            await conn.execute(
                "UPDATE cases SET status = 'closed', outcome = 'withdrawn', closed_at = ?,"
                " escalation_open = 0, updated_at = ? WHERE id = ?", (now, now, case_id))
            await desk.audit(conn, None, case_id, "close", "outcome=withdrawn by=deletion")
        await erase_cases(conn, result.case_ids, now)
        for case_id in result.case_ids:
            await desk.audit(conn, None, case_id, "person_deleted", None)
        # The "I need help now" alert that named them: deleted, or edited when too old.
        await _purge(conn, await outbox.forget_person(conn, user_id), [], now, person_id=user_id)
        async with conn.execute(
                "SELECT (SELECT COUNT(*) FROM subscribers WHERE telegram_id = ?)"
                " + (SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND broadcast_id IS NOT NULL)",
                (user_id, user_id)) as cur:
            other_rows = (await cur.fetchone())[0]
        await conn.execute("DELETE FROM subscribers WHERE telegram_id = ?", (user_id,))
        # Queued alerts are cancelled; past ones are forgotten (broadcast figures drop them).
        await conn.execute("DELETE FROM outbox WHERE chat_id = ? AND broadcast_id IS NOT NULL",
                           (user_id,))
        await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
        await conn.execute("DELETE FROM ptb_conversations WHERE key = ?",
                           (json.dumps([user_id, user_id]),))
        await conn.execute(
            "UPDATE users SET language = 'km', language_chosen = 0, first_seen = ?,"
            " last_seen = ?, consent_at = NULL, gender = NULL, home_province = NULL,"
            " unreachable_at = NULL,"
            " reminders_off_at = NULL,"
            " deleted_at = COALESCE(deleted_at, ?) WHERE telegram_id = ?",
            (now, now, now, user_id))
        result.found = bool(owned or other_rows or (
            user is not None and (user["consent_at"] or user["gender"])))
    return result


async def erase_cases(conn: Connection, case_ids: list[int], now: str) -> None:
    """Wipe personal details of these cases, keeping anonymous statistics (inside a
    transaction)."""
    if not case_ids:
        return
    marks = ", ".join("?" for _ in case_ids)
    wiped = ", ".join(f"{column} = NULL" for column in ERASED_COLUMNS)
    await conn.execute(
        f"UPDATE cases SET {wiped}, reporter_id = ?, contact = 'none', share_name = 0,"
        f" erased_at = COALESCE(erased_at, ?) WHERE id IN ({marks})",
        (NOBODY, now, *case_ids))
    for table in ("case_messages", "case_evidence", "case_notes"):
        await conn.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", case_ids)
    # Nothing more is sent about an erased case, and staff's follow-up words may name people.
    for case_id in case_ids:
        await followups.cancel_pending(conn, case_id, None, "personal details erased")
    await conn.execute(f"UPDATE followups SET text = '[erased]' WHERE kind = 'staff'"
                       f" AND case_id IN ({marks})", case_ids)
    # The link to the person goes too: an old follow-up button of theirs answers nothing.
    await conn.execute(f"UPDATE followups SET person_id = ?, message_id = NULL"
                       f" WHERE case_id IN ({marks})", (NOBODY, *case_ids))
    # Every copy the bot posted in the staff group about the case (relays, files, reminder
    # cards, warnings) and every message linked to its thread is deleted, or edited when it
    # is too old to delete; the card itself is edited to show the erasure.
    copies = {case_id: await outbox.posted_copies(conn, "case_id = ?", (case_id,))
              for case_id in case_ids}
    # Outbox rows hold what people wrote: queued ones are not sent, sent ones forget it.
    await conn.execute(f"DELETE FROM outbox WHERE status = 'queued' AND case_id IN ({marks})",
                       case_ids)
    await conn.execute(f"UPDATE outbox SET payload = '{{}}' WHERE case_id IN ({marks})",
                       case_ids)
    for case_id in case_ids:
        async with conn.execute(
                "SELECT l.chat_id, l.message_id FROM case_links l JOIN case_threads t"
                " ON t.case_id = l.case_id WHERE l.case_id = ?"
                " AND (t.card_message_id IS NULL OR l.message_id != t.card_message_id)",
                (case_id,)) as cur:
            linked = [(r[0], r[1]) for r in await cur.fetchall()]
        await _purge(conn, copies[case_id], linked, now, case_id=case_id)


async def _purge(conn: Connection, copies: list[outbox.Copy], linked: list[tuple[int, int]], now: str, *,
                 case_id: int | None = None, person_id: int | None = None) -> None:
    """Queue the removal of these copies (and linked messages) from the staff group, one
    outbox row per chat: recent ones deleted, older copies the bot posted edited."""
    cutoff = to_text(from_text(now) - DELETE_WITHIN)
    old = {(c.chat_id, c.message_id) for c in copies if c.sent_at < cutoff}
    card = None
    if case_id is not None:
        async with conn.execute("SELECT card_message_id FROM case_threads WHERE case_id = ?",
                                (case_id,)) as cur:
            found = await cur.fetchone()
        card = found[0] if found else None
    chats = {chat for chat, _ in linked} | {c.chat_id for c in copies}
    for chat in sorted(chats):
        delete = [m for c, m in linked if c == chat and (c, m) not in old]
        delete += [c.message_id for c in copies if c.chat_id == chat
                   and (chat, c.message_id) not in old and c.message_id != card]
        edit = [c for c in copies if c.chat_id == chat and (chat, c.message_id) in old
                and c.message_id != card]
        if delete or edit:
            await outbox.add(conn, outbox.purge(chat, delete, edit, case_id, person_id))


async def is_deleted(db: Database, user_id: int) -> bool:
    return bool(await db.fetchval(
        "SELECT deleted_at IS NOT NULL FROM users WHERE telegram_id = ?", (user_id,)))


# -- retention --------------------------------------------------------------------------------
async def erase_expired(db: Database, closed_before: str, now: str) -> list[int]:
    """Erase the details of every case closed before `closed_before`; returns their ids."""
    async with db.transaction() as conn:
        async with conn.execute(
                "SELECT id FROM cases WHERE status = 'closed' AND closed_at < ?"
                " AND erased_at IS NULL ORDER BY id", (closed_before,)) as cur:
            case_ids = [row["id"] for row in await cur.fetchall()]
        await erase_cases(conn, case_ids, now)
        for case_id in case_ids:
            await desk.audit(conn, None, case_id, "retention_erase", None)
    return case_ids


async def last_run(db: Database, job: str) -> str | None:
    return await db.fetchval("SELECT last_run FROM job_runs WHERE name = ?", (job,))


async def set_last_run(db: Database, job: str, at: str) -> None:
    async with db.transaction() as conn:
        await record_run(conn, job, at)


async def record_run(conn: Connection, job: str, at: str) -> None:
    """The job ran at `at` (inside the caller's transaction, with what the run queued)."""
    await conn.execute(
        "INSERT INTO job_runs(name, last_run) VALUES (?, ?)"
        " ON CONFLICT(name) DO UPDATE SET last_run = excluded.last_run", (job, at))


# -- redaction --------------------------------------------------------------------------------
async def redact(db: Database, case_id: int, staff_id: int, staff_message_id: int, kind: str,
                 text: str | None = None, file_ids: list[str] | tuple = ()) -> int:
    """Redact what a thread message showed: stored messages of the case that read `text`
    become REDACTED, evidence with these file ids (and the description voice) is forgotten.
    One audit entry, without the content. Returns how many stored items changed.

    A long text also matches by its start: the thread copy of a message near Telegram's
    length limit was cut.
    """
    changed = 0
    async with db.transaction() as conn:
        if text:
            async with conn.execute(
                    "UPDATE case_messages SET text = ? WHERE case_id = ? AND text != ?"
                    " AND (text = ? OR (length(?) >= 200 AND substr(text, 1, length(?)) = ?))",
                    (REDACTED, case_id, REDACTED, text, text, text, text)) as cur:
                changed += cur.rowcount
        for file_id in file_ids:
            async with conn.execute(
                    "UPDATE case_evidence SET file_id = ?, file_unique_id = NULL"
                    " WHERE case_id = ? AND (file_unique_id = ? OR file_id = ?)",
                    (REDACTED_FILE, case_id, file_id, file_id)) as cur:
                changed += cur.rowcount
            async with conn.execute(
                    "UPDATE cases SET description_voice = NULL"
                    " WHERE id = ? AND description_voice = ?", (case_id, file_id)) as cur:
                changed += cur.rowcount
        await desk.audit(conn, staff_id, case_id, "redact",
                         f"message={staff_message_id} kind={kind} stored={changed}")
    return changed
