"""SCIM filters and sorting translated to SQL, so the database filters, sorts and pages.

scim2-models parses and validates the filter (:class:`ScimFilter`); :class:`FilterToSql` walks its
syntax tree and emits SQLAlchemy expressions over ``scim_index`` (see :mod:`web.scim.index`). The
semantics follow :meth:`ScimFilter.match`, which the property tests use as the reference:
a comparison on a multi-valued attribute matches when any value matches, ``ne`` when none is
equal, and a value selection (``emails[type eq "work" and value co "@x"]``) within one entry.
"""

from __future__ import annotations

import re
from datetime import datetime
from inspect import isclass
from typing import Any

from scim2_models import InvalidFilterException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from scim2_models.path.resolution import AttributeBinding, coerce_value
from sqlalchemy import ColumnElement, and_, collate, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import col

from store.scim_models import ScimIndex, ScimResource
from web.scim.catalog import Limits
from web.scim.index import attribute_key, binding

#: Characters no database stores in text: NUL and lone surrogates.
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")

Condition = ColumnElement[bool]
_ORDERING = {
    CompareOperator.gt: "__gt__",
    CompareOperator.ge: "__ge__",
    CompareOperator.lt: "__lt__",
    CompareOperator.le: "__le__",
}


class FilterToSql(FilterVisitor[Condition]):
    """One filter over one resource model, for one SQL dialect (``sqlite`` or ``postgresql``).

    ``strict=False`` makes an attribute the model does not declare match nothing (RFC 7644
    §3.4.2.1, for searches across resource types) instead of being an ``invalidFilter``.
    """

    def __init__(
        self,
        model: type[Any],
        dialect: str,
        *,
        strict: bool = True,
        scope: tuple[AttrPath, Any] | None = None,
        budget: list[int] | None = None,
    ) -> None:
        self.model = model
        self.dialect = dialect
        self.strict = strict
        self.scope = scope
        #: Nodes left to visit, shared with nested value selections: bounds the SQL's size
        #: and depth (a filter of 999 clauses once broke SQLite's expression limit).
        self.budget = budget if budget is not None else [Limits.MAX_FILTER_CLAUSES]

    def visit(self, node: Any) -> Condition:
        """Visit ``node``, refusing filters of more than ``Limits.MAX_FILTER_CLAUSES`` nodes."""
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise InvalidFilterException(
                detail=f"The filter has more than {Limits.MAX_FILTER_CLAUSES} clauses."
            )
        return super().visit(node)

    # ----- nodes ---------------------------------------------------------------------------

    def visit_logical_expr(self, node: LogicalExpr) -> Condition:
        terms = [self.visit(term) for term in node.terms]
        return and_(*terms) if node.op == LogicalOperator.and_ else or_(*terms)

    def visit_not(self, node: Not) -> Condition:
        return not_(self.visit(node.expr))

    def visit_present(self, node: Present) -> Condition:
        resolved = self._resolve(node.attr_path)
        if resolved is None:
            return false()
        special = _special_column(self.model, resolved)
        if special is not None:
            return true()
        key = attribute_key(resolved)
        row = _alias()
        nonempty = or_(row.text.is_(None), row.text != "")
        covers = or_(row.attr == key, row.attr.like(f"{_like_escape(key)}.%", escape="\\"))
        return self._exists(row, and_(covers, nonempty))

    def visit_comparison(self, node: Comparison) -> Condition:
        resolved = self._resolve(node.attr_path, for_comparison=True)
        if resolved is None:
            return false()
        expected = coerce_value(resolved, node.value, node.op)
        if isinstance(expected, str) and UNSTORABLE.search(expected):
            raise InvalidFilterException(detail="The filter compares with a NUL or lone surrogate.")
        if isinstance(expected, str):
            try:
                expected = resolved.comparable(expected)
            except ValueError:
                return true() if node.op == CompareOperator.ne else false()
        special = _special_column(self.model, resolved)
        if special is not None:
            return self._compare(special, resolved, node.op, expected, nullable=False)
        key = attribute_key(resolved)
        row = _alias()
        if expected is None:  # "attr eq null": unassigned; "attr ne null": assigned
            assigned = self._exists(row, row.attr == key)
            return not_(assigned) if node.op == CompareOperator.eq else assigned
        if node.op == CompareOperator.ne:
            column = _value_column(row, resolved)
            equal = self._compare(column, resolved, CompareOperator.eq, expected, nullable=True)
            return not_(self._exists(row, and_(row.attr == key, equal)))
        column = _value_column(row, resolved)
        matches = self._compare(column, resolved, node.op, expected, nullable=True)
        return self._exists(row, and_(row.attr == key, matches))

    def visit_value_path(self, node: ValuePath) -> Condition:
        if self.scope is not None:
            raise InvalidFilterException(detail="A value selection cannot be nested in another.")
        resolved = self._resolve(node.attr_path)
        if resolved is None:
            return false()
        if not resolved.is_multivalued:
            raise InvalidFilterException(
                detail=f"attribute '{resolved.urn}' is not multi-valued and holds no values "
                "to select"
            )
        key = attribute_key(resolved)
        entry = _alias()
        inner = FilterToSql(
            self.model,
            self.dialect,
            strict=self.strict,
            scope=(node.attr_path, entry.entry),
            budget=self.budget,
        ).visit(node.val_filter)
        same = or_(entry.attr == key, entry.attr.like(f"{_like_escape(key)}.%", escape="\\"))
        return self._exists(entry, and_(same, inner), scoped=False)

    # ----- helpers -------------------------------------------------------------------------

    def _resolve(
        self, attr_path: AttrPath, *, for_comparison: bool = False
    ) -> AttributeBinding | None:
        if self.scope is not None:
            head, _ = self.scope
            sub = attr_path.attr if attr_path.sub_attr is None else None
            if sub is None or attr_path.uri:
                raise InvalidFilterException(detail=f"'{attr_path}' is not a sub-attribute.")
            attr_path = AttrPath(attr=head.attr, sub_attr=sub, uri=head.uri)
        try:
            resolved = binding(self.model, str(attr_path))
        except Exception as exc:  # noqa: BLE001 — scim2-models raises several kinds here
            if not self.strict:
                return None
            raise InvalidFilterException(detail=f"Unknown attribute '{attr_path}'.") from exc
        if resolved is None:
            if not self.strict:
                return None
            raise InvalidFilterException(detail=f"Unknown attribute '{attr_path}'.")
        if for_comparison and resolved.sub_field_name is None and _is_complex(resolved):
            value = binding(self.model, f"{attr_path}.value")
            if value is None:
                raise InvalidFilterException(
                    detail=f"'{attr_path}' is complex; compare one of its sub-attributes."
                )
            return value
        return resolved

    def _exists(self, row: Any, condition: Condition, *, scoped: bool = True) -> Condition:
        where = [row.resource_id == col(ScimResource.id), condition]
        if scoped and self.scope is not None:
            where.append(row.entry == self.scope[1])
        return exists(select(row.id).where(*where).correlate_except(row))

    def _compare(
        self,
        column: Any,
        resolved: AttributeBinding,
        op: CompareOperator,
        expected: Any,
        *,
        nullable: bool,
    ) -> Condition:
        kind = resolved.target_type
        if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
            if not isinstance(expected, str) or _is_kind(kind, (bool, datetime)):
                return false()
            return self._substring(column, op, expected)
        if op in (CompareOperator.eq, CompareOperator.ne):
            if isinstance(expected, bool) and not _is_kind(kind, bool):
                return false()
            same: Condition = column == expected if op == CompareOperator.eq else column != expected
            return same
        if isinstance(expected, str):
            column = self._binary(column)
        compared: Condition = getattr(column, _ORDERING[op])(expected)
        return compared

    def _substring(self, column: Any, op: CompareOperator, expected: str) -> Condition:
        if expected == "":
            present: Condition = column.is_not(None)
            return present
        size = len(expected)
        if op == CompareOperator.sw:
            return func.substr(column, 1, size) == expected
        if op == CompareOperator.ew:
            if self.dialect == "postgresql":
                return func.right(column, size) == expected
            return func.substr(column, -size) == expected
        if self.dialect == "postgresql":
            return func.strpos(column, expected) > 0
        return func.instr(column, expected) > 0

    def _binary(self, column: Any) -> Any:
        """Code-point order, as Python compares strings (PostgreSQL collations would not)."""
        return collate(column, "C" if self.dialect == "postgresql" else "BINARY")


def sort_expression(model: type[Any], resolved: AttributeBinding | None, dialect: str) -> Any:
    """The value a resource sorts by (the leading entry of a multi-valued attribute)."""
    if resolved is None:
        return None
    special = _special_column(model, resolved)
    if special is not None:
        return special
    row = _alias()
    column = _value_column(row, resolved)
    value = (
        select(column)
        .where(
            row.resource_id == col(ScimResource.id),
            row.attr == attribute_key(resolved),
            col(row.leading).is_(True),
        )
        .order_by(row.entry)
        .limit(1)
        .correlate_except(row)
        .scalar_subquery()
    )
    if _is_kind(resolved.target_type, (bool, datetime)):
        return value
    return collate(value, "C" if dialect == "postgresql" else "BINARY")


def _value_column(row: Any, resolved: AttributeBinding) -> Any:
    kind = resolved.target_type
    if _is_kind(kind, bool):
        return row.flag
    if _is_kind(kind, datetime):
        return row.moment
    return row.text


def _special_column(model: type[Any], resolved: AttributeBinding) -> Any:
    """``id``, ``meta.created`` and ``meta.lastModified`` live in ``scim_resources`` columns."""
    key = attribute_key(resolved)
    for name, column in (
        ("id", col(ScimResource.id)),
        ("meta.created", col(ScimResource.created_at)),
        ("meta.lastModified", col(ScimResource.last_modified)),
    ):
        known = binding(model, name)
        if known is not None and attribute_key(known) == key:
            return column
    if key.endswith(":meta") or ":meta." in key:
        raise InvalidFilterException(detail=f"Filtering on '{resolved.urn}' is not supported.")
    return None


def _is_complex(resolved: AttributeBinding) -> bool:
    from scim2_models import BaseModel

    kind = resolved.field_type
    return isclass(kind) and issubclass(kind, BaseModel)


def _is_kind(kind: Any, types: type | tuple[type, ...]) -> bool:
    return isclass(kind) and issubclass(kind, types)


def _alias() -> Any:
    """A fresh alias of ``scim_index`` (typed loosely: SQLModel types columns as values)."""
    return aliased(ScimIndex)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
