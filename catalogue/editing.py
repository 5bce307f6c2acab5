"""The secretariat's edits: validated, optimistically locked, audited, indexed.

Contracts:

* :meth:`Editor.save` refuses a record whose ``version`` is not the stored one
  (someone saved in between) with :class:`Conflict`, which carries the field-by-
  field difference; nothing is written.
* Validation goes beyond the model's: ICS codes must exist, relations must name
  records in the catalogue.
* Every committed change writes one audit entry (who, when, what changed, field
  by field) in the same transaction, then updates the index by key.  If the
  process dies between the two, the index watermark repairs it at start-up.
* The audit log is append-only (SQLite triggers refuse UPDATE and DELETE).
* :meth:`Editor.confirm` records a status or a title the secretariat confirmed
  from a named source: the source joins the record's sources, the status gets the
  basis ``official`` (the official catalogue page) or ``stated`` (any other
  source) with that source as its evidence, and the change goes through
  :meth:`Editor.save` (validation, version check, audit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from typing import Any

from catalogue.errors import InvalidInput, NotFound, ValidationError
from catalogue.model import SCALAR_FIELDS, STATUSES, Standard, validate

__all__ = ["CONFIRM_KINDS", "Conflict", "Editor", "diff"]

# The kinds of source a confirmation may name: (raw kind stored on the source, its trust).
CONFIRM_KINDS = {
    "official_page": ("official_catalogue", "official"),
    "legal_text": ("legal_text", "official"),
    "decision": ("official_decision", "official"),
    "copy": ("mirror", "secondary"),
    "citation": ("citation", "citation"),
}

EDITABLE = (
    "status",
    "status_basis",
    "status_reason",
    "replaces",
    "replaced_by",
    "ics",
    "equivalents",
    "notes",
    *SCALAR_FIELDS,
)


class Conflict(ValidationError):
    status = 409
    code = "edit_conflict"

    def __init__(self, message: str, changes: dict[str, Any]) -> None:
        super().__init__(message, [message])
        self.changes = changes


def diff(before: Standard | None, after: Standard) -> dict[str, dict[str, Any]]:
    """``{field: {"from": old, "to": new}}`` for every field that differs."""
    a = before.to_dict() if before else {}
    b = after.to_dict()
    return {
        k: {"from": a.get(k), "to": b.get(k)} for k in ("number", *EDITABLE, "sources", "extra") if a.get(k) != b.get(k)
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Editor:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.store = engine.store

    def check(self, record: Standard, *, require_title: bool = True) -> list[str]:
        """Problems of ``record``; relations it already had (sources may cite editions we lack) pass."""
        problems = validate(record, require_title=require_title)
        try:
            stored = self.store.get(record.number)
            had = set(stored.replaces + stored.replaced_by)
            had_ics = set(stored.ics)
        except NotFound:
            had, had_ics = set(), set()
        known = self.store.ics()
        problems += [
            f"mã ICS không tồn tại / unknown ICS code {c}" for c in record.ics if c not in known and c not in had_ics
        ]
        for rel in set(record.replaces + record.replaced_by) - had:
            try:
                self.store.get(rel)
            except NotFound:
                problems.append(f"liên kết tới số hiệu không có trong danh mục / {rel} is not in the catalogue")
        return problems

    def record_audit(self, conn: sqlite3.Connection, user: str, action: str, target: str, changes: dict) -> None:
        conn.execute(
            "INSERT INTO audit_log(at, user, action, target, changes) VALUES (?, ?, ?, ?, ?)",
            (_now(), user, action, target, json.dumps(changes, ensure_ascii=False, default=str)),
        )

    def save(
        self,
        record: Standard,
        user: str,
        *,
        expected_version: int | None,
        action: str = "edit",
        require_title: bool = True,
    ) -> str:
        """Create (``expected_version=None``) or update a record; returns the outcome."""
        problems = self.check(record, require_title=require_title)
        if problems:
            raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
        with self.store.transaction() as tx:
            try:
                current = self.store.get(record.number)
            except NotFound:
                current = None
            if expected_version is None and current is not None:
                raise InvalidInput(f"{current.number} đã có trong danh mục / is already in the catalogue")
            if current is not None and current.version != expected_version:
                raise Conflict(
                    "Bản ghi đã được người khác sửa; hãy xem khác biệt rồi sửa lại trên bản mới. / Someone else saved "
                    "this record in the meantime; review the differences and edit the new version.",
                    diff(record, current),
                )
            changes = diff(current, record)
            if not changes:
                return "unchanged"
            outcome = self.store.upsert(record, conn=tx, require_title=require_title)
            self.record_audit(tx, user, action if current else "create", record.number, changes)
        self.engine.index.catch_up(self.store)
        return outcome

    def confirm(
        self,
        number: str,
        user: str,
        expected_version: int,
        *,
        source_kind: str,
        ref: str,
        quote: str | None = None,
        status: str | None = None,
        title_vi: str | None = None,
        title_en: str | None = None,
    ) -> str:
        """Confirm a status and/or a title from a named source (see the module's contract)."""
        if source_kind not in CONFIRM_KINDS:
            raise InvalidInput("chọn loại nguồn / choose the kind of source")
        ref, quote = ref.strip(), (quote or "").strip() or None
        if not ref:
            raise InvalidInput("cần nêu nguồn xác nhận / name the source that confirms it")
        known = [s for s in STATUSES if s != "unknown"]
        if status is not None and status not in known:
            raise InvalidInput(f"tình trạng phải là một trong / status must be one of {', '.join(known)}")
        title_vi, title_en = (title_vi or "").strip() or None, (title_en or "").strip() or None
        if status is None and not (title_vi or title_en):
            raise InvalidInput("không có gì để xác nhận / nothing to confirm: give a status or a title")
        record = self.store.get(number)
        raw_kind, trust = CONFIRM_KINDS[source_kind]
        source = {"ref": ref, "kind": raw_kind, "trust": trust, "confirmed_by": user}
        if quote:
            source["quote"] = quote
        if source not in record.sources:
            record.sources = [*record.sources, source]
        if status is not None:
            record.status = status
            record.status_basis = "official" if source_kind == "official_page" else "stated"
            reason = {"ref": ref, "kind": raw_kind, "trust": trust, "by": user}
            record.status_reason = {**reason, "quote": quote} if quote else reason
        record.title_vi = title_vi or record.title_vi
        record.title_en = title_en or record.title_en
        return self.save(record, user, expected_version=expected_version, action="confirm", require_title=False)

    def withdraw(self, number: str, user: str, decision: str, date: str, expected_version: int) -> None:
        record = self.store.get(number)
        if not decision.strip():
            raise InvalidInput("cần số quyết định hủy bỏ / the withdrawal decision is required")
        record.status, record.status_basis = "withdrawn", "stated"
        record.status_reason = {"ref": decision.strip(), "kind": "secretariat", "date": date or None, "by": user}
        record.notes = [*record.notes, f"Hủy bỏ theo {decision.strip()} ngày {date} / withdrawn by {decision.strip()}"]
        record.decision, record.decision_date = decision.strip(), date or None
        self.save(record, user, expected_version=expected_version, action="withdraw")

    def replace(self, old_number: str, new_number: str, user: str, expected_version: int) -> None:
        """Link ``new`` as replacing ``old`` on both sides, in one transaction."""
        old, new = self.store.get(old_number), self.store.get(new_number)
        if old.key == new.key:
            raise InvalidInput("không thể tự thay thế / a standard cannot replace itself")
        if old.version != expected_version:
            raise Conflict("Bản ghi đã được người khác sửa. / Someone else saved this record.", {})
        before_old, before_new = self.store.get(old_number), self.store.get(new_number)
        if new.number not in old.replaced_by:
            old.replaced_by.append(new.number)
        old.status, old.status_basis = "replaced", "stated"
        old.status_reason = {"ref": f"secretariat:{user}", "kind": "secretariat", "other": new.number}
        if old.number not in new.replaces:
            new.replaces.append(old.number)
        with self.store.transaction() as tx:
            self.store.upsert(old, conn=tx, require_title=False)
            self.store.upsert(new, conn=tx, require_title=False)
            self.record_audit(tx, user, "replace", old.number, diff(before_old, old))
            self.record_audit(tx, user, "replace", new.number, diff(before_new, new))
        self.engine.index.catch_up(self.store)

    # -- the log -------------------------------------------------------------------
    def history(self, number: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        if number is None:
            rows = self.store._conn().execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            target = self.store.get(number).number
            rows = self.store._conn().execute(
                "SELECT * FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT ?", (target, limit)
            )
        return [{**dict(r), "changes": json.loads(r["changes"])} for r in rows]

    def audit_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "at", "user", "action", "target", "field", "from", "to"])
        for entry in reversed(self.history(limit=100_000)):
            for field, change in entry["changes"].items() or [("", {"from": "", "to": ""})]:
                writer.writerow(
                    [
                        entry["id"],
                        entry["at"],
                        entry["user"],
                        entry["action"],
                        entry["target"],
                        field,
                        json.dumps(change["from"], ensure_ascii=False),
                        json.dumps(change["to"], ensure_ascii=False),
                    ]
                )
        return out.getvalue()
