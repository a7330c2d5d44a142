"""Journeys: deterministic workflow code only (no I/O, no clock, no randomness but ``workflow.*``).

Import :mod:`journeys.catalog` to register every journey in :data:`journeys.kit.JOURNEYS`; this
package itself imports nothing, so activities can import the kit without importing journeys.
"""
