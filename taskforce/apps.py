from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.db.backends.signals import connection_created


class TaskforceConfig(AppConfig):
    name = "taskforce"
    verbose_name = "Task force platform"

    def ready(self) -> None:
        from taskforce import signals  # noqa: F401  (auth events -> audit log)

        checks.register(check_task_force_owned_models, checks.Tags.security)
        if settings.TASKFORCE_CHECK_DB_ROLE:
            from taskforce.dbroles import check_running_role

            connection_created.connect(check_running_role, dispatch_uid="taskforce.check_running_role")


def check_task_force_owned_models(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every concrete task-force-owned model must say which side of the wall it is on."""
    from taskforce.access import Compartment, TaskForceOwned

    errors = []
    for model in apps.get_models():
        if issubclass(model, TaskForceOwned) and not isinstance(
            getattr(model, "compartment", None), Compartment
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is task-force-owned but declares no compartment.",
                    obj=model,
                    id="taskforce.E001",
                )
            )
    return errors
