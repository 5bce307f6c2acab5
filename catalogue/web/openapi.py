"""The OpenAPI 3.1 description of the JSON API, served at ``/openapi.json`` and rendered at ``/api``.

Contract: every ``/api/`` route of the app is described here (a test compares the
two), and every response the API gives validates against these schemas (a
property-based test fuzzes the parameters).
"""

from __future__ import annotations

from typing import Any

from catalogue.identifiers import KINDS
from catalogue.model import BASES, STATUSES, YEAR_MAX, YEAR_MIN
from catalogue.search.searcher import SORTS

__all__ = ["SPEC"]

_error = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
_nullable_str = {"type": ["string", "null"]}
_hit = {
    "type": "object",
    "required": [
        "number",
        "slug",
        "kind",
        "title_vi",
        "title_en",
        "status",
        "year",
        "ics",
        "score",
        "highlight",
        "current",
        "replaced_by",
    ],
    "properties": {
        "number": {"type": "string"},
        "slug": {"type": "string"},
        "kind": {"enum": list(KINDS)},
        "title_vi": _nullable_str,
        "title_en": _nullable_str,
        "status": {"enum": list(STATUSES)},
        "year": {"type": ["integer", "null"]},
        "ics": {"type": "array", "items": {"type": "string"}},
        "score": {"type": "number"},
        "highlight": {"type": "string"},
        "snippet": _nullable_str,
        "match": {"type": "string"},
        "current": {**_nullable_str, "description": "Number of the current edition, when something says which it is"},
        "replaced_by": {"type": "array", "items": {"type": "string"}},
        "confirmed_by": {**_nullable_str, "description": "Untitled records: kind|site of the source confirming it"},
    },
}
_counts = {"type": "object", "additionalProperties": {"type": "integer"}}
_search = {
    "type": "object",
    "required": ["query", "total", "page", "limit", "hits", "facets", "suggestion"],
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "limit": {"type": "integer", "minimum": 1},
        "hits": {"type": "array", "items": _hit},
        "facets": {
            "type": "object",
            "properties": {k: _counts for k in ("kind", "status", "ics_field", "ministry", "decade")},
        },
        "suggestion": _nullable_str,
        "message": _nullable_str,
        "filters": {"type": "object"},
        "notices": {"type": "array", "items": {"enum": ["truncated", "simplified", "type", "nothing"]}},
    },
}
_standard = {
    "type": "object",
    "required": ["number", "kind", "status", "status_basis", "current", "replaced_by", "sources"],
    "properties": {
        "number": {"type": "string"},
        "kind": {"enum": list(KINDS)},
        "year": {"type": ["integer", "null"]},
        "title_vi": _nullable_str,
        "title_en": _nullable_str,
        "scope_vi": _nullable_str,
        "status": {"enum": list(STATUSES)},
        "status_basis": {"enum": list(BASES)},
        "status_reason": {
            "type": "object",
            "description": "Evidence for the status: rule (presumed), via, ref, kind, trust, quote, date",
        },
        "current": {**_nullable_str, "description": "Number of the current edition, when something says which it is"},
        "replaces": {"type": "array", "items": {"type": "string"}},
        "replaced_by": {"type": "array", "items": {"type": "string"}},
        "ics": {"type": "array", "items": {"type": "string"}},
        "equivalents": {"type": "array", "items": {"type": "object"}},
        "sources": {"type": "array", "items": {"type": "object"}},
        "url": {"type": "string"},
    },
}
_suggest = {
    "type": "object",
    "required": ["query", "suggestions"],
    "properties": {
        "query": {"type": "string"},
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "title", "status", "url"],
                "properties": {k: {"type": "string"} for k in ("number", "title", "status", "url")},
            },
        },
    },
}
_ics_node = {
    "type": "object",
    "required": ["code", "title_en", "count"],
    "properties": {
        "code": {"type": "string"},
        "title_en": {"type": "string"},
        "title_vi": _nullable_str,
        "count": {"type": "integer"},
        "children": {"type": "array", "items": {"type": "object"}},
    },
}
_recommendation = {
    "type": "object",
    "required": ["number", "title_vi", "kind", "mandatory", "legal_basis", "reason", "score"],
    "properties": {
        "number": {"type": "string"},
        "title_vi": _nullable_str,
        "kind": {"enum": ["TCVN", "QCVN"]},
        "mandatory": {"type": "boolean", "description": "only with a stated basis covering this product"},
        "basis": {
            "type": "string",
            "description": "legal | hs_group2 (mandatory); cover | title | group (may also apply); sector; voluntary",
        },
        "legal_basis": _nullable_str,
        "reason": {"type": "string"},
        "reason_en": {"type": "string"},
        "named": {"type": "array", "items": {"type": "string"}, "description": "editions the legal text names"},
        "edition_note": _nullable_str,
        "decision": _nullable_str,
        "hs": {"type": "array", "items": {"type": "string"}},
        "score": {"type": "number"},
    },
}
_recommend = {
    "type": "object",
    "required": ["groups", "recommendations"],
    "properties": {
        "outcome": {"enum": ["ok", "none_known", "not_understood", "question"]},
        "groups": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "name_vi", "score"],
                "properties": {"slug": {"type": "string"}, "name_vi": {"type": "string"}, "score": {"type": "number"}},
            },
        },
        "recommendations": {"type": "array", "items": _recommendation},
        "sector_rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "why", "items"],
                "properties": {
                    "id": {"type": "string"},
                    "why": {"type": "string"},
                    "items": {"type": "array", "items": _recommendation},
                },
            },
        },
        "question": {"type": ["object", "null"]},
        "message": _nullable_str,
        "coverage": {"type": "object"},
    },
}


def _param(name: str, description: str, kind: str = "string", required: bool = False, **extra: Any) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": kind, **extra},
    }


def _op(summary: str, params: list[dict], schema: dict, example: str, errors: tuple[int, ...] = (400,)) -> dict:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for status in errors:
        responses[str(status)] = {"description": "Error", "content": {"application/json": {"schema": _error}}}
    return {"get": {"summary": summary, "parameters": params, "responses": responses, "x-example": example}}


SEARCH_PARAMS = [
    _param("q", "Words (with or without diacritics) or a standard number in any spelling"),
    _param("kind", "TCVN or QCVN", enum=list(KINDS)),
    _param("status", "active, withdrawn, replaced or unknown", enum=list(STATUSES)),
    _param("ics", "ICS code or prefix, e.g. 67.100", pattern=r"^\d{2}(\.\d{3}(\.\d{2})?)?$"),
    _param("ministry", "Issuing ministry of a QCVN, e.g. BKHCN"),
    _param("year_from", "First year", "integer", minimum=YEAR_MIN, maximum=YEAR_MAX),
    _param("year_to", "Last year", "integer", minimum=YEAR_MIN, maximum=YEAR_MAX),
    _param("page", "Page number", "integer", minimum=1),
    _param("limit", "Results per page (1-100)", "integer", minimum=1, maximum=100),
    _param("sort", "relevance or newest", enum=list(SORTS)),
]

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "tieuchuan API",
        "version": "0.1.0",
        "description": "Search Vietnam's national standards (TCVN) and technical regulations (QCVN), and find the "
        'standards that apply to a product. JSON in and out; errors are {"error": {"code", "message"}}.',
    },
    "paths": {
        "/api/search": _op("Search the catalogue", SEARCH_PARAMS, _search, "/api/search?q=nuoc+mam"),
        "/api/standards/{number}": {
            "get": {
                "summary": "One standard by its number in any spelling",
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "description": "e.g. TCVN 8430:2010",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {"schema": _standard}}},
                    "404": {"description": "No such standard", "content": {"application/json": {"schema": _error}}},
                },
                "x-example": "/api/standards/TCVN%208430:2010",
            }
        },
        "/api/suggest": _op(
            "Instant suggestions while typing",
            [_param("q", "The text typed so far")],
            _suggest,
            "/api/suggest?q=nuoc+ma",
        ),
        "/api/ics": _op(
            "The ICS tree with counts",
            [_param("code", "Show the children of this code")],
            {"type": "object", "required": ["nodes"], "properties": {"nodes": {"type": "array", "items": _ics_node}}},
            "/api/ics?code=67",
            errors=(400, 404),
        ),
        "/api/recommend": _op(
            "Standards that apply to a product",
            [
                _param("product", "The product, in Vietnamese or English"),
                _param("hs", "HS code, with or without dots"),
                _param("include_withdrawn", "Also list withdrawn editions (true/false)"),
            ],
            _recommend,
            "/api/recommend?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
        ),
    },
}
