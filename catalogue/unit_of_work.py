"""The one write path: records and their audit entries in one transaction, then the index.

Every change to the catalogue goes through :meth:`UnitOfWork.begin`: the editor
(save, withdraw, replace, accept a quarantined page), file imports, the crawl's
store step, product-group edits and restore.

Contracts:

* :meth:`UnitOfWork.begin` opens one SQLite transaction (``BEGIN IMMEDIATE``) and
  yields a :class:`Change`.  Everything written through it (records, their audit
  entries, frontier marks, quarantine rows, group rows) commits together or not
  at all: an exception, or a crash, anywhere inside the block leaves neither the
  change nor its entry.
* Each record the change writes gets one audit entry (who, what action, which
  record, field by field from → to); a record the store finds unchanged (same
  content hash) writes neither.
* Reads through the change see its own writes, and the transaction holds
  SQLite's write lock from its first statement, so a version read inside it
  cannot go stale before the commit: optimistic locks are checked there.
* After the commit, when a record was written, the index catches up with the
  store by watermark (:meth:`indexer.index.Index.catch_up`, under the index's
  WRITE.lock); an index that cannot be written then never fails the committed change.
  A crash between the commit and the catch-up is repaired at start-up
  (:meth:`catalogue.engine.Engine.ensure_ready`).  Those two are the only callers
  of ``catch_up``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any, Protocol

from catalogue.errors import DiskFull, IndexBusy, IndexUnavailable, NotFound
from catalogue.ingest import apply
from catalogue.model import SCALAR_FIELDS, Standard
from catalogue.store.database import Store

if TYPE_CHECKING:
    from catalogue.recommend.taxonomy import ProductGroup, Taxonomy

__all__ = ["EDITABLE", "Change", "Indexable", "UnitOfWork", "diff"]

log = logging.getLogger("tieuchuan")
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


def _plain(value: Any) -> Any:
    return [asdict(v) if is_dataclass(v) else v for v in value] if isinstance(value, list) else value


def diff(before: Standard | None, after: Standard) -> dict[str, dict[str, Any]]:
    """``{field: {"from": old, "to": new}}`` for every field that differs (the audit entry's content).

    Fields are compared in place and only differing ones converted: this runs for every
    record an import or a crawl writes.
    """
    changes = {}
    for k in ("number", *EDITABLE, "sources", "extra"):
        old, new = (getattr(before, k) if before is not None else None), getattr(after, k)
        if old != new:
            changes[k] = {"from": _plain(old), "to": _plain(new)}
    return changes


class Indexable(Protocol):
    """What the unit of work needs of the index: :meth:`indexer.index.Index.catch_up`."""

    def catch_up(self, store: Any) -> int:
        """Re-index what the store wrote after the index's watermark; returns how many records."""
        ...


class Change:
    """One open transaction.  Obtain it from :meth:`UnitOfWork.begin`; never keep it past the block."""

    def __init__(self, store: Store, tx: sqlite3.Connection) -> None:
        self.store = store
        self.tx = tx
        self.records_written = 0

    # -- reading inside the transaction ----------------------------------------------
    def current(self, number: str) -> Standard | None:
        """The stored record for ``number`` as this transaction sees it, or ``None``."""
        try:
            return self.store.get(number)
        except NotFound:
            return None

    # -- writing ---------------------------------------------------------------------
    def audit(self, user: str, action: str, target: str, changes: dict[str, Any]) -> None:
        """An audit entry for something written in this transaction."""
        self.store.audit.append(self.tx, user, action, target, changes)

    def write(self, record: Standard, *, user: str, action: str, require_title: bool = True) -> str:
        """Validate and write ``record`` as given, with its audit entry; ``new``, ``changed`` or ``unchanged``.

        Raises :class:`~catalogue.errors.ValidationError` for an invalid record (the
        caller's block then rolls back everything it wrote).
        """
        before = self.current(record.number)
        outcome = self.store.upsert(record, conn=self.tx, require_title=require_title)
        if outcome != "unchanged":
            self.records_written += 1
            self.audit(user, action, record.number, diff(before, record))
        return outcome

    def merge(self, record: Standard, *, user: str, action: str, require_title: bool = True) -> str:
        """Merge a record from outside (crawl, import) as :func:`catalogue.ingest.apply` does.

        Every record the merge rewrites (the record itself, and the other side of its
        replacement links) gets its own audit entry.
        """
        existing = self.current(record.number)
        linked = set(record.replaces + record.replaced_by)
        if existing is not None:
            linked |= set(existing.replaces + existing.replaced_by)
        before = {record.number: existing} | {n: self.current(n) for n in sorted(linked)}
        outcome = apply(self.store, record, self.tx, require_title=require_title)
        if outcome == "unchanged":
            return outcome
        for number, old in before.items():
            new = self.current(number)
            if new is not None and (old is None or new.version != old.version):
                self.records_written += 1
                self.audit(user, action, new.number, diff(old, new))
        return outcome

    def save_group(
        self, taxonomy: Taxonomy, group: ProductGroup, *, user: str, expected_version: int | None = None
    ) -> str:
        """Validate and write a product group (its own optimistic lock), with its audit entry."""
        try:
            before = taxonomy.group(group.slug).to_dict()
        except NotFound:
            before = {}
        outcome = taxonomy.save(group, expected_version=expected_version, conn=self.tx)
        if outcome != "unchanged":
            after = group.to_dict()
            changes = {
                k: {"from": before.get(k), "to": v}
                for k, v in after.items()
                if k not in ("version", "updated_at") and before.get(k) != v
            }
            self.audit(user, "edit-group" if before else "create-group", group.slug, changes)
        return outcome

    def resolve_quarantine(self, quarantine_id: int) -> None:
        """Mark a quarantined page dealt with (its record is written in the same transaction)."""
        if not self.store.frontier.resolve(self.tx, quarantine_id):
            raise NotFound(f"không có trang bị cách ly / no quarantined page #{quarantine_id}")


class UnitOfWork:
    """The write path over one store and (optionally) the index derived from it."""

    def __init__(self, store: Store, index: Indexable | None = None) -> None:
        self.store = store
        self.index = index

    @contextlib.contextmanager
    def begin(self, *, catch_up: bool = True) -> Iterator[Change]:
        """One transaction; on a clean exit it commits, then (``catch_up``) the index follows.

        Pass ``catch_up=False`` to batch several transactions (imports, crawls) and
        call :meth:`catch_up` once after them.
        """
        with self.store.transaction() as tx:
            change = Change(self.store, tx)
            yield change
        if catch_up and change.records_written:
            self.catch_up()

    def catch_up(self) -> int:
        """Bring the index up to the store; returns how many records were re-indexed.

        Never fails a committed change: when the index cannot be written now (busy,
        damaged, disk full) the watermark stays where it was, and the next catch-up
        or start-up indexes the change.
        """
        if self.index is None:
            return 0
        try:
            return self.index.catch_up(self.store)
        except (IndexUnavailable, IndexBusy, DiskFull) as exc:
            log.warning("index not updated now, it will catch up later: %s", exc.message)
            return 0
