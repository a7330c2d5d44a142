"""The OpenAPI description of the JSON APIs (``/openapi.json``); pages stay out of it.

Most JSON routes read their own bodies (bounded, in each API's error format), so FastAPI cannot
infer a request schema: they declare it with :func:`json_body` or :func:`form_body`. The suite
runs schemathesis against this description (tests/web/test_openapi.py), so a route added to a
JSON API is fuzzed from the day it appears.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

#: The JSON APIs' routers are included in the description; every other router is a page.
JSON_API_TAGS = ("scim", "oauth2", "api", "codec", "health")


def json_body(
    schema: type[BaseModel] | dict[str, Any], *, media_type: str = "application/json"
) -> dict[str, Any]:
    """``openapi_extra`` for a route that parses its JSON body itself."""
    described = schema.model_json_schema() if isinstance(schema, type) else schema
    return {
        "requestBody": {
            "required": True,
            "content": {media_type: {"schema": described}},
        }
    }


def form_body(
    fields: dict[str, dict[str, Any]], *, required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads an urlencoded form itself (OAuth endpoints)."""
    schema = {"type": "object", "properties": fields, "required": list(required)}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


STRING: dict[str, Any] = {"type": "string"}
