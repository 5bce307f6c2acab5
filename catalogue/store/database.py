"""The SQLite store: the catalogue's source of truth.

Contracts:

* One file, WAL mode, versioned migrations applied in order on open
  (``PRAGMA user_version`` holds the version).  A store newer than this code
  refuses to open rather than guess.
* Every write runs in one transaction; a crash leaves the previous state.
* Every write of a standard bumps a store-wide sequence number kept in the
  row (``seq``).  The index records the highest ``seq`` it has seen
  (its watermark), so :meth:`Store.changed_since` tells what to re-index.
* A record is rewritten only when its content hash changes.
* SQL is always parameterised, and lives in this package only: :class:`Store`
  holds the one connection per thread, the standards, ICS and meta tables; one
  repository per group of tables hangs off it (``store.accounts``,
  ``store.audit``, ``store.frontier``, ``store.groups``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from catalogue.errors import NotFound, StoreError, ValidationError
from catalogue.identifiers import parse_loose
from catalogue.model import LATE_FIELDS, SCALAR_FIELDS, Standard, validate
from catalogue.store.accounts import AccountRepository
from catalogue.store.audit import AuditRepository
from catalogue.store.frontier import FrontierRepository
from catalogue.store.groups import GroupRepository

__all__ = ["Store"]

_JSON_FIELDS = (
    "replaces",
    "replaced_by",
    "amendments",
    "ics",
    "equivalents",
    "sources",
    "notes",
    "extra",
    "status_reason",
)
_COLUMNS = ("number", "status", "status_basis", *_JSON_FIELDS, *SCALAR_FIELDS)

MIGRATIONS: list[str] = [
    # 1: standards, ICS, meta
    """
    CREATE TABLE standards (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        edition_key TEXT NOT NULL,
        slug TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        year INTEGER,
        ministry TEXT,
        number TEXT NOT NULL,
        title_vi TEXT, title_en TEXT, scope_vi TEXT,
        status TEXT NOT NULL DEFAULT 'unknown',
        status_basis TEXT,
        replaces TEXT NOT NULL DEFAULT '[]',
        replaced_by TEXT NOT NULL DEFAULT '[]',
        amendments TEXT NOT NULL DEFAULT '[]',
        ics TEXT NOT NULL DEFAULT '[]',
        equivalents TEXT NOT NULL DEFAULT '[]',
        technical_committee TEXT,
        decision TEXT, decision_date TEXT, issue_date TEXT, effective_date TEXT,
        pages INTEGER,
        sources TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '[]',
        extra TEXT NOT NULL DEFAULT '{}',
        content_hash TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        seq INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX standards_edition ON standards(edition_key);
    CREATE INDEX standards_seq ON standards(seq);
    CREATE TABLE ics (
        code TEXT PRIMARY KEY,
        level TEXT NOT NULL,
        parent TEXT,
        title_en TEXT NOT NULL,
        title_vi TEXT,
        scope_en TEXT
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('seq', '0');
    """,
    # 2: product groups, HS nomenclature, product -> QCVN rows (the recommender's data)
    """
    CREATE TABLE product_groups (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name_vi TEXT NOT NULL,
        name_en TEXT NOT NULL,
        sector TEXT NOT NULL DEFAULT 'other',
        synonyms TEXT NOT NULL DEFAULT '[]',
        hs TEXT NOT NULL DEFAULT '[]',
        ics TEXT NOT NULL DEFAULT '[]',
        regulations TEXT NOT NULL DEFAULT '[]',
        standards TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE hs_headings (code TEXT PRIMARY KEY, vi TEXT NOT NULL, en TEXT NOT NULL);
    CREATE TABLE hs_lines (
        code TEXT PRIMARY KEY,
        vi TEXT NOT NULL,
        en TEXT NOT NULL,
        parent_vi TEXT,
        parent_en TEXT,
        measures TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE product_regulations (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('groups_version', '0');
    """,
    # 3: the crawler's runs, resumable frontier and quarantine
    """
    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        base_url TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL DEFAULT 'running',
        summary TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE frontier (
        url TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        run_id INTEGER,
        tries INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        http_status INTEGER,
        error TEXT,
        updated_at TEXT
    );
    CREATE INDEX frontier_state ON frontier(state, kind);
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        url TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 4: the secretariat: accounts, server-side sessions, login attempts, append-only audit log
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        csrf TEXT NOT NULL,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL
    );
    CREATE TABLE login_attempts (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        name TEXT NOT NULL,
        ip TEXT NOT NULL,
        ok INTEGER NOT NULL
    );
    CREATE INDEX login_attempts_at ON login_attempts(at);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        changes TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_target ON audit_log(target);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    """,
    # 5: a status carries its basis and evidence (catalogue/editions.py); older basis names are renamed
    """
    ALTER TABLE standards ADD COLUMN status_reason TEXT NOT NULL DEFAULT '{}';
    UPDATE standards SET status_basis = 'stated' WHERE status_basis = 'source';
    UPDATE standards SET status_basis = 'presumed', status_reason = '{"rule": "newer-edition-held"}'
        WHERE status_basis = 'inferred' AND status = 'replaced';
    UPDATE standards SET status_basis = 'presumed', status_reason = '{"rule": "newest-edition"}'
        WHERE status_basis = 'inferred';
    UPDATE standards SET status_basis = 'unknown' WHERE status = 'unknown';
    UPDATE standards SET status_basis = 'stated' WHERE status_basis IS NULL;
    """,
    # 6: one open quarantine entry per key (a file's content hash and row), so a re-import adds none
    """
    ALTER TABLE quarantine ADD COLUMN dedupe_key TEXT;
    CREATE UNIQUE INDEX quarantine_open_key ON quarantine(dedupe_key) WHERE dedupe_key IS NOT NULL AND resolved = 0;
    """,
    # 7: a withdrawal has fields of its own.  The old admin withdraw wrote its decision into the issuing
    # ``decision``: such rows (withdrawn by the secretariat, the reason's ref equal to the decision) move it to
    # ``withdrawn_by`` and get the issuing decision back from the withdraw's audit entry (NULL when none kept
    # it).  They are re-indexed (a new seq) and rehashed on their next write (the hash is cleared).
    """
    ALTER TABLE standards ADD COLUMN withdrawn_by TEXT;
    ALTER TABLE standards ADD COLUMN withdrawn_date TEXT;
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq' AND EXISTS (
        SELECT 1 FROM standards WHERE status = 'withdrawn' AND decision IS NOT NULL
        AND json_extract(status_reason, '$.kind') = 'secretariat' AND json_extract(status_reason, '$.ref') = decision);
    UPDATE standards SET
        withdrawn_by = decision,
        withdrawn_date = decision_date,
        decision = (SELECT json_extract(a.changes, '$.decision.from') FROM audit_log a
                    WHERE a.target = standards.number AND a.action = 'withdraw'
                      AND json_extract(a.changes, '$.decision.to') = standards.decision
                    ORDER BY a.id DESC LIMIT 1),
        decision_date = (SELECT json_extract(a.changes, '$.decision_date.from') FROM audit_log a
                    WHERE a.target = standards.number AND a.action = 'withdraw'
                      AND json_extract(a.changes, '$.decision.to') = standards.decision
                    ORDER BY a.id DESC LIMIT 1),
        content_hash = '',
        seq = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq')
    WHERE status = 'withdrawn' AND decision IS NOT NULL
      AND json_extract(status_reason, '$.kind') = 'secretariat'
      AND json_extract(status_reason, '$.ref') = decision;
    """,
]


def _statements(script: str) -> list[str]:
    """Split a migration into statements (trigger bodies hold semicolons of their own)."""
    out, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                out.append(buffer.strip())
            buffer = ""
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def content_hash(record: Standard) -> str:
    """Hash of everything a user can see; bookkeeping fields excluded."""
    data = record.to_dict()
    for k in ("updated_at", "version"):
        data.pop(k, None)
    for k in LATE_FIELDS:  # empty, they leave the hash as it was before they existed
        if data.get(k) is None:
            data.pop(k, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Store:
    """Catalogue store on one SQLite file.  Safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.accounts = AccountRepository(self)
        self.audit = AuditRepository(self)
        self.frontier = FrontierRepository(self)
        self.groups = GroupRepository(self)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._migrate(self._conn())
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"không mở được kho dữ liệu / cannot open store {self.path}: {exc}") from exc

    # -- connection --------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any exception."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"kho dữ liệu mới hơn phần mềm / store schema v{version} is newer than this code")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")  # not a bindable pragma
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return self._conn().execute("PRAGMA user_version").fetchone()[0]

    # -- meta --------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self._conn().execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def seq(self) -> int:
        return int(self.get_meta("seq", "0") or 0)

    @property
    def identity(self) -> str:
        """A random id of this store's history, made once; a restore gives the store a new one.

        The index records the identity it was built from, so an index built from
        another store (before a restore) is recognised and rebuilt.
        """
        value = self.get_meta("store_id")
        if value is None:
            self._conn().execute(
                "INSERT INTO meta(key, value) VALUES ('store_id', ?) ON CONFLICT(key) DO NOTHING", (uuid.uuid4().hex,)
            )
            value = self.get_meta("store_id")
        assert value is not None
        return value

    # -- standards ---------------------------------------------------------------
    def _row_to_record(self, row: sqlite3.Row) -> Standard:
        data: dict[str, Any] = {k: row[k] for k in _COLUMNS}
        for k in _JSON_FIELDS:
            text = data[k]
            data[k] = [] if text == "[]" else {} if text == "{}" else json.loads(text)  # most are empty
        data["updated_at"] = row["updated_at"]
        data["version"] = row["version"]
        return Standard.from_dict(data)

    def upsert(self, record: Standard, *, conn: sqlite3.Connection | None = None, require_title: bool = True) -> str:
        """Insert or update by number key.  Returns ``new``, ``changed`` or ``unchanged``.

        Raises :class:`ValidationError` (and writes nothing) for an invalid record.
        """
        problems = validate(record, require_title=require_title)
        if problems:
            raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
        if conn is None:
            with self.transaction() as tx:
                return self.upsert(record, conn=tx, require_title=require_title)
        ident = record.ident
        digest = content_hash(record)
        row = conn.execute("SELECT content_hash, version FROM standards WHERE key = ?", (ident.key,)).fetchone()
        if row and row["content_hash"] == digest:
            return "unchanged"
        seq = int(conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]) + 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(seq),))
        values = record.to_dict()
        for k in _JSON_FIELDS:
            values[k] = json.dumps(values[k], ensure_ascii=False)
        row_values = [values[k] for k in _COLUMNS]
        now = _now()
        if row is None:
            conn.execute(
                f"INSERT INTO standards (key, edition_key, slug, kind, year, ministry, {', '.join(_COLUMNS)},"
                f" content_hash, version, seq, updated_at) VALUES ({', '.join('?' * (len(_COLUMNS) + 10))})",
                [ident.key, ident.edition_key, ident.slug(), ident.kind, ident.year, ident.ministry, *row_values]
                + [digest, 1, seq, now],
            )
            return "new"
        conn.execute(
            f"UPDATE standards SET {', '.join(f'{k} = ?' for k in _COLUMNS)}, content_hash = ?,"
            " version = version + 1, seq = ?, updated_at = ? WHERE key = ?",
            [*row_values, digest, seq, now, ident.key],
        )
        return "changed"

    def upsert_many(self, records: Iterable[Standard], *, require_title: bool = True) -> dict[str, int]:
        """Upsert in one transaction (all or nothing); counts of new/changed/unchanged."""
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        with self.transaction() as tx:
            for record in records:
                counts[self.upsert(record, conn=tx, require_title=require_title)] += 1
        return counts

    def get(self, number: str) -> Standard:
        """The record for a number in any spelling; :class:`NotFound` otherwise."""
        ident = parse_loose(number)
        row = None
        if ident is not None:
            row = self._conn().execute("SELECT * FROM standards WHERE key = ?", (ident.key,)).fetchone()
        if row is None:
            raise NotFound(f"không có tiêu chuẩn / no standard {number[:80]!r}")
        return self._row_to_record(row)

    def get_by_slug(self, slug: str) -> Standard:
        row = self._conn().execute("SELECT * FROM standards WHERE slug = ?", (slug,)).fetchone()
        if row is None:
            raise NotFound(f"không có tiêu chuẩn / no standard {slug[:80]!r}")
        return self._row_to_record(row)

    def editions(self, edition_key: str) -> list[Standard]:
        """Every edition sharing a number without year, newest first."""
        rows = (
            self._conn()
            .execute("SELECT * FROM standards WHERE edition_key = ? ORDER BY year DESC", (edition_key,))
            .fetchall()
        )
        return [self._row_to_record(r) for r in rows]

    def all(self) -> Iterator[Standard]:
        for row in self._conn().execute("SELECT * FROM standards ORDER BY id"):
            yield self._row_to_record(row)

    def changed_since(self, seq: int) -> Iterator[Standard]:
        """Records written after watermark ``seq``, oldest write first."""
        for row in self._conn().execute("SELECT * FROM standards WHERE seq > ? ORDER BY seq", (seq,)):
            yield self._row_to_record(row)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return self._conn().execute("SELECT count(*) FROM standards").fetchone()[0]
        return self._conn().execute("SELECT count(*) FROM standards WHERE kind = ?", (kind,)).fetchone()[0]

    def newest(self, limit: int = 10) -> list[Standard]:
        rows = self._conn().execute("SELECT * FROM standards ORDER BY year DESC, id DESC LIMIT ?", (limit,)).fetchall()
        return [self._row_to_record(r) for r in rows]

    def related(self, record: Standard, limit: int = 8) -> list[Standard]:
        """Other standards of the same series or sharing an ICS code, newest first (then oldest written)."""
        ident = record.ident
        # the series is a range of the key index (keys are lower case): "tcvn 5699-" ≤ key < "tcvn 5699."
        series = f"{(ident.kind or '').lower()} {ident.base.lower()}-"
        conn = self._conn()
        rows = conn.execute(
            "SELECT * FROM standards WHERE key >= ? AND key < ? AND key != ? ORDER BY year DESC, id LIMIT ?",
            (series, series[:-1] + ".", record.key, limit),
        ).fetchall()
        codes = record.ics[:5]
        if codes:  # ICS codes sit in a JSON list: only this half scans the table
            clauses = " OR ".join("instr(ics, ?)" for _ in codes)
            rows += conn.execute(
                f"SELECT * FROM standards WHERE key != ? AND ({clauses}) ORDER BY year DESC, id LIMIT ?",
                [record.key, *(f'"{code}"' for code in codes), limit],
            ).fetchall()
        unique = {r["id"]: r for r in rows}.values()
        ordered = sorted(unique, key=lambda r: (r["year"] is None, -(r["year"] or 0), r["id"]))
        return [self._row_to_record(r) for r in ordered[:limit]]

    def slugs_for(self, numbers: list[str]) -> dict[str, str]:
        """``{number: slug}`` for those of ``numbers`` the store holds (any spelling)."""
        found = {}
        for number in numbers:
            ident = parse_loose(number)
            if ident is None:
                continue
            row = self._conn().execute("SELECT slug FROM standards WHERE key = ?", (ident.key,)).fetchone()
            if row:
                found[number] = row[0]
        return found

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database (SQLite's online backup API)."""
        dest = sqlite3.connect(target)
        try:
            self._conn().backup(dest)
        finally:
            dest.close()

    def recently_changed(self, limit: int = 50) -> list[Standard]:
        rows = self._conn().execute("SELECT * FROM standards ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
        return [self._row_to_record(r) for r in rows]

    def ics_counts(self) -> dict[str, int]:
        """How many standards sit under each ICS code or prefix."""
        counts: dict[str, int] = {}
        for (raw,) in self._conn().execute("SELECT ics FROM standards"):
            prefixes = set()
            for code in json.loads(raw):
                parts = code.split(".")
                prefixes.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
            for p in prefixes:
                counts[p] = counts.get(p, 0) + 1
        return counts

    # -- ICS ---------------------------------------------------------------------
    def load_ics(self, rows: Iterable[dict[str, Any]]) -> int:
        """Replace the ICS table; returns the number of codes."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM ics")
            n = 0
            for r in rows:
                tx.execute(
                    "INSERT INTO ics(code, level, parent, title_en, title_vi, scope_en) VALUES (?, ?, ?, ?, ?, ?)",
                    (r["code"], r["level"], r.get("parent"), r["title_en"], r.get("title_vi"), r.get("scope_en")),
                )
                n += 1
        return n

    def ics(self) -> dict[str, dict[str, Any]]:
        """Every ICS code as ``{code: {level, parent, title_en, title_vi, scope_en}}``."""
        rows = self._conn().execute("SELECT * FROM ics ORDER BY code").fetchall()
        return {r["code"]: dict(r) for r in rows}
