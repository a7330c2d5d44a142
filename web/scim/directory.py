"""Storage of SCIM resources: documents, versions (ETags), the search index and group members.

Every write is one transaction that also rewrites the resource's index rows, and is guarded by the
version it read (optimistic locking), so two concurrent PATCHes never lose an update and
``If-Match`` is checked against what is actually overwritten. A User's customer row is written in
the same transaction (see :mod:`web.scim.accounts`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scim2_models import (
    GroupMember,
    InvalidValueException,
    Meta,
    NotFoundException,
    PreconditionFailedException,
    SearchRequest,
    UniquenessException,
)
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from store.db import engine_for, session_for
from store.models import utcnow
from store.scim_models import ScimIndex, ScimMember, ScimResource
from web.scim.catalog import GroupResource, Limits, UserResource
from web.scim.index import ValueTooLong, binding, index_values
from web.scim.query import FilterToSql, sort_expression

TYPE_NAMES: dict[type[Any], str] = {UserResource: "User", GroupResource: "Group"}
ENDPOINTS = {"User": "Users", "Group": "Groups"}


@dataclass(frozen=True)
class Stored:
    """A resource as served: the model with ``id`` and ``meta`` filled in."""

    resource: Any
    version: int
    customer_id: str | None

    @property
    def etag(self) -> str:
        """The weak ETag of this version."""
        return etag_of(self.version)


def etag_of(version: int) -> str:
    """``W/"<version>"``: the resource's version, as ETag header and ``meta.version``."""
    return f'W/"{version}"'


class VersionConflict(Exception):
    """Another write changed the resource between our read and our write; retry."""


#: Hook a User write calls inside its transaction (create/update the customer); see accounts.py.
AccountHook = Callable[[Session, ScimResource, Any, bool], None]


class Directory:
    """SCIM resources of one deployment."""

    WRITE_ATTEMPTS = 3

    def __init__(self, database_url: str, base_url: str) -> None:
        self.database_url = database_url
        self.base_url = base_url.rstrip("/")
        self.dialect = engine_for(database_url).dialect.name

    # ----- reads ---------------------------------------------------------------------------

    def get(self, model: type[Any], resource_id: str) -> Stored:
        """The resource, or :class:`NotFoundException` (404)."""
        with session_for(self.database_url) as db:
            row = db.get(ScimResource, resource_id)
            if row is None or row.resource_type != TYPE_NAMES[model]:
                raise NotFoundException(detail=f"{TYPE_NAMES[model]} {resource_id} not found.")
            return self._stored(db, model, row)

    def search(self, model: type[Any], request: SearchRequest[Any]) -> tuple[int, list[Stored]]:
        """Total matches and one page of them, filtered, sorted and paged by the database."""
        return self._search(model, request, strict=True)

    def search_any(
        self, models: list[type[Any]], request: SearchRequest[Any]
    ) -> tuple[int, list[Stored]]:
        """A search across resource types (``POST /.search``): pages over the concatenation."""
        total, found = 0, []
        start = min(max(request.start_index or 1, 1), Limits.MAX_START_INDEX)
        count = _count(request)
        for model in models:
            sub = request.model_copy(update={"start_index": 1, "count": Limits.MAX_RESULTS})
            n, page = self._search(model, sub, strict=False)
            total += n
            found += page
        return total, found[start - 1 : start - 1 + count]

    def _search(
        self, model: type[Any], request: SearchRequest[Any], *, strict: bool
    ) -> tuple[int, list[Stored]]:
        where: list[Any] = [col(ScimResource.resource_type) == TYPE_NAMES[model]]
        if request.filter is not None:
            where.append(FilterToSql(model, self.dialect, strict=strict).visit(request.filter.ast))
        order: list[Any] = []
        if request.sort_by is not None:
            sort = sort_expression(model, request.sort_binding(model), self.dialect)
            if sort is not None:
                descending = request.sort_order == SearchRequest.SortOrder.descending
                order.append(sort.desc().nulls_first() if descending else sort.asc().nulls_last())
        order += [col(ScimResource.created_at), col(ScimResource.id)]
        start = min(max(request.start_index or 1, 1), Limits.MAX_START_INDEX)
        with session_for(self.database_url) as db:
            total = db.scalar(select(func.count()).select_from(ScimResource).where(*where)) or 0
            rows = db.scalars(
                select(ScimResource)
                .where(*where)
                .order_by(*order)
                .offset(start - 1)
                .limit(_count(request))
            ).all()
            return int(total), [self._stored(db, model, row) for row in rows]

    # ----- writes --------------------------------------------------------------------------

    def create(
        self,
        model: type[Any],
        resource: Any,
        *,
        client_id: str,
        account: AccountHook | None = None,
    ) -> Stored:
        """Store a new resource (its id is chosen here); 409 ``uniqueness`` on a taken name."""
        resource_id = str(uuid.uuid4())
        now = utcnow()
        try:
            with session_for(self.database_url) as db:
                row = ScimResource(
                    id=resource_id,
                    resource_type=TYPE_NAMES[model],
                    document="{}",
                    created_by=client_id,
                    created_at=now,
                    last_modified=now,
                )
                if account is not None:
                    account(db, row, resource, True)
                db.add(row)
                db.flush()
                self._write(db, model, row, resource)
                return self._stored(db, model, row)
        except IntegrityError as exc:
            raise _uniqueness(model) from exc

    def update(
        self,
        model: type[Any],
        resource_id: str,
        change: Callable[[Stored], Any],
        *,
        if_match: str | None = None,
        account: AccountHook | None = None,
    ) -> Stored:
        """Apply ``change`` (PUT or PATCH: stored → new resource) under optimistic locking."""
        for _ in range(self.WRITE_ATTEMPTS):
            current = self.get(model, resource_id)
            if if_match is not None and not etag_matches(if_match, current.version):
                raise PreconditionFailedException(
                    detail=f"The resource is at version {current.etag}, not {if_match}."
                )
            resource = change(current)
            try:
                return self._save(model, resource_id, current.version, resource, account)
            except VersionConflict:
                continue
        raise PreconditionFailedException(detail="The resource kept changing; try again.")

    def _save(
        self,
        model: type[Any],
        resource_id: str,
        version: int,
        resource: Any,
        account: AccountHook | None,
    ) -> Stored:
        try:
            with session_for(self.database_url) as db:
                bumped = db.execute(
                    update(ScimResource)
                    .where(
                        col(ScimResource.id) == resource_id, col(ScimResource.version) == version
                    )
                    .values(version=version + 1, last_modified=utcnow())
                )
                if getattr(bumped, "rowcount", 0) != 1:
                    raise VersionConflict(resource_id)
                row = db.get(ScimResource, resource_id)
                assert row is not None
                db.refresh(row)
                if account is not None:
                    account(db, row, resource, False)
                self._write(db, model, row, resource)
                return self._stored(db, model, row)
        except IntegrityError as exc:
            raise _uniqueness(model) from exc

    def delete(self, model: type[Any], resource_id: str) -> None:
        """Remove a resource, its index rows and every membership naming it (idempotent)."""
        with session_for(self.database_url) as db:
            row = db.get(ScimResource, resource_id)
            if row is None or row.resource_type != TYPE_NAMES[model]:
                raise NotFoundException(detail=f"{TYPE_NAMES[model]} {resource_id} not found.")
            self.erase(db, resource_id)

    def erase(self, db: Session, resource_id: str) -> None:
        """Delete a resource and its memberships within ``db``'s transaction (groups re-indexed)."""
        groups = db.scalars(
            select(col(ScimMember.group_id)).where(col(ScimMember.member_id) == resource_id)
        ).all()
        db.execute(delete(ScimMember).where(col(ScimMember.member_id) == resource_id))
        db.execute(delete(ScimMember).where(col(ScimMember.group_id) == resource_id))
        db.execute(delete(ScimIndex).where(col(ScimIndex.resource_id) == resource_id))
        db.execute(delete(ScimResource).where(col(ScimResource.id) == resource_id))
        for group_id in set(groups):
            group = db.get(ScimResource, group_id)
            if group is not None:
                group.version += 1
                group.last_modified = utcnow()
                db.add(group)
                self._reindex(db, GroupResource, group, self._model(db, GroupResource, group))

    # ----- internals -----------------------------------------------------------------------

    def _write(self, db: Session, model: type[Any], row: ScimResource, resource: Any) -> None:
        resource.id, resource.meta = None, None
        members: list[GroupMember] = []
        if model is GroupResource:
            members = list(resource.members or [])
            resource.members = None
        row.document = json.dumps(resource.model_dump(), sort_keys=True)
        if model is UserResource:
            row.unique_key = _user_key(resource)
        db.add(row)
        if model is GroupResource:
            self._write_members(db, row.id, members)
        db.flush()
        self._reindex(db, model, row, self._model(db, model, row))

    def _write_members(self, db: Session, group_id: str, members: list[GroupMember]) -> None:
        if len(members) > Limits.MAX_MEMBERS:
            raise InvalidValueException(detail=f"A group holds at most {Limits.MAX_MEMBERS}.")
        wanted = {m.value: m for m in members if m.value}
        found = {
            r.id: r.resource_type
            for r in db.scalars(
                select(ScimResource).where(col(ScimResource.id).in_(list(wanted)))
            ).all()
        }
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise InvalidValueException(detail=f"No User or Group has id {missing[0]!r}.")
        if group_id in wanted:
            raise InvalidValueException(detail="A group cannot be a member of itself.")
        db.execute(delete(ScimMember).where(col(ScimMember.group_id) == group_id))
        for value, member in wanted.items():
            db.add(
                ScimMember(
                    group_id=group_id,
                    member_id=value,
                    member_type=found[value],
                    display=member.display,
                )
            )

    def _reindex(self, db: Session, model: type[Any], row: ScimResource, resource: Any) -> None:
        db.execute(delete(ScimIndex).where(col(ScimIndex.resource_id) == row.id))
        resource.id, resource.meta = None, None
        try:
            values = index_values(model, resource.model_dump())
        except ValueTooLong as exc:
            raise InvalidValueException(detail=str(exc)) from exc
        db.add_all(
            ScimIndex(
                resource_id=row.id,
                attr=v.attr,
                entry=v.entry,
                leading=v.leading,
                text=v.text,
                flag=v.flag,
                moment=v.moment,
            )
            for v in values
        )

    def _model(self, db: Session, model: type[Any], row: ScimResource) -> Any:
        resource = model.model_validate(json.loads(row.document))
        resource.id = row.id
        if model is GroupResource:
            members = db.scalars(
                select(ScimMember)
                .where(col(ScimMember.group_id) == row.id)
                .order_by(col(ScimMember.id))
            ).all()
            resource.members = [
                GroupMember(
                    value=m.member_id,
                    type=m.member_type,
                    display=m.display,
                    ref=self._location(m.member_type, m.member_id),
                )
                for m in members
            ] or None
        return resource

    def _stored(self, db: Session, model: type[Any], row: ScimResource) -> Stored:
        resource = self._model(db, model, row)
        resource.meta = Meta(
            resource_type=row.resource_type,
            created=_aware(row.created_at),
            last_modified=_aware(row.last_modified),
            location=self._location(row.resource_type, row.id),
            version=etag_of(row.version),
        )
        return Stored(resource=resource, version=row.version, customer_id=row.customer_id)

    def _location(self, resource_type: str, resource_id: str) -> str:
        return f"{self.base_url}/scim/v2/{ENDPOINTS[resource_type]}/{resource_id}"


def _user_key(resource: Any) -> str:
    resolved = binding(UserResource, "userName")
    assert resolved is not None
    key: str = resolved.comparable(resource.user_name)
    return key


def _uniqueness(model: type[Any]) -> UniquenessException:
    what = "userName or email" if model is UserResource else "value"
    return UniquenessException(detail=f"Another {TYPE_NAMES[model]} already has this {what}.")


def etag_matches(header: str, version: int) -> bool:
    """``If-Match``: ``*`` or a list of ETags, weak or strong, one of which is ours."""
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == f'"{version}"' for t in tags)


def _count(request: SearchRequest[Any]) -> int:
    count = Limits.DEFAULT_COUNT if request.count is None else request.count
    return max(0, min(count, Limits.MAX_RESULTS))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
