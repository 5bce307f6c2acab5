"""Batch import of JSONL / CSV files, with the crawler's validation and quarantine.

Contracts:

* Rows stream from the file; memory does not grow with its size.
* Every row is validated like a crawled page; a bad row (invalid, too long, too
  deeply nested, unreadable: see :mod:`indexer.sources.file`) goes to the
  quarantine with its reason, ``file:line`` and a bounded copy of its text, and
  never stops the import.
* Idempotent: importing the same file twice changes nothing the second time and
  quarantines nothing new: an open quarantine entry is keyed by the file's
  content hash and the row, whatever the upload was called.
* A row's origin (in its source, the audit entry and the quarantine) is
  ``name:line``, ``name`` being the file's own name (an upload's real name, as
  the admin passes it), never where the upload was kept.
* Good rows are written through the unit of work in batches of :data:`BATCH` per
  transaction, each record with its audit entry (action ``import``, by ``user``);
  the index is brought up to date by key at the end (and at start-up, should the
  process die).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.errors import ValidationError
from indexer.crawl.frontier import Frontier
from indexer.sources.file import FileSource, row_to_standard

__all__ = ["ImportSummary", "import_file", "preview_rows"]

BATCH = 200


@dataclass
class ImportSummary:
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"rows {self.rows}: new {self.new}, changed {self.changed}, unchanged {self.unchanged},"
            f" quarantined {self.quarantined}"
        )


def preview_rows(path: str | Path, limit: int | None = None, *, name: str | None = None) -> list[dict[str, Any]]:
    """Per-row outcome without writing: ``{"origin", "number", "ok", "problems"}``; origins use ``name``."""
    out = []
    for origin, row, error in FileSource(path, name).rows():
        if error is None:
            try:
                record = row_to_standard(row or {}, origin)
                out.append({"origin": origin, "number": record.number, "ok": True, "problems": []})
            except ValidationError as exc:
                out.append(
                    {"origin": origin, "number": (row or {}).get("number"), "ok": False, "problems": exc.problems}
                )
        else:
            out.append({"origin": origin, "number": None, "ok": False, "problems": [error]})
        if limit is not None and len(out) >= limit:
            break
    return out


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _raw(row: Any) -> dict[str, Any]:
    """What the quarantine keeps of a row: bounded, whatever the row held."""
    if not isinstance(row, dict):
        return {}
    kept = list(row.items())[:60]
    return {str(k)[:64]: v if isinstance(v, int | float | bool | None) else str(v)[:2000] for k, v in kept}


def import_file(engine: Any, path: str | Path, user: str = "cli", *, name: str | None = None) -> ImportSummary:
    """Import a file (see the module's contract); ``name`` is what rows' origins call it (an upload's own name)."""
    source = FileSource(path, name)
    frontier = Frontier(engine.store, "file")
    file_key = _file_digest(source.path)
    summary = ImportSummary()
    rows = source.rows()
    done = False
    while not done:
        with engine.writes.begin(catch_up=False) as change:
            tx = change.tx
            for _ in range(BATCH):
                item = next(rows, None)
                if item is None:
                    done = True
                    break
                origin, row, error = item
                summary.rows += 1
                try:
                    if error is not None:
                        raise ValidationError(error, [error])
                    record = row_to_standard(row or {}, origin)
                except ValidationError as exc:
                    key = f"file:{file_key}:{origin.rpartition(':')[2]}"  # this file's content, this row
                    frontier.quarantine(tx, origin, "; ".join(exc.problems), _raw(row), key=key)
                    summary.quarantined += 1
                    summary.errors.append(f"{origin}: {'; '.join(exc.problems)}")
                    continue
                outcome = change.merge(record, user=user, action="import")
                setattr(summary, outcome, getattr(summary, outcome) + 1)
    engine.writes.catch_up()
    return summary
