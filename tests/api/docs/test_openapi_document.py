"""The OpenAPI document validates, names no missing schema, and shows an example, taken
from the real data, for every request body."""

import jsonschema
import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def doc() -> dict:
    app = create_app(Settings(), url="postgresql+psycopg://x@127.0.0.1:1/x")
    return TestClient(app).get("/openapi.json").json()


def _bodies(doc):
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for media, entry in operation.get("requestBody", {}).get("content", {}).items():
                yield f"{method.upper()} {path} {media}", entry


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi__document_validates(doc):
    validate(doc)  # raises with the failing path


def test_openapi__every_reference_resolves(doc):
    schemas = doc["components"]["schemas"]
    refs = set(_refs(doc))
    assert "#/components/schemas/CheckRequest" in refs
    assert "#/components/parameters/limit" in refs  # the OGC items paths' page size

    def resolves(ref: str) -> bool:
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    assert {r for r in refs if not resolves(r)} == set()
    assert schemas["CheckRequest"]["required"] == ["geometry"]


def test_openapi__every_request_body_has_an_example(doc):
    bodies = dict(_bodies(doc))
    assert len(bodies) >= 17  # every POST with a body, each content type
    missing = [name for name, entry in bodies.items()
               if "example" not in entry and not entry.get("examples")]
    assert missing == []


def test_openapi__json_examples_fit_their_schemas(doc):
    """Each JSON example validates against its body's schema (references resolved)."""
    checked = 0
    for name, entry in _bodies(doc):
        if not name.endswith("json") or "$ref" not in entry["schema"]:
            continue
        schema = {**entry["schema"], "components": doc["components"]}
        jsonschema.validate(entry["example"], schema,
                            cls=jsonschema.Draft202012Validator)
        checked += 1
    assert checked >= 10, checked


def test_openapi__examples_use_real_places(doc):
    bodies = dict(_bodies(doc))
    check = bodies["POST /v1/check application/json"]["example"]
    assert check["geometry"]["coordinates"][-1] == [105.3208, 23.3590]  # Lũng Cú
    decision = bodies["POST /v1/decisions application/json"]["example"]
    assert decision["area"]["commune_codes"] == ["00715"] and decision["province_code"] == "08"
    crossing = bodies["POST /v1/crossings/check application/json"]["example"]
    assert crossing["gate_id"] == "VN-GATE-010"  # Hữu Nghị, Lạng Sơn
