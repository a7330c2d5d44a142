"""What the SCIM service serves: resource models, published schemas, resource types, limits.

Everything here comes from scim2-models; nothing hand-writes SCIM JSON. The published User schema
leaves out ``password`` (customers choose their own in the invitation journey, so a provisioning
client never handles one) and ``groups`` (membership is managed on Groups).
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    ResourceType,
    Schema,
    Sort,
    User,
)
from scim2_models import (
    ServiceProviderConfig as ServiceProviderConfigModel,
)

UserResource = User[EnterpriseUser]
GroupResource = Group
Resource = UserResource | GroupResource

USER_SCHEMA = str(User.__schema__)
GROUP_SCHEMA = str(Group.__schema__)
ENTERPRISE_SCHEMA = str(EnterpriseUser.__schema__)

#: User attributes a provisioning client may not write (see the module docstring).
UNPUBLISHED_USER_ATTRIBUTES = frozenset({"password", "groups"})


class Limits:
    """Hard limits of the SCIM API, published where SCIM has a place for them."""

    MAX_BODY_BYTES = 1024 * 1024
    MAX_RESULTS = 200
    DEFAULT_COUNT = 100
    MAX_PATCH_OPERATIONS = 100
    MAX_STRING_CHARS = 1024
    MAX_MEMBERS = 10_000
    #: Most comparisons and presence tests in one filter (SQLite's expression depth is 1000).
    MAX_FILTER_CLAUSES = 50
    #: Longest filter expression, in characters.
    MAX_FILTER_CHARS = 4096
    #: Largest ``startIndex`` honoured: beyond it every page is empty anyway.
    MAX_START_INDEX = 2**31 - 1


RESOURCE_TYPES: dict[str, type[Any]] = {"Users": UserResource, "Groups": GroupResource}


def schemas() -> list[Schema]:
    """The User (without unpublished attributes), enterprise extension and Group schemas."""
    user = User.to_schema()
    user.attributes = [
        a for a in user.attributes or [] if a.name not in UNPUBLISHED_USER_ATTRIBUTES
    ]
    return [user, EnterpriseUser.to_schema(), Group.to_schema()]


def resource_types() -> list[ResourceType]:
    """The User (with the enterprise extension) and Group resource types."""
    return [ResourceType.from_resource(UserResource), ResourceType.from_resource(GroupResource)]


def service_provider_config() -> ServiceProviderConfigModel:
    """What this server supports: PATCH, filter, sort, ETags; no bulk, no password change."""
    return ServiceProviderConfigModel(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=Limits.MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A per-client token from `threshold scim-clients add NAME`.",
                primary=True,
            )
        ],
    )
