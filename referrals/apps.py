from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Law enforcement and referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from referrals import home_bridge, home_le, search
        from taskforce.services import settings_changed

        home_le.register()
        home_bridge.register()
        search.register_searchers()
        settings_changed.connect(_recount_charges, dispatch_uid="referrals-recount-charges")


def _recount_charges(sender: object, actor: object, fields: list[str], **kwargs: object) -> None:
    if "trafficking_statutes" in fields:
        from referrals.services import trafficking_charges_recount

        trafficking_charges_recount(actor=actor)  # type: ignore[arg-type]
