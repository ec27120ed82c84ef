"""Every text field the API accepts has a length limit, and an over-long one is a 422 that
names the field (a 100,000-character unit used to be stored)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import auth
from tests.service.helpers import review


def _schemas_of_request_bodies(doc: dict[str, Any]) -> set[str]:
    names = set()
    for path in doc["paths"].values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return names


def _unbounded_strings(doc: dict[str, Any], name: str, seen: set[str]) -> list[str]:
    """`Model.field` of every string in the schema (nested ones included) with no maxLength,
    pattern or enum."""
    if name in seen:
        return []
    seen.add(name)
    out = []
    for field, prop in doc["components"]["schemas"][name].get("properties", {}).items():
        for option in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
            if "$ref" in option:
                out += _unbounded_strings(doc, option["$ref"].rsplit("/", 1)[-1], seen)
            if option.get("type") == "string" and not {"maxLength", "pattern", "enum", "const"} & set(option):
                out.append(f"{name}.{field}")
    return out


def test_every_text_field_of_a_request_body_has_a_length_limit(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    names = _schemas_of_request_bodies(doc)
    assert {"ReviewIn", "ExtractionCreate", "MoveIn"} <= names
    seen: set[str] = set()
    assert [s for n in sorted(names) for s in _unbounded_strings(doc, n, seen)] == []


@pytest.mark.parametrize(("field", "limit"), [("unit", 200), ("note", 2000)])
def test_an_over_long_review_field_is_a_422_naming_it(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, field: str, limit: int) -> None:
    reviewer, fact = tokens["reviewer"], next(i for i in items if i["kind"] == "count")
    answer = review(client, reviewer, fact["id"], "correct", 1, value=1, **{field: "x" * (limit + 1)})
    assert answer.status_code == 422
    assert f"{field}: String should have at most {limit} characters" in answer.json()["detail"]
    assert client.get(f"/api/v1/extractions/{fact['id']}", headers=auth(reviewer)).json()["version"] == 1
    assert review(client, reviewer, fact["id"], "correct", 1, value=1, **{field: "x" * limit}).status_code == 200


@pytest.mark.parametrize("value", ["2" * 100_000, {"start": "2025-01", "end": "9" * 5000}])
def test_an_over_long_value_is_refused_without_repeating_it(  # type: ignore[no-untyped-def]
        client: TestClient, tokens: dict[str, str], items, value: Any) -> None:
    fact = next(i for i in items if i["kind"] == ("period" if isinstance(value, dict) else "date"))
    answer = review(client, tokens["reviewer"], fact["id"], "correct", 1, value=value)
    assert answer.status_code == 422
    assert "200 characters" in answer.json()["detail"] and len(answer.text) < 500
