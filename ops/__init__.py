"""Operations: the ``threshold`` CLI, the development runner and the local mail catcher.

The top of the stack: it may import every other layer, and nothing imports it.
"""
