"""Support staff's reads of Temporal: journeys by customer, staff actions, funnels.

Used by the ``/support`` pages and, through ``threshold support``, by the CLI.
"""
