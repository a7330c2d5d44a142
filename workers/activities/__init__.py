"""Activities: every side effect of a journey, grouped by what it touches.

Each group is a class built once per worker with the deployment's :class:`Settings`; its methods are
synchronous (they run on the worker's thread pool, so argon2 and database calls never block the
event loop) and idempotent, because Temporal retries an activity whose worker died mid-way.
"""
