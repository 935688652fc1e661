from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Law enforcement and referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from referrals import home_bridge, home_le, search

        home_le.register()
        home_bridge.register()
        search.register_searchers()
