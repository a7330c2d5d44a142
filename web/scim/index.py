"""The search index of a resource: one row per simple value, in the form filters compare.

scim2-models defines how a filter compares (``AttributeBinding.comparable``: NFC, lower case
unless the attribute is ``caseExact``); storing every value already in that form lets the database
answer ``eq``/``co``/``sw``/``ew``/``gt``… exactly as :meth:`ScimFilter.match` would in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from inspect import isclass
from typing import Any

from pydantic import TypeAdapter
from scim2_models import Path
from scim2_models.path.resolution import AttributeBinding

from web.scim.catalog import GROUP_SCHEMA, USER_SCHEMA, GroupResource, Limits

#: Attributes kept in ``scim_resources`` columns rather than in the index.
NOT_INDEXED = frozenset({"schemas", "id", "meta"})
_DATETIME = TypeAdapter(datetime)


@dataclass(frozen=True)
class IndexedValue:
    """One row of ``scim_index`` before it has a resource id."""

    attr: str
    entry: int
    leading: bool
    text: str | None = None
    flag: bool | None = None
    moment: datetime | None = None


class ValueTooLong(ValueError):
    """A string longer than :attr:`Limits.MAX_STRING_CHARS`; the API answers 400."""


_BINDINGS: dict[tuple[object, str], AttributeBinding | None] = {}


def binding(model: type[Any], urn: str) -> AttributeBinding | None:
    """The attribute ``urn`` designates on ``model`` (cached: models are fixed per process)."""
    key = (model, urn)
    if key not in _BINDINGS:
        _BINDINGS[key] = Path[model](urn).resolve()  # type: ignore[valid-type]
    return _BINDINGS[key]


def attribute_key(resolved: AttributeBinding) -> str:
    """The ``scim_index.attr`` of an attribute: its URN, lower-cased."""
    return resolved.urn.lower()


def index_values(model: type[Any], document: dict[str, Any]) -> list[IndexedValue]:
    """Every simple value of a resource's SCIM JSON, ready for ``scim_index``."""
    core = GROUP_SCHEMA if model is GroupResource else USER_SCHEMA
    values: list[IndexedValue] = []
    for key, value in document.items():
        if key in NOT_INDEXED or value is None:
            continue
        if key.lower().startswith("urn:") and isinstance(value, dict):
            for sub_key, sub_value in value.items():
                if sub_key != "schemas":
                    values += _attribute(model, key, sub_key, sub_value)
        else:
            values += _attribute(model, core, key, value)
    return values


def _attribute(model: type[Any], schema: str, name: str, value: Any) -> list[IndexedValue]:
    prefix = f"{schema}:{name}"
    if isinstance(value, dict):
        return [
            row
            for sub, sub_value in value.items()
            for row in _simple(model, f"{prefix}.{sub}", sub_value, entry=0, leading=True)
        ]
    if isinstance(value, list):
        lead = next((i for i, v in enumerate(value) if _is_primary(v)), 0)
        rows: list[IndexedValue] = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                for sub, sub_value in item.items():
                    rows += _simple(model, f"{prefix}.{sub}", sub_value, entry=i, leading=i == lead)
            else:
                rows += _simple(model, prefix, item, entry=i, leading=i == lead)
        return rows
    return _simple(model, prefix, value, entry=0, leading=True)


def _is_primary(item: Any) -> bool:
    return isinstance(item, dict) and item.get("primary") is True


def _simple(
    model: type[Any], urn: str, value: Any, *, entry: int, leading: bool
) -> list[IndexedValue]:
    resolved = binding(model, urn)
    if resolved is None or value is None:
        return []
    key = attribute_key(resolved)
    kind = resolved.target_type
    if isclass(kind) and issubclass(kind, bool):
        return [IndexedValue(key, entry, leading, flag=bool(value))]
    if isclass(kind) and issubclass(kind, datetime):
        return [IndexedValue(key, entry, leading, moment=_DATETIME.validate_python(value))]
    if isinstance(value, str) and not (isclass(kind) and issubclass(kind, bytes)):
        if len(value) > Limits.MAX_STRING_CHARS:
            raise ValueTooLong(
                f"{resolved.urn} is longer than {Limits.MAX_STRING_CHARS} characters."
            )
        return [IndexedValue(key, entry, leading, text=resolved.comparable(value))]
    return []  # binary and numbers: not filterable here (docs/scim.md)
