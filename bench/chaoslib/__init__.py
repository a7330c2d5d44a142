"""The chaos benchmark's parts: the stack, the customers, the faults, the checks, the table."""
