"""SCIM 2.0 provisioning (RFC 7643/7644): how customer and partner identities are provisioned.

``catalog`` declares what is served (models from scim2-models), ``index``/``query`` make filters
and sorting run in the database, ``directory`` stores resources, ``provisioning`` turns SCIM
writes into customer lifecycle effects (invitation, suspension, deprovisioning), ``clients`` holds
bearer tokens, and ``web.routes.scim`` is the HTTP surface. See ``docs/scim.md``.
"""
