"""Backups: an online copy of the SQLite store plus a manifest; restore rebuilds the index.

Contracts:

* :func:`backup` uses SQLite's online backup API, so it is consistent while the
  site serves and editors write.  ``PATH`` becomes a folder holding
  ``catalogue.sqlite3`` and ``manifest.json`` (counts, schema version, sha256).
* :func:`restore` checks the manifest and the file's hash, then refuses with
  :class:`DataDirInUse` while a server or another command holds the data folder
  (each :class:`~catalogue.engine.Engine` holds ``in-use.lock`` shared; restore
  needs it exclusively).  Restoring in place of a live server would leave it
  writing to an unlinked file and its index ahead of the store.
* The swap is atomic and crash-safe: the backup is copied into a staging file,
  migrated, given a new store identity and a ``restore`` audit entry (through the
  unit of work, so the restored data and the entry that explains it appear
  together), then written into the live database by SQLite's backup API in one
  transaction (a SIGKILL leaves the old database or the new one, never a mix,
  and never loses the old WAL).  The index is then rebuilt; if that is killed,
  the next start sees an index built from another store identity and rebuilds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from catalogue.engine import Engine, in_use_lock
from catalogue.errors import DataDirInUse, InvalidInput
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


def _unlink_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    src, dest = sqlite3.connect(source), sqlite3.connect(target, timeout=30)
    try:
        src.backup(dest)  # one transaction on ``target``
    finally:
        dest.close()
        src.close()


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
    lock = in_use_lock(settings)
    if not lock.acquire(timeout=0, note="restore"):
        raise DataDirInUse(
            f"Một máy chủ hoặc lệnh khác đang dùng {settings.data_path}; hãy dừng nó rồi khôi phục. / A server or"
            f" another command is using {settings.data_path}; stop it, then restore."
        )
    try:
        staged = settings.store_path.with_name(settings.store_path.name + ".restoring")
        _unlink_db(staged)  # a killed restore's
        _copy(db, staged)
        restored = Store(staged)  # migrates an older backup, in the staging copy only
        with UnitOfWork(restored).begin() as change:
            restored.set_meta("store_id", uuid.uuid4().hex)
            change.audit(user, "restore", folder.name, {"backup": {"from": None, "to": manifest.get("created_at")}})
        restored.close()
        _copy(staged, settings.store_path)
        _unlink_db(staged)
        engine = Engine(settings, hold_data_dir=False)  # we hold the data folder alone
        try:
            engine.rebuild(wait=True)
        finally:
            engine.close()
    finally:
        lock.release()
    return manifest
