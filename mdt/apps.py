from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "mdt"
    verbose_name = "MDT case review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mdt import home, search

        home.register()
        search.register_searchers()
