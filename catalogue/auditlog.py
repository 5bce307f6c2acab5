"""The audit log as people read it: action labels, readable values, local times, filters.

Contracts:

* :func:`action_label` names an action in the reader's language (``vi`` or
  ``en``); an action this module does not know is shown as its code, never
  dropped.
* :func:`readable` renders a stored value without Python or JSON syntax: empty
  for ``None``, lists joined by ``"; "``, an equivalence as ``number (degree)``,
  a mapping as ``key: value`` pairs.
* :func:`local_time` shows a stored UTC time in Vietnam's zone
  (``Asia/Ho_Chi_Minh``, UTC+7, no daylight saving) with the zone named.
* :class:`AuditFilter` is what the admin's filters ask for (action, user, record,
  a range of local days); :meth:`AuditFilter.query` turns it into the store's
  search (UTC bounds), so the filtering itself is SQL, over the whole log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = ["ACTIONS", "ZONE", "ZONE_NAME", "AuditFilter", "action_label", "local_time", "readable"]

ZONE_NAME = "Asia/Ho_Chi_Minh"
try:
    from zoneinfo import ZoneInfo

    ZONE: dt.tzinfo = ZoneInfo(ZONE_NAME)
except Exception:  # no tz database on this machine: Vietnam has kept UTC+7, without DST, since 1975
    ZONE = dt.timezone(dt.timedelta(hours=7), "ICT")

ACTIONS: dict[str, tuple[str, str]] = {
    "create": ("Tạo mới", "Created"),
    "edit": ("Sửa", "Edited"),
    "withdraw": ("Hủy bỏ", "Withdrawn"),
    "replace": ("Liên kết thay thế", "Replacement linked"),
    "confirm": ("Xác nhận từ nguồn", "Confirmed from a source"),
    "import": ("Nhập từ tệp", "Imported from a file"),
    "crawl": ("Thu thập tự động", "Crawled"),
    "accept-quarantined": ("Chấp nhận bản ghi cách ly", "Accepted from quarantine"),
    "create-group": ("Tạo nhóm sản phẩm", "Product group created"),
    "edit-group": ("Sửa nhóm sản phẩm", "Product group edited"),
    "restore": ("Khôi phục bản sao lưu", "Backup restored"),
    "save": ("Lưu", "Saved"),
}


def action_label(action: str, lang: str = "vi") -> str:
    labels = ACTIONS.get(action)
    if labels is None:
        return action
    return labels[1 if lang == "en" else 0]


def readable(value: Any) -> str:
    """``value`` as plain text (see the module's contract)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return "; ".join(part for part in (readable(v) for v in value) if part)
    if isinstance(value, dict):
        if set(value) <= {"number", "degree"} and "number" in value:  # an equivalence
            return f"{value['number']} ({value['degree']})" if value.get("degree") else str(value["number"])
        return ", ".join(f"{k}: {readable(v)}" for k, v in value.items() if readable(v))
    return str(value)


def local_time(stamp: str | None) -> str:
    """``2026-01-02T03:04:05+00:00`` as ``2026-01-02 10:04 (Asia/Ho_Chi_Minh)``; unreadable text as given."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(ZONE):%Y-%m-%d %H:%M} ({ZONE_NAME})"


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


@dataclass
class AuditFilter:
    """Entries by action, user, record (its number, any case) and a local date range (inclusive)."""

    action: str = ""
    user: str = ""
    target: str = ""
    since: str = ""
    until: str = ""

    @classmethod
    def from_query(cls, params: Any) -> AuditFilter:
        return cls(
            **{k: str(params.get(k, "") or "").strip()[:200] for k in ("action", "user", "target", "since", "until")}
        )

    @property
    def problems(self) -> list[str]:
        """Dates that are not ``YYYY-MM-DD`` (they are then ignored, and the page says so)."""
        return [
            f"ngày không hợp lệ / not a date (YYYY-MM-DD): {value}"
            for value in (self.since, self.until)
            if value and _day(value) is None
        ]

    @property
    def active(self) -> bool:
        return any((self.action, self.user, self.target, self.since, self.until))

    def bounds(self) -> tuple[str | None, str | None]:
        """The date range as UTC times ``[since, until)`` in the log's own format, local days made whole."""
        since, until = _day(self.since), _day(self.until)

        def utc(day: dt.date) -> str:
            start = dt.datetime.combine(day, dt.time(), tzinfo=ZONE)
            return start.astimezone(dt.UTC).isoformat(timespec="seconds")

        return (utc(since) if since else None, utc(until + dt.timedelta(days=1)) if until else None)

    def query(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`catalogue.store.audit.AuditRepository.search`."""
        since, until = self.bounds()
        return {"action": self.action, "user": self.user, "target": self.target, "since": since, "until": until}
