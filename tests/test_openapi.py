"""The OpenAPI description: valid 3.1 with valid JSON Schemas, enums and bounds from the declarations."""

from __future__ import annotations

import jsonschema

from catalogue.identifiers import KINDS
from catalogue.model import STATUSES, YEAR_MAX, YEAR_MIN
from catalogue.search.searcher import SORTS
from catalogue.web.openapi import SPEC


def _schemas(node: object):
    if isinstance(node, dict):
        if "schema" in node and isinstance(node["schema"], dict):
            yield node["schema"]
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


def test_the_document_is_openapi_3_1_with_valid_schemas() -> None:
    assert SPEC["openapi"].startswith("3.1") and SPEC["info"]["title"]
    schemas = list(_schemas(SPEC["paths"]))
    assert len(schemas) > 10
    for schema in schemas:
        jsonschema.Draft202012Validator.check_schema(schema)


def test_parameters_take_their_choices_and_bounds_from_the_declarations() -> None:
    params = {p["name"]: p["schema"] for p in SPEC["paths"]["/api/search"]["get"]["parameters"]}
    assert params["kind"]["enum"] == list(KINDS)
    assert params["status"]["enum"] == list(STATUSES)
    assert params["sort"]["enum"] == list(SORTS)
    assert (params["year_from"]["minimum"], params["year_to"]["maximum"]) == (YEAR_MIN, YEAR_MAX)


def test_every_path_has_an_example_and_an_error_schema_for_4xx() -> None:
    for path, item in SPEC["paths"].items():
        responses = item["get"]["responses"]
        assert "200" in responses, path
        for status, response in responses.items():
            if status.startswith("4"):
                assert "error" in response["content"]["application/json"]["schema"]["required"], (path, status)
