"""The record form of the admin (edit, new, fix-and-accept): its fields, its values, what it submits.

Contracts:

* :data:`FORM_FIELDS` is every field the form edits; :func:`form_values` fills it
  from a stored record, :func:`prefill` from what the quarantine kept of a bad row
  or page (nothing made up: a field the row lacks stays empty).
* :func:`from_form` turns a submitted form into a :class:`~catalogue.model.Standard`;
  a page count that is not a number is a :class:`~catalogue.errors.ValidationError`
  (a 400 beside the form, never a 500).
"""

from __future__ import annotations

from typing import Any

from catalogue.errors import ValidationError
from catalogue.model import Equivalence, Standard
from indexer.sources.file import COLUMNS, status_code

__all__ = ["FORM_FIELDS", "form_values", "from_form", "lines", "prefill"]


def lines(value: Any) -> list[str]:
    return [v.strip() for v in str(value or "").replace(",", "\n").splitlines() if v.strip()]


def from_form(form: Any, number: str) -> Standard:
    def text(name: str) -> str | None:
        value = str(form.get(name, "")).strip()
        return value or None

    equivalents = [Equivalence(e, text("degree")) for e in lines(form.get("equivalents"))]
    pages = text("pages")
    if pages is not None and not pages.isdigit():
        raise ValidationError("số trang phải là số / pages must be a number", ["pages must be a number"])
    return Standard(
        number=number,
        title_vi=text("title_vi"),
        title_en=text("title_en"),
        scope_vi=text("scope_vi"),
        status=text("status") or "unknown",
        status_basis="stated" if text("status") not in (None, "unknown") else "unknown",
        replaces=lines(form.get("replaces")),
        replaced_by=lines(form.get("replaced_by")),
        ics=lines(form.get("ics")),
        equivalents=equivalents,
        technical_committee=text("technical_committee"),
        decision=text("decision"),
        decision_date=text("decision_date"),
        issue_date=text("issue_date"),
        effective_date=text("effective_date"),
        withdrawn_by=text("withdrawn_by"),
        withdrawn_date=text("withdrawn_date"),
        pages=int(pages) if pages else None,
    )


# the import file's columns under the record's names, in the template's order: the form edits what a file
# can hold (a file's "equivalent" is the record's "equivalents"; "source" becomes a source, not a field)
FORM_FIELDS = tuple("equivalents" if c == "equivalent" else c for c in COLUMNS if c != "source")
_ALIASES = {"equivalents": ("equivalent",), "scope_vi": ("scope",), "technical_committee": ("committee",)}
LIST_FIELDS = ("ics", "replaces", "replaced_by", "equivalents")


def prefill(raw: dict[str, Any]) -> dict[str, str]:
    """The fix-and-accept form's values from what the quarantine kept of a row or page.

    A crawled page keeps ``{"fields": {name: [values]}}`` (``scope``, ``committee``, ``equivalent`` in the
    page reader's names); an imported row keeps its cells (``equivalent`` for ``equivalents``); a status
    label becomes its code.  Nothing is made up: a field the row lacks is empty.
    """
    fields = raw.get("fields") if isinstance(raw.get("fields"), dict) else raw
    out = {}
    for name in FORM_FIELDS:
        value = fields.get(name)
        if value is None and name in _ALIASES:  # the crawler's and the import's own names for a field
            value = next((fields[a] for a in _ALIASES[name] if fields.get(a) is not None), None)
        if isinstance(value, list):
            value = ("\n" if name in LIST_FIELDS else " ").join(str(v) for v in value if v is not None)
        text = "" if value is None or isinstance(value, dict) else str(value).strip()
        if name in LIST_FIELDS and text and "\n" not in text:
            text = "\n".join(p.strip() for p in text.replace(";", ",").replace("|", ",").split(",") if p.strip())
        out[name] = text
    out["status"] = status_code(out["status"]) or "unknown"
    return out


def form_values(record: Standard | None) -> dict[str, str]:
    """The edit form's values (strings by field name) for ``record``, all empty for a new one."""
    if record is None:
        return dict.fromkeys(FORM_FIELDS, "")
    values = {name: "" if getattr(record, name, None) is None else str(getattr(record, name)) for name in FORM_FIELDS}
    for name in ("ics", "replaces", "replaced_by"):
        values[name] = "\n".join(getattr(record, name))
    values["equivalents"] = "\n".join(e.number for e in record.equivalents)
    values["degree"] = (record.equivalents[0].degree or "") if record.equivalents else ""
    return values
