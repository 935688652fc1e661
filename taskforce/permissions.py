"""The only door to django-guardian, and the grant service that guards the wall.

Structure (task force, side, agency, role) decides most visibility through columns. Object
grants cover what structure cannot: a case manager's assignment, a consent-based share, a
restricted investigation's team. They live in direct foreign-key tables that carry the task
force (``TaskForceUserObjectPermission``), so every grant query is ANDed under the task force
and row-level security covers grants too.

Guardian's shortcuts are called with ``with_superuser=False`` and ``accept_global_perms=False``
and never with groups: a superuser or a model-wide permission granted by mistake widens nothing.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, Subquery
from guardian.models import UserObjectPermissionBase
from guardian.shortcuts import get_objects_for_user
from guardian.utils import get_user_obj_perms_model

from taskforce.access import LE_ROLES, VS_ROLES, Actor, Compartment, TaskForceOwned
from taskforce.audit import audit_record
from taskforce.models import Membership, User

M = TypeVar("M", bound=TaskForceOwned)


class TaskForceUserObjectPermission(UserObjectPermissionBase):
    """Base of every direct-FK grant table. Subclasses add ``content_object`` and RLS."""

    task_force = models.ForeignKey("taskforce.TaskForce", on_delete=models.CASCADE, related_name="+")

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True


class WallViolation(ValidationError):
    """A grant that would carry a person across the wall or out of their task force."""


def _codename(model: type[models.Model], perm: str) -> str:
    return perm if "." not in perm else perm.split(".", 1)[1]


def objects_granted(actor: Actor, perm: str, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Rows of ``queryset`` on which the actor's user holds ``perm`` by a direct grant.

    ``queryset`` must already be scoped (``Model.objects.for_actor(actor)``); this narrows it.
    """
    user = User.objects.filter(pk=actor.user_id, is_active=True).first()
    if user is None:
        return queryset.none()
    return get_objects_for_user(
        user,
        perm,
        klass=queryset,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def granted_ids(actor: Actor, perm: str, model: type[TaskForceOwned]) -> models.QuerySet:
    """A subquery of ids the actor holds ``perm`` on, for composing with ownership columns:
    ``Q(agency_id=actor.agency_id) | Q(pk__in=granted_ids(...))`` in one SQL statement.

    The permission and the user's being active are scalar subqueries (evaluated once, before
    the scan), so the grants are read as one range of the grant table's (task force, user,
    permission) index instead of through joins the planner cannot estimate.
    """
    grant_model = get_user_obj_perms_model(model)
    permission = Permission.objects.filter(
        codename=_codename(model, perm),
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
    ).values("pk")
    # The user id as a literal lets the planner use its statistics for this person's grants (a
    # caseload of 1,600 is not the 1% it assumes for an unknown id); being active is a one-time
    # check beside it.
    return grant_model.objects.filter(
        Exists(User.objects.filter(pk=actor.user_id, is_active=True)),
        task_force_id=actor.task_force_id,
        user_id=actor.user_id,
        permission_id=Subquery(permission),
    ).values("content_object_id")


def has_grant(actor: Actor, perm: str, obj: TaskForceOwned) -> bool:
    if obj.task_force_id != actor.task_force_id:
        return False
    return type(obj).objects.filter(pk=obj.pk, pk__in=granted_ids(actor, perm, type(obj))).exists()


def _check_wall(membership: Membership, obj: TaskForceOwned) -> None:
    if membership.task_force_id != obj.task_force_id:
        raise WallViolation("A grant cannot cross task forces.")
    if not membership.is_active:
        raise WallViolation("Only an active membership can hold a grant.")
    compartment = type(obj).compartment
    if compartment == Compartment.VICTIM_SERVICES and membership.role not in VS_ROLES:
        raise WallViolation("Only victim-services roles can hold a grant on a victim-services record.")
    if compartment == Compartment.LAW_ENFORCEMENT and membership.role not in LE_ROLES:
        raise WallViolation("Only law-enforcement roles can hold a grant on a law-enforcement record.")


def _permission(obj: TaskForceOwned, perm: str) -> Permission:
    return Permission.objects.get(
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        codename=_codename(type(obj), perm),
    )


@transaction.atomic
def grant(*, actor: Actor, perm: str, membership: Membership, obj: TaskForceOwned) -> None:
    """Give ``membership``'s user ``perm`` on ``obj``. Refuses any grant across the wall.

    Who may: the calling service decides (assign, accept, consent); this enforces the wall
    whatever the caller. Logged: ``grant.added`` with record type and id.
    """
    _check_wall(membership, obj)
    grant_model = get_user_obj_perms_model(type(obj))
    grant_model.objects.get_or_create(
        user_id=membership.user_id,
        permission=_permission(obj, perm),
        content_object=obj,
        defaults={"task_force_id": obj.task_force_id},
    )
    audit_record(
        action="grant.added", actor=actor, target=obj, detail={"perm": perm, "membership": str(membership.id)}
    )


@transaction.atomic
def revoke(*, actor: Actor, perm: str, membership: Membership, obj: TaskForceOwned) -> None:
    """Take ``perm`` on ``obj`` away from ``membership``'s user. Logged: ``grant.removed``."""
    grant_model = get_user_obj_perms_model(type(obj))
    grant_model.objects.filter(
        task_force_id=obj.task_force_id,
        user_id=membership.user_id,
        permission=_permission(obj, perm),
        content_object=obj,
    ).delete()
    audit_record(
        action="grant.removed",
        actor=actor,
        target=obj,
        detail={"perm": perm, "membership": str(membership.id)},
    )


@transaction.atomic
def revoke_all_grants(*, actor: Actor, membership: Membership) -> int:
    """Remove every object grant the membership's user holds in its task force (on deactivation
    or a change of agency or role). Logged: ``grant.removed_all`` with the number removed."""
    from django.apps import apps

    removed = 0
    for model in apps.get_models():
        if issubclass(model, TaskForceUserObjectPermission):
            count, _ = model.objects.filter(
                task_force_id=membership.task_force_id, user_id=membership.user_id
            ).delete()
            removed += count
    audit_record(
        action="grant.removed_all",
        actor=actor,
        target=membership,
        detail={"removed": removed},
    )
    return removed
