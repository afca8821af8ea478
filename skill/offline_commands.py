"""Placeholder: these commands arrive with their issue."""


def register(sub, shared) -> None:
    pass
