"""Contracts: the messages, names and ids every layer agrees on.

Message types, event names, error codes, :class:`~contracts.sealed.Sealed`, workflow-id functions
and typed activity references. This package imports nothing of ours, so journeys, activities, the
store and the web can all depend on it without depending on each other.
"""
