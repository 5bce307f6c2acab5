"""The builder's working set: records merged on the normalised number, their statements and references.

Contracts of :class:`Gathered`:

* :meth:`Gathered.add` merges fields into the record of a number's key: lists
  (relations, ICS, sources, remarks) are unions in arrival order; a scalar keeps
  the first non-empty value, so files read most trusted first win.
* :meth:`Gathered.state` records a source's statement of status; the statements
  are weighed later (:func:`catalogue.editions.settle`).
* :meth:`Gathered.refer` keeps a number that is not a record (a historic TCXD
  code, an untitled citation, a row to confirm), with its sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.editions import Statement

__all__ = ["Gathered"]

_LISTS = ("replaces", "replaced_by", "ics", "notes", "sources", "equivalents", "amendments")


@dataclass
class Gathered:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    statements: dict[str, list[Statement]] = field(default_factory=dict)
    references: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, key: str, number: str, fields: dict[str, Any]) -> dict[str, Any]:
        target = self.entries.setdefault(key, {"number": number, "extra": {}})
        for name, value in fields.items():
            if name in _LISTS:
                target.setdefault(name, [])
                target[name] += [v for v in value if v not in target[name]]
            elif name == "extra":
                for k, v in value.items():
                    if k == "remarks":
                        have = target["extra"].setdefault("remarks", [])
                        have += [r for r in v if r not in have]
                    elif k == "historic":
                        have = target["extra"].setdefault("historic", [])
                        have += [h for h in v if h["number"] not in {x["number"] for x in have}]
                    elif v not in (None, "", [], {}) and k not in target["extra"]:
                        target["extra"][k] = v
            elif name == "ics_vi":
                target.setdefault("ics_vi", {}).update({k: v for k, v in value.items() if v})
            elif target.get(name) in (None, False, "") and value not in (None, ""):
                target[name] = value
        return target

    def has(self, key: str) -> bool:
        return key in self.entries

    def state(self, key: str, statement: Statement) -> None:
        have = self.statements.setdefault(key, [])
        if statement not in have:
            have.append(statement)

    def refer(self, number: str, why: str, source: dict[str, Any], **fields: Any) -> None:
        ref = self.references.setdefault(number, {"number": number, "why": why, "sources": []})
        if source not in ref["sources"]:
            ref["sources"].append(source)
        for k, v in fields.items():
            if v and not ref.get(k):
                ref[k] = v
