from django.apps import AppConfig


class WallappConfig(AppConfig):
    """Test-only record types, one per side of the wall, built exactly as a domain app would.

    They prove the core's access layer (scoping, guardian wrapper, grant service, RLS) before
    the real domain records exist, and stay as the reference pattern.
    """

    name = "tests.wallapp"
    label = "wallapp"
    default_auto_field = "django.db.models.BigAutoField"
