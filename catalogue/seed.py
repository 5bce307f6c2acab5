"""Seeding the store from the bundled catalogue in ``catalogue/data`` (built by :mod:`catalogue.bundle`).

Contracts of :func:`seed`:

* An empty store receives every part of the bundle.
* A store seeded from an older bundle (the digest of ``standards.jsonl`` kept in
  the store's meta differs) receives the records it lacks, and the records nobody
  changed since are refreshed: a record the secretariat edited (it has an audit
  entry) or that holds a source the bundle does not (a crawl, an import) is kept
  as it is.
* Re-running with the same bundle writes nothing.

The running application reads only ``catalogue/data``, never ``../shared``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalogue.errors import NotFound
from catalogue.model import Standard
from catalogue.store.database import Store

__all__ = ["DATA_DIR", "bundled_references", "bundled_standards", "seed"]

DATA_DIR = Path(__file__).parent / "data"
_DIGEST_KEY = "bundle_digest"


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def bundled_standards(data_dir: Path = DATA_DIR) -> Iterator[Standard]:
    for row in _rows(data_dir / "standards.jsonl"):
        yield Standard.from_dict(row)


def bundled_references(data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Numbers the catalogue knows of but does not hold as records.

    Each row has ``number``, ``why`` (``historic``: a TCXD/TCXDVN code, not a TCVN;
    ``cited``: a number cited without a title, only for linking; ``to_confirm``: a
    low-trust or suspect row the secretariat must confirm before it is shown) and
    its ``sources``.
    """
    path = data_dir / "references.jsonl"
    return list(_rows(path)) if path.is_file() else []


def _digest(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "standards.jsonl").read_bytes()).hexdigest()


def _refresh(store: Store, data_dir: Path) -> dict[str, int]:
    audited = store.audit.targets()
    counts = {"new": 0, "changed": 0, "unchanged": 0, "kept": 0}
    with store.transaction() as tx:
        for record in bundled_standards(data_dir):
            try:
                held = store.get(record.number)
            except NotFound:
                counts[store.upsert(record, conn=tx, require_title=False)] += 1
                continue
            bundled_refs = {s.get("ref") for s in record.sources}
            if held.number in audited or any(s.get("ref") not in bundled_refs for s in held.sources):
                counts["kept"] += 1
                continue
            counts[store.upsert(record, conn=tx, require_title=False)] += 1
    return counts


def seed(store: Store, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load the parts of the bundle the store lacks; returns how many rows each part wrote (0: skipped)."""
    from catalogue.recommend.taxonomy import Taxonomy, group_from_curated

    taxonomy = Taxonomy(store)
    counts = {"new": 0, "changed": 0, "unchanged": 0, "kept": 0, "hs_lines": 0, "product_regulations": 0, "groups": 0}
    if not store.ics():
        store.load_ics(_rows(data_dir / "ics.jsonl"))
    digest = _digest(data_dir)
    if store.count() == 0:
        counts.update(store.upsert_many(bundled_standards(data_dir), require_title=False))
        store.set_meta(_DIGEST_KEY, digest)
    elif store.get_meta(_DIGEST_KEY) != digest:
        counts.update(_refresh(store, data_dir))
        counts["unchanged"] = 0  # nothing to report about records that did not change
        store.set_meta(_DIGEST_KEY, digest)
    if not taxonomy.has_hs():
        counts["hs_lines"] = taxonomy.load_hs(_rows(data_dir / "hs.jsonl"))
    if not taxonomy.product_regulations():
        counts["product_regulations"] = taxonomy.load_product_regulations(_rows(data_dir / "product_regulations.jsonl"))
    if not taxonomy.groups():
        curated = json.loads((data_dir / "product_groups.json").read_text(encoding="utf-8"))
        counts["groups"] = sum(taxonomy.save(group_from_curated(g)) == "new" for g in curated["groups"])
    return counts
