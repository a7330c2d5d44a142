"""Request descriptions of the SCIM API for ``/openapi.json`` (RFC 7643/7644 shapes, loosely).

The routes validate bodies with scim2-models; these schemas only tell clients and the fuzzing
test (tests/web/test_openapi.py) what a request looks like, so they stay small and permissive.
"""

from __future__ import annotations

from typing import Any

from web.openapi import STRING, json_body
from web.scim.http import MEDIA_TYPE

URNS: dict[str, Any] = {"type": "array", "items": STRING}
BOOLEAN: dict[str, Any] = {"type": "boolean"}

USER = json_body(
    {
        "type": "object",
        "properties": {
            "schemas": URNS,
            "userName": STRING,
            "externalId": STRING,
            "active": BOOLEAN,
            "name": {
                "type": "object",
                "properties": {"givenName": STRING, "familyName": STRING},
            },
            "emails": {
                "type": "array",
                "items": {"type": "object", "properties": {"value": STRING, "primary": BOOLEAN}},
            },
        },
        "required": ["schemas", "userName"],
    },
    media_type=MEDIA_TYPE,
)
GROUP = json_body(
    {
        "type": "object",
        "properties": {
            "schemas": URNS,
            "displayName": STRING,
            "members": {
                "type": "array",
                "items": {"type": "object", "properties": {"value": STRING}},
            },
        },
        "required": ["schemas", "displayName"],
    },
    media_type=MEDIA_TYPE,
)
PATCH = json_body(
    {
        "type": "object",
        "properties": {
            "schemas": URNS,
            "Operations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "op": {"enum": ["add", "remove", "replace"]},
                        "path": STRING,
                        "value": {},
                    },
                    "required": ["op"],
                },
            },
        },
        "required": ["schemas", "Operations"],
    },
    media_type=MEDIA_TYPE,
)
SEARCH_FIELDS: dict[str, Any] = {
    "filter": STRING,
    "startIndex": {"type": "integer"},
    "count": {"type": "integer"},
    "sortBy": STRING,
    "sortOrder": {"enum": ["ascending", "descending"]},
}
SEARCH = json_body(
    {"type": "object", "properties": {"schemas": URNS, **SEARCH_FIELDS}}, media_type=MEDIA_TYPE
)
#: ``GET /Users`` and ``GET /Groups`` read these from the query string.
LISTING: dict[str, Any] = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in SEARCH_FIELDS.items()
    ]
}
