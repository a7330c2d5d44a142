"""``/scim/v2``: the SCIM 2.0 API (RFC 7643/7644) provisioning clients use; see docs/scim.md.

JSON with bearer tokens, so no cookies and no CSRF. Writes run on the thread pool (the store is
synchronous); a User write is one transaction with its customer row, followed by its lifecycle
effect (invitation, session revocation, deprovisioning) from :mod:`web.scim.provisioning`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from scim2_models import (
    Context,
    Error,
    InvalidFilterException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    ResourceType,
    ResponseParameters,
    Schema,
    SearchRequest,
    UnauthorizedException,
)
from starlette.responses import Response

from store.scim_clients import ScimClients
from web.scim import catalog
from web.scim import openapi as described
from web.scim.accounts import AccountWrites
from web.scim.catalog import GroupResource, Limits, UserResource
from web.scim.directory import Directory, Stored, etag_matches
from web.scim.http import ScimRoute, error_response, read_json, scim_response
from web.scim.provisioning import Provisioning
from web.services import services

PREFIX = "/scim/v2"
router = APIRouter(prefix=PREFIX, route_class=ScimRoute, tags=["scim"])


@dataclass
class ScimServices:
    """The SCIM parts of one app, built on first use from the app's :class:`Services`."""

    clients: ScimClients
    directory: Directory
    provisioning: Provisioning
    lookup_key: bytes


def scim_services(request: Request) -> ScimServices:
    """This app's :class:`ScimServices`."""
    found: ScimServices | None = getattr(request.app.state, "scim", None)
    if found is None:
        svc = services(request)
        directory = Directory(svc.settings.database_url, svc.settings.base_url)

        async def client() -> Any:
            return (await svc.gateway()).client

        found = ScimServices(
            clients=ScimClients(svc.settings),
            directory=directory,
            provisioning=Provisioning(
                directory,
                svc.settings.task_queue,
                client,
                ack_deadline=svc.settings.erasure_ack_deadline,
            ),
            lookup_key=svc.settings.derive_key("email-lookup"),
        )
        request.app.state.scim = found
    return found


async def provisioning_client(request: Request) -> str:
    """The id of the provisioning client presenting a valid bearer token (else 401)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    client_id = None
    if scheme.lower() == "bearer" and token.strip():
        client_id = await asyncio.to_thread(
            scim_services(request).clients.authenticate, token.strip()
        )
    if client_id is None:
        raise UnauthorizedException(detail="Present a valid provisioning bearer token.")
    return client_id


Scim = Annotated[ScimServices, Depends(scim_services)]
ClientId = Annotated[str, Depends(provisioning_client)]


# ----- discovery ---------------------------------------------------------------------------


@router.get("/ServiceProviderConfig")
async def service_provider_config(client_id: ClientId) -> Response:
    """What this server supports."""
    return scim_response(catalog.service_provider_config().model_dump())


@router.get("/Schemas")
async def list_schemas(client_id: ClientId) -> Response:
    """The published schemas."""
    return _list(ListResponse[Schema], catalog.schemas())


@router.get("/Schemas/{schema_id}")
async def get_schema(schema_id: str, client_id: ClientId) -> Response:
    """One published schema by its URN."""
    for schema in catalog.schemas():
        if schema.id == schema_id:
            return scim_response(schema.model_dump())
    raise NotFoundException(detail=f"No schema {schema_id!r}.")


@router.get("/ResourceTypes")
async def list_resource_types(client_id: ClientId) -> Response:
    """The User and Group resource types."""
    return _list(ListResponse[ResourceType], catalog.resource_types())


@router.get("/ResourceTypes/{type_id}")
async def get_resource_type(type_id: str, client_id: ClientId) -> Response:
    """One resource type by id."""
    for resource_type in catalog.resource_types():
        if resource_type.id == type_id:
            return scim_response(resource_type.model_dump())
    raise NotFoundException(detail=f"No resource type {type_id!r}.")


# ----- Users and Groups --------------------------------------------------------------------


@router.get("/Users", openapi_extra=described.LISTING)
async def list_users(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Filter, sort and page Users (query parameters)."""
    return await _search(scim, UserResource, dict(request.query_params))


@router.post("/Users/.search", openapi_extra=described.SEARCH)
async def search_users(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Filter, sort and page Users (a ``SearchRequest`` body)."""
    return await _search(scim, UserResource, await read_json(request))


@router.get("/Groups", openapi_extra=described.LISTING)
async def list_groups(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Filter, sort and page Groups (query parameters)."""
    return await _search(scim, GroupResource, dict(request.query_params))


@router.post("/Groups/.search", openapi_extra=described.SEARCH)
async def search_groups(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Filter, sort and page Groups (a ``SearchRequest`` body)."""
    return await _search(scim, GroupResource, await read_json(request))


@router.post("/.search", openapi_extra=described.SEARCH)
async def search_all(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Search Users and Groups together (attributes unknown to one type match nothing there)."""
    payload = await read_json(request)
    search = SearchRequest[UserResource | GroupResource].model_validate(
        _bounded(payload), scim_ctx=Context.SEARCH_REQUEST
    )
    total, found = await asyncio.to_thread(
        scim.directory.search_any, [UserResource, GroupResource], search
    )
    return _page(search, total, [s.resource for s in found])


@router.get("/Users/{resource_id}")
async def get_user(resource_id: str, request: Request, scim: Scim, client_id: ClientId) -> Response:
    """One User."""
    return await _get(scim, UserResource, resource_id, request)


@router.get("/Groups/{resource_id}")
async def get_group(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """One Group."""
    return await _get(scim, GroupResource, resource_id, request)


@router.post("/Users", openapi_extra=described.USER)
async def create_user(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Provision a customer; they get an invitation email unless created inactive."""
    resource = UserResource.model_validate(
        await read_json(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
    )
    _refuse_password(resource)
    account = AccountWrites(scim.lookup_key)
    stored = await asyncio.to_thread(
        scim.directory.create, UserResource, resource, client_id=client_id, account=account
    )
    if account.invite:
        try:
            await scim.provisioning.invite(account.customer_id)
        except Exception:
            await asyncio.to_thread(scim.provisioning.forget, account.customer_id)
            raise
    return _resource(stored, Context.RESOURCE_CREATION_RESPONSE, request, status=201)


@router.post("/Groups", openapi_extra=described.GROUP)
async def create_group(request: Request, scim: Scim, client_id: ClientId) -> Response:
    """Create a group (members must be existing Users or Groups)."""
    resource = GroupResource.model_validate(
        await read_json(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
    )
    stored = await asyncio.to_thread(
        scim.directory.create, GroupResource, resource, client_id=client_id
    )
    return _resource(stored, Context.RESOURCE_CREATION_RESPONSE, request, status=201)


@router.put("/Users/{resource_id}", openapi_extra=described.USER)
async def replace_user(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """Replace a User (``If-Match`` honoured); ``active: false`` suspends at once."""
    replacement = UserResource.model_validate(
        await read_json(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
    )

    def change(current: Stored) -> Any:
        replacement.replace(current.resource)
        _refuse_password(replacement)
        return replacement

    return await _update(scim, UserResource, resource_id, change, request)


@router.put("/Groups/{resource_id}", openapi_extra=described.GROUP)
async def replace_group(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """Replace a Group (``If-Match`` honoured)."""
    replacement = GroupResource.model_validate(
        await read_json(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
    )

    def change(current: Stored) -> Any:
        replacement.replace(current.resource)
        return replacement

    return await _update(scim, GroupResource, resource_id, change, request)


@router.patch("/Users/{resource_id}", openapi_extra=described.PATCH)
async def patch_user(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """PATCH a User: add/replace/remove with paths and value filters."""
    return await _patch(scim, UserResource, resource_id, request)


@router.patch("/Groups/{resource_id}", openapi_extra=described.PATCH)
async def patch_group(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """PATCH a Group (e.g. add or remove members)."""
    return await _patch(scim, GroupResource, resource_id, request)


@router.delete("/Users/{resource_id}")
async def delete_user(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """Deprovision the customer at once (no grace period), then 204."""
    current = await asyncio.to_thread(scim.directory.get, UserResource, resource_id)
    _check_if_match(request, current)
    assert current.customer_id is not None
    await scim.provisioning.deprovision(current.customer_id)
    return Response(status_code=204)


@router.delete("/Groups/{resource_id}")
async def delete_group(
    resource_id: str, request: Request, scim: Scim, client_id: ClientId
) -> Response:
    """Delete a group (its members are untouched)."""
    current = await asyncio.to_thread(scim.directory.get, GroupResource, resource_id)
    _check_if_match(request, current)
    await asyncio.to_thread(scim.directory.delete, GroupResource, resource_id)
    return Response(status_code=204)


KNOWN_PATH = re.compile(
    r"^(ServiceProviderConfig|Schemas(/[^/]+)?|ResourceTypes(/[^/]+)?|"
    r"(Users|Groups)(/\.search|/[^/]+)?|\.search)$"
)


@router.api_route(
    "/{rest:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
async def unknown(rest: str, request: Request, client_id: ClientId) -> Response:
    """Anything else under ``/scim/v2``: 405 for a known endpoint, 404 otherwise, as SCIM errors."""
    if KNOWN_PATH.match(rest):
        return error_response(
            Error(status=405, detail=f"{request.method} is not supported on /{rest}.")
        )
    return error_response(Error(status=404, detail=f"There is no SCIM endpoint /{rest}."))


# ----- helpers -----------------------------------------------------------------------------


def _bounded(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` if its filter is at most ``Limits.MAX_FILTER_CHARS`` long (checked before
    the filter parser runs)."""
    expression = params.get("filter")
    if isinstance(expression, str) and len(expression) > Limits.MAX_FILTER_CHARS:
        raise InvalidFilterException(
            detail=f"The filter is longer than {Limits.MAX_FILTER_CHARS} characters."
        )
    return params


async def _search(scim: ScimServices, model: type[Any], params: dict[str, Any]) -> Response:
    search = SearchRequest[model].model_validate(  # type: ignore[valid-type]
        _bounded(params), scim_ctx=Context.SEARCH_REQUEST
    )
    total, found = await asyncio.to_thread(scim.directory.search, model, search)
    return _page(search, total, [s.resource for s in found])


def _page(search: SearchRequest[Any], total: int, resources: list[Any]) -> Response:
    listed = ListResponse[UserResource | GroupResource](
        total_results=total,
        start_index=max(search.start_index or 1, 1),
        items_per_page=len(resources),
        resources=resources,
    )
    return scim_response(
        listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search)
    )


def _list(kind: Any, items: list[Any]) -> Response:
    listed = kind(
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return scim_response(listed.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


async def _get(
    scim: ScimServices, model: type[Any], resource_id: str, request: Request
) -> Response:
    stored = await asyncio.to_thread(scim.directory.get, model, resource_id)
    if request.headers.get("if-none-match") in {stored.etag, stored.etag.removeprefix("W/")}:
        return Response(status_code=304, headers={"ETag": stored.etag})
    return _resource(stored, Context.RESOURCE_QUERY_RESPONSE, request)


async def _update(
    scim: ScimServices, model: type[Any], resource_id: str, change: Any, request: Request
) -> Response:
    account = AccountWrites(scim.lookup_key) if model is UserResource else None
    stored = await asyncio.to_thread(
        scim.directory.update,
        model,
        resource_id,
        change,
        if_match=request.headers.get("if-match"),
        account=account,
    )
    if account is not None and account.suspended:
        await scim.provisioning.suspended(account.customer_id)
    if account is not None and account.invite:
        await scim.provisioning.invite(account.customer_id)
    return _resource(stored, Context.RESOURCE_REPLACEMENT_RESPONSE, request)


async def _patch(
    scim: ScimServices, model: type[Any], resource_id: str, request: Request
) -> Response:
    patch = PatchOp[model].model_validate(  # type: ignore[valid-type]
        await read_json(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
    )
    if len(patch.operations or []) > Limits.MAX_PATCH_OPERATIONS:
        raise InvalidValueException(
            detail=f"A PATCH carries at most {Limits.MAX_PATCH_OPERATIONS} operations."
        )

    def change(current: Stored) -> Any:
        patch.patch(current.resource)
        if model is UserResource:
            _refuse_password(current.resource)
        return current.resource

    return await _update(scim, model, resource_id, change, request)


def _resource(stored: Stored, context: Context, request: Request, *, status: int = 200) -> Response:
    parameters = ResponseParameters[type(stored.resource)].model_validate(  # type: ignore[misc]
        {
            "attributes": request.query_params.get("attributes"),
            "excludedAttributes": request.query_params.get("excludedAttributes"),
        }
    )
    headers = {"ETag": stored.etag}
    if status == 201 and stored.resource.meta is not None:
        headers["Location"] = str(stored.resource.meta.location)
    return scim_response(
        stored.resource.model_dump(scim_ctx=context, response_parameters=parameters),
        status,
        headers,
    )


def _check_if_match(request: Request, current: Stored) -> None:
    header = request.headers.get("if-match")
    if header is not None and not etag_matches(header, current.version):
        raise PreconditionFailedException(
            detail=f"The resource is at version {current.etag}, not {header}."
        )


def _refuse_password(resource: Any) -> None:
    if getattr(resource, "password", None) is not None:
        raise InvalidValueException(
            detail="password cannot be provisioned: customers choose their own from the "
            "invitation email."
        )
