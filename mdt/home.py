"""Navigation entries and home panels of the MDT (filled in by its screens)."""


def register() -> None:
    """Register navigation entries and home panels."""
