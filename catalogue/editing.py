"""The secretariat's edits: validated, optimistically locked, audited, indexed.

Contracts:

* :meth:`Editor.save` refuses a record whose ``version`` is not the stored one
  (someone saved in between) with :class:`~catalogue.errors.Conflict`, which
  carries the field-by-field difference; nothing is written.  The version is
  read inside the transaction that writes, so two editors saving the same stale
  copy at once cannot both win; :meth:`Editor.replace` checks the same way.
* Validation goes beyond the model's: ICS codes must exist, relations must name
  records in the catalogue.
* Every write goes through the unit of work (:mod:`catalogue.unit_of_work`): the
  change and its audit entry (who, when, what changed, field by field) commit in
  one transaction, then the index catches up.
* The audit log is append-only (SQLite triggers refuse UPDATE and DELETE).
* :meth:`Editor.confirm` records a status or a title the secretariat confirmed
  from a named source: the source joins the record's sources, the status gets the
  basis ``official`` (the official catalogue page) or ``stated`` (any other
  source) with that source as its evidence, and the change is validated, checked
  against the version and audited in one unit-of-work transaction, as
  :meth:`Editor.save` is.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from catalogue.auditlog import readable
from catalogue.errors import Conflict, InvalidInput, NotFound, ValidationError
from catalogue.exporter import BOM, neutralise
from catalogue.model import STATUSES, Standard, validate
from catalogue.unit_of_work import EDITABLE, Change, diff

if TYPE_CHECKING:
    from catalogue.engine import Engine
    from catalogue.recommend.taxonomy import ProductGroup, Taxonomy

__all__ = ["CONFIRM_KINDS", "EDITABLE", "Conflict", "Editor", "diff"]

# The kinds of source a confirmation may name: (raw kind stored on the source, its trust).
CONFIRM_KINDS = {
    "official_page": ("official_catalogue", "official"),
    "legal_text": ("legal_text", "official"),
    "decision": ("official_decision", "official"),
    "copy": ("mirror", "secondary"),
    "citation": ("citation", "citation"),
}

_STALE = (
    "Bản ghi đã được người khác sửa; hãy xem khác biệt rồi sửa lại trên bản mới. / Someone else saved "
    "this record in the meantime; review the differences and edit the new version."
)


class Editor:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = engine.store
        self.writes = engine.writes

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

    def _save(
        self,
        change: Change,
        record: Standard,
        user: str,
        expected_version: int | None,
        action: str,
        *,
        require_title: bool = True,
    ) -> str:
        current = change.current(record.number)
        if expected_version is None and current is not None:
            raise InvalidInput(f"{current.number} đã có trong danh mục / is already in the catalogue")
        if current is not None and current.version != expected_version:
            raise Conflict(_STALE, diff(record, current))
        if not diff(current, record):
            return "unchanged"
        return change.write(record, user=user, action=action if current else "create", require_title=require_title)

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
        with self.writes.begin() as change:
            return self._save(change, record, user, expected_version, action, require_title=require_title)

    def accept(self, record: Standard, user: str, quarantine_id: int) -> str:
        """Create a record from a quarantined page and mark the page resolved, together."""
        problems = self.check(record)
        if problems:
            raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
        with self.writes.begin() as change:
            outcome = self._save(change, record, user, None, "accept-quarantined")
            change.resolve_quarantine(quarantine_id)
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
        raw_kind, trust = CONFIRM_KINDS[source_kind]
        with self.writes.begin() as change:
            record = self.store.get(number)  # read inside the transaction: the version check cannot go stale
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
            problems = self.check(record, require_title=False)
            if problems:
                raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
            return self._save(change, record, user, expected_version, "confirm", require_title=False)

    def withdraw(self, number: str, user: str, decision: str, date: str, expected_version: int) -> None:
        """Mark a record withdrawn by ``decision`` (of ``date``, ISO, optional), checked against the version.

        The withdrawal has fields of its own (``withdrawn_by``, ``withdrawn_date``); the issuing
        ``decision`` and ``decision_date`` stay as they were.  A bad date is a
        :class:`~catalogue.errors.ValidationError` and nothing is written.
        """
        record = self.store.get(number)
        decision, date = decision.strip(), (date or "").strip() or None
        if not decision:
            raise InvalidInput("cần số quyết định hủy bỏ / the withdrawal decision is required")
        record.status, record.status_basis = "withdrawn", "stated"
        record.status_reason = {"ref": decision, "kind": "secretariat", "date": date, "by": user}
        record.withdrawn_by, record.withdrawn_date = decision, date
        self.save(record, user, expected_version=expected_version, action="withdraw")

    def replace(self, old_number: str, new_number: str, user: str, expected_version: int) -> None:
        """Link ``new`` as replacing ``old`` on both sides, in one transaction that also checks the version."""
        with self.writes.begin() as change:
            old, new = self.store.get(old_number), self.store.get(new_number)
            if old.key == new.key:
                raise InvalidInput("không thể tự thay thế / a standard cannot replace itself")
            if old.version != expected_version:
                raise Conflict("Bản ghi đã được người khác sửa. / Someone else saved this record.", {})
            if new.number not in old.replaced_by:
                old.replaced_by.append(new.number)
            old.status, old.status_basis = "replaced", "stated"
            old.status_reason = {"ref": f"secretariat:{user}", "kind": "secretariat", "other": new.number}
            if old.number not in new.replaces:
                new.replaces.append(old.number)
            change.write(old, user=user, action="replace", require_title=False)
            change.write(new, user=user, action="replace", require_title=False)

    def save_group(
        self, taxonomy: Taxonomy, group: ProductGroup, user: str, *, expected_version: int | None = None
    ) -> str:
        """Validate and store a product group with its audit entry, in one transaction."""
        with self.writes.begin() as change:
            return change.save_group(taxonomy, group, user=user, expected_version=expected_version)

    # -- the log -------------------------------------------------------------------
    def history(self, number: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        target = None if number is None else self.store.get(number).number
        return self.store.audit.entries(target, limit)

    def audit_csv(self) -> str:
        """The whole log as a CSV download: UTF-8 with a BOM, values as text (:func:`catalogue.auditlog.readable`),
        every cell neutralised against formulas (:func:`catalogue.exporter.neutralise`)."""
        out = io.StringIO()
        out.write(BOM)
        writer = csv.writer(out)
        writer.writerow(["id", "at", "user", "action", "target", "field", "from", "to"])
        for entry in reversed(self.history(limit=100_000)):
            for field, change in entry["changes"].items() or [("", {"from": "", "to": ""})]:
                writer.writerow(
                    neutralise(cell)
                    for cell in [
                        entry["id"],
                        entry["at"],
                        entry["user"],
                        entry["action"],
                        entry["target"],
                        field,
                        readable(change.get("from")),
                        readable(change.get("to")),
                    ]
                )
        return out.getvalue()
