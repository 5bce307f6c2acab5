"""Backups: an online copy of the SQLite store plus a manifest; restore rebuilds the index.

Contracts:

* :func:`backup` uses SQLite's online backup API, so it is consistent while the
  site serves and editors write.  ``PATH`` becomes a folder holding
  ``catalogue.sqlite3`` and ``manifest.json`` (counts, schema version, sha256).
* :func:`restore` checks the manifest and the file's hash, writes a ``restore``
  audit entry into a staged copy through the unit of work (so the restored data
  and the entry that explains it appear together), swaps that copy in
  atomically, and rebuilds the index from it (the store is the truth).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.settings import Settings
from catalogue.store.database import Store
from catalogue.unit_of_work import UnitOfWork

__all__ = ["backup", "restore"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(settings: Settings, target: str | Path) -> dict[str, Any]:
    folder = Path(target)
    if folder.exists() and any(folder.iterdir()):
        raise InvalidInput(f"thư mục đích không trống / {folder} is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(settings.store_path)
    db = folder / "catalogue.sqlite3"
    store.backup(db)
    copy = Store(db)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": copy.schema_version,
        "standards": copy.count(),
        "seq": copy.seq,
        "sha256": _sha256(db),
    }
    copy.close()
    store.close()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(settings: Settings, source: str | Path, user: str = "cli") -> dict[str, Any]:
    folder = Path(source)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"không đọc được manifest / unreadable backup manifest in {folder}: {exc}") from exc
    db = folder / "catalogue.sqlite3"
    if not db.is_file() or _sha256(db) != manifest.get("sha256"):
        raise InvalidInput("bản sao lưu hỏng (sai mã băm) / the backup is damaged (hash mismatch)")
    settings.data_path.mkdir(parents=True, exist_ok=True)
    staged = settings.store_path.with_suffix(".restoring")
    copy = Store(db)
    copy.backup(staged)
    copy.close()
    restored = Store(staged)
    with UnitOfWork(restored).begin() as change:
        change.audit(user, "restore", folder.name, {"backup": {"from": None, "to": manifest.get("created_at")}})
    restored.close()  # the last connection: SQLite folds the WAL back into the file before the swap
    for suffix in ("-wal", "-shm"):
        Path(str(settings.store_path) + suffix).unlink(missing_ok=True)
    os.replace(staged, settings.store_path)
    engine = Engine(settings)
    engine.rebuild()
    engine.close()
    return manifest
