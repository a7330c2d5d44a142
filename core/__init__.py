"""Core: settings, cryptography and telemetry, used by every process and depending on none.

Nothing here knows a journey, an activity, a table or a route.
"""
