"""The recommender's tables: ``product_groups``, ``hs_headings``, ``hs_lines`` and ``product_regulations``.

Contract: one method per statement; validation and the meaning of a group live in
:mod:`catalogue.recommend.taxonomy`.  Methods that take a ``conn`` write inside
the caller's transaction.  Group rows are returned as dicts with their JSON
columns still encoded (the taxonomy decodes them), HS lines with ``measures``
decoded.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogue.store.database import Store

__all__ = ["GROUP_COLUMNS", "GroupRepository"]

GROUP_COLUMNS = ("name_vi", "name_en", "sector", "synonyms", "hs", "ics", "regulations", "standards")


class GroupRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- HS nomenclature ---------------------------------------------------------
    def clear_hs(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM hs_headings")
        conn.execute("DELETE FROM hs_lines")

    def insert_heading(self, conn: sqlite3.Connection, code: str, vi: str, en: str) -> None:
        conn.execute("INSERT INTO hs_headings(code, vi, en) VALUES (?, ?, ?)", (code, vi, en))

    def insert_line(
        self,
        conn: sqlite3.Connection,
        code: str,
        vi: str,
        en: str,
        parent_vi: str | None,
        parent_en: str | None,
        measures: Sequence[str],
    ) -> None:
        conn.execute(
            "INSERT INTO hs_lines(code, vi, en, parent_vi, parent_en, measures) VALUES (?, ?, ?, ?, ?, ?)",
            (code, vi, en, parent_vi, parent_en, json.dumps(list(measures), ensure_ascii=False)),
        )

    def hs_lines(self) -> Iterator[dict[str, Any]]:
        """Every tariff line with its heading's names (``heading_vi``, ``heading_en``), by code."""
        rows = self.store._conn().execute(
            "SELECT l.*, h.vi AS heading_vi, h.en AS heading_en FROM hs_lines l"
            " LEFT JOIN hs_headings h ON h.code = substr(l.code, 1, 4) ORDER BY l.code"
        )
        for r in rows:
            yield {**dict(r), "measures": json.loads(r["measures"])}

    def has_hs(self) -> bool:
        return self.store._conn().execute("SELECT 1 FROM hs_lines LIMIT 1").fetchone() is not None

    def hs_codes(self) -> list[str]:
        return [r[0] for r in self.store._conn().execute("SELECT code FROM hs_lines")]

    # -- product -> QCVN rows ------------------------------------------------------
    def clear_product_regulations(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM product_regulations")

    def insert_product_regulation(self, conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        conn.execute("INSERT INTO product_regulations(data) VALUES (?)", (json.dumps(row, ensure_ascii=False),))

    def product_regulations(self) -> list[dict[str, Any]]:
        return [
            json.loads(r[0]) for r in self.store._conn().execute("SELECT data FROM product_regulations ORDER BY id")
        ]

    # -- groups ------------------------------------------------------------------
    def group(self, slug: str, conn: sqlite3.Connection | None = None) -> dict[str, Any] | None:
        """The row for ``slug`` (read through ``conn`` inside a transaction), or ``None``."""
        row = (conn or self.store._conn()).execute("SELECT * FROM product_groups WHERE slug = ?", (slug,)).fetchone()
        return dict(row) if row else None

    def groups(self) -> list[dict[str, Any]]:
        rows = self.store._conn().execute("SELECT * FROM product_groups ORDER BY sector, name_vi").fetchall()
        return [dict(r) for r in rows]

    def insert_group(self, conn: sqlite3.Connection, slug: str, values: dict[str, str], now: str) -> None:
        """A new group at version 1; ``values`` holds :data:`GROUP_COLUMNS`, JSON columns encoded."""
        conn.execute(
            f"INSERT INTO product_groups (slug, {', '.join(GROUP_COLUMNS)}, version, updated_at)"
            f" VALUES (?, {', '.join('?' * len(GROUP_COLUMNS))}, 1, ?)",
            [slug, *[values[c] for c in GROUP_COLUMNS], now],
        )

    def update_group(self, conn: sqlite3.Connection, slug: str, values: dict[str, str], now: str) -> None:
        """Rewrite a group and bump its version."""
        conn.execute(
            f"UPDATE product_groups SET {', '.join(f'{c} = ?' for c in GROUP_COLUMNS)}, version = version + 1,"
            " updated_at = ? WHERE slug = ?",
            [*[values[c] for c in GROUP_COLUMNS], now, slug],
        )

    def bump_version(self, conn: sqlite3.Connection) -> None:
        """Tell readers (the recommender) that some group changed."""
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'groups_version'")
