"""Home panels and navigation entries (filled in by its screens)."""


def register() -> None:
    """Register navigation entries and home panels."""
