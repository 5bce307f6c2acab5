"""Writing records that arrive from outside (crawls, imports) into the store.

Contracts of :func:`apply`:

* The incoming record is merged into what the store holds: non-empty incoming
  fields win, lists (ICS, relations, equivalents, sources) are united, notes and
  extra fields are kept.  The store's content hash then decides ``new``,
  ``changed`` or ``unchanged``; an unchanged record is not rewritten.
* Replacement links are kept on both sides: when A says it is replaced by B and
  B is in the store, B gets "replaces A", and the reverse; a record named as
  replaced gets the status ``replaced`` unless a source said ``withdrawn``.
* It writes through the given connection, so the caller decides the transaction.
"""

from __future__ import annotations

import sqlite3

from catalogue.errors import NotFound
from catalogue.model import SCALAR_FIELDS, Standard
from catalogue.store.database import Store

__all__ = ["apply", "merge"]


def merge(existing: Standard, incoming: Standard) -> Standard:
    data = existing.to_dict()
    new = incoming.to_dict()
    for key in SCALAR_FIELDS:
        if new[key] not in (None, ""):
            data[key] = new[key]
    if incoming.status != "unknown":
        data["status"], data["status_basis"] = incoming.status, incoming.status_basis or "stated"
    for key in ("ics", "replaces", "replaced_by", "notes"):
        data[key] = list(dict.fromkeys([*data[key], *new[key]]))
    known = {e["number"] for e in data["equivalents"]}
    data["equivalents"] += [e for e in new["equivalents"] if e["number"] not in known]
    refs = {s.get("ref") for s in data["sources"]}
    data["sources"] += [s for s in new["sources"] if s.get("ref") not in refs]
    data["extra"] = {**data["extra"], **new["extra"]}
    return Standard.from_dict(data)


def _get(store: Store, number: str) -> Standard | None:
    try:
        return store.get(number)
    except NotFound:
        return None


def apply(store: Store, record: Standard, conn: sqlite3.Connection, *, require_title: bool = True) -> str:
    """Merge ``record`` into the store (inside ``conn``'s transaction); returns the outcome."""
    existing = _get(store, record.number)
    merged = merge(existing, record) if existing is not None else record
    outcome = store.upsert(merged, conn=conn, require_title=require_title)
    if outcome == "unchanged":
        return outcome
    for newer in merged.replaced_by:
        other = _get(store, newer)
        if other is not None and merged.number not in other.replaces:
            other.replaces.append(merged.number)
            store.upsert(other, conn=conn, require_title=False)
    for older in merged.replaces:
        other = _get(store, older)
        if other is not None and merged.number not in other.replaced_by:
            other.replaced_by.append(merged.number)
            if other.status in ("active", "unknown"):
                other.status, other.status_basis = "replaced", "stated"
            store.upsert(other, conn=conn, require_title=False)
    return outcome
