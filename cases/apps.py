from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Victim-service cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import home, search
        from taskforce import navigation
        from taskforce.access import VS_ROLES

        navigation.register(
            navigation.NavItem("Cases", "case-list", lambda actor: actor.role in VS_ROLES, order=10)
        )
        home.register_panels()
        search.register_searchers()
