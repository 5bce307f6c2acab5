"""A record as people read it: the basis of its status, its sources in words, its remarks and notes.

Contracts:

* Everything returned is in the page's language (:mod:`catalogue.web.i18n`) and
  holds no repository path, file name, commit or raw field: those stay in the
  JSON API.  A source's link is a web page, or a repository's home page.
* An untitled record reads "chưa có tên — số hiệu do <nguồn> xác nhận" (English:
  "untitled — number confirmed by <source>").
"""

from __future__ import annotations

from typing import Any

from catalogue import provenance
from catalogue.model import Standard
from catalogue.web.i18n import in_lang, messenger

__all__ = ["basis_text", "notes", "remarks", "source_words", "sources", "untitled"]

MAX_QUOTE = 300
HIDDEN_REMARKS = {"status_in_source"}  # curators' wording of a status: in the JSON API only


def source_words(kind: str, name: str | None, lang: str) -> str:
    """``"quyết định công bố (vsqi.gov.vn)"``: a source's kind in words, with its site when known."""
    words = messenger(lang)(f"kind:{kind}")
    return f"{words} ({name})" if name else words


def untitled(confirmed: str | None, lang: str) -> str:
    """The line an untitled record shows, from ``"<kind>|<site>"`` (see :func:`provenance.confirmed_by`)."""
    msg = messenger(lang)
    if not confirmed:
        return msg("untitled_plain")
    kind, _, name = confirmed.partition("|")
    return msg("untitled", source=source_words(kind, name or None, lang))


def basis_text(record: Standard, lang: str) -> str:
    """One sentence saying where the status comes from."""
    msg = messenger(lang)
    reason = record.status_reason
    if record.status_basis == "official":
        return msg("basis:official")
    if record.status_basis == "presumed":
        listed = reason.get("list_en" if lang == "en" else "list_vi") or ""
        return msg(f"rule:{reason.get('rule')}", via=reason.get("via") or "", list=listed)
    if record.status_basis == "stated":
        described = provenance.describe({"ref": reason.get("ref"), "kind": reason.get("kind")})
        source = source_words(described["kind"], described["name"], lang)
        quote = (reason.get("quote") or "")[:MAX_QUOTE]
        text = msg("basis:stated_quote", source=source, quote=quote) if quote else msg("basis:stated", source=source)
        if reason.get("date"):
            text += " " + msg("basis:since", date=reason["date"])
        return text
    return msg("basis:unknown")


def sources(record: Standard, lang: str) -> list[dict[str, Any]]:
    """Each distinct source once: ``kind`` and ``trust`` in words, ``name`` and ``url`` when public."""
    msg = messenger(lang)
    seen, out = set(), []
    for src in record.sources:
        d = provenance.describe(src)
        key = (d["kind"], d["name"], d["url"])
        if key in seen:
            continue
        seen.add(key)
        out.append({**d, "kind_text": msg(f"kind:{d['kind']}"), "trust_text": msg(f"trust:{d['trust']}")})
    order = provenance.TRUST_ORDER
    return sorted(out, key=lambda d: order.get(d["trust"], 99))


def remarks(record: Standard, lang: str) -> list[str]:
    msg = messenger(lang)
    out = []
    for remark in record.extra.get("remarks") or []:
        if remark.get("code") in HIDDEN_REMARKS:
            continue
        params = {k: v for k, v in remark.items() if k != "code"}
        if "field" in params:
            params["field"] = msg(f"field:{params['field']}")
        for k in ("titles", "codes"):
            if k in params:
                params[k] = "; ".join(params[k]) if k == "titles" else ", ".join(params[k])
        try:
            out.append(msg(f"remark:{remark.get('code')}", **params))
        except (KeyError, IndexError):  # a remark this version cannot word: say nothing rather than fail
            continue
    if provenance.citation_only(record.sources):
        out.append(msg("remark:citation_only"))
    return out


def notes(record: Standard, lang: str) -> list[str]:
    """The secretariat's notes (written "tiếng Việt / English") in the page's language."""
    return [in_lang(n, lang) for n in record.notes]
