"""The wall's vocabulary: who is asking (Actor), which side a record is on (Compartment),
and the task-force-owned base every tenant record inherits.

Every read of tenant data starts from ``Model.objects.for_actor(actor)``; it fails closed:
no actor, or an actor from the wrong side, gets an empty queryset, never "everything".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from taskforce.models import Membership


_M = TypeVar("_M", bound=models.Model)


class Side(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    VICTIM_SERVICES = "victim_services", "Victim services"
    COORDINATION = "coordination", "Coordination"
    PARTNER = "partner", "Partner"


class Role(models.TextChoices):
    TENANT_ADMIN = "tenant_admin", "Task force admin"
    COORDINATOR = "coordinator", "Coordinator"
    LE_INVESTIGATOR = "le_investigator", "Investigator"
    PROSECUTOR = "prosecutor", "Prosecutor"
    LE_SUPERVISOR = "le_supervisor", "Law enforcement supervisor"
    VS_CASE_MANAGER = "vs_case_manager", "Case manager"
    VS_SUPERVISOR = "vs_supervisor", "Victim services supervisor"
    ANALYST = "analyst", "Analyst"


LE_ROLES = frozenset({Role.LE_INVESTIGATOR, Role.PROSECUTOR, Role.LE_SUPERVISOR})
VS_ROLES = frozenset({Role.VS_CASE_MANAGER, Role.VS_SUPERVISOR})

# Which roles an agency of each side may hold. A VS role in a police department would
# put a law-enforcement user on the victim-services side of the wall: refused.
ROLES_BY_SIDE: dict[str, frozenset[str]] = {
    Side.LAW_ENFORCEMENT: LE_ROLES | {Role.TENANT_ADMIN, Role.ANALYST},
    Side.VICTIM_SERVICES: VS_ROLES | {Role.TENANT_ADMIN, Role.ANALYST},
    Side.COORDINATION: frozenset({Role.COORDINATOR, Role.TENANT_ADMIN, Role.ANALYST}),
    Side.PARTNER: frozenset({Role.ANALYST}),
}


class Compartment(StrEnum):
    """Which side of the wall a record type lives on."""

    LAW_ENFORCEMENT = "le"
    VICTIM_SERVICES = "vs"
    SHARED = "shared"  # structure and coordination data every member may list


def compartments_for(role: str) -> frozenset[Compartment]:
    """The compartments a role may enter at all. Record policies narrow further.

    The coordinator's access to tips and unrestricted investigations is granted by those
    records' own policies, not by entering the LE compartment: a new LE record type is
    invisible to coordinators until its policy says otherwise (fail closed).
    """
    if role in LE_ROLES:
        return frozenset({Compartment.SHARED, Compartment.LAW_ENFORCEMENT})
    if role in VS_ROLES:
        return frozenset({Compartment.SHARED, Compartment.VICTIM_SERVICES})
    return frozenset({Compartment.SHARED})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks, for which task force, from which side of the wall. Built once per request."""

    user_id: uuid.UUID
    task_force_id: uuid.UUID
    task_force_slug: str
    membership_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    agency_side: str
    role: str
    compartments: frozenset[Compartment] = field(default_factory=frozenset)
    is_system: bool = False
    # The task force's zone, read with the membership: dates are checked in it many times a request.
    time_zone: str = "UTC"

    @classmethod
    def from_membership(cls, membership: Membership) -> Actor:
        return cls(
            user_id=membership.user_id,
            task_force_id=membership.task_force_id,
            task_force_slug=membership.task_force.slug,
            membership_id=membership.id,
            agency_id=membership.agency_id,
            agency_side=membership.agency.side,
            role=membership.role,
            compartments=compartments_for(membership.role),
            time_zone=membership.task_force.time_zone,
        )

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def is_le(self) -> bool:
        return self.role in LE_ROLES

    @property
    def is_vs(self) -> bool:
        return self.role in VS_ROLES


class NotFoundOrForbidden(Http404):
    """One answer for 'missing', 'other task force' and 'other side of the wall'."""

    def __init__(self, *, audited: bool = False) -> None:
        super().__init__("Not found.")
        # Already written to the audit log where it was raised.
        self.audited = audited


def get_or_not_found(queryset: models.QuerySet[_M], record_id: object) -> _M:
    """One row of an already scoped queryset by id, or NotFoundOrForbidden for any reason:
    missing, out of scope, or not even a well-formed id.
    """
    try:
        return queryset.get(pk=record_id)
    except (ValueError, TypeError, ValidationError):
        raise NotFoundOrForbidden from None  # not even an id: nothing to write down
    except queryset.model.DoesNotExist:
        from taskforce.audit import audit_denied

        # Missing, another compartment's, a restricted one, another task force's: one answer
        # to the caller, and one denial row for the task force's admins.
        audit_denied(target_type=queryset.model._meta.label_lower, target_id=record_id)
        raise NotFoundOrForbidden(audited=True) from None


class TaskForceQuerySet(models.QuerySet):
    def for_actor(self, actor: Actor | None) -> Self:
        """Rows of the actor's task force on a side the actor may enter; else nothing."""
        compartment = getattr(self.model, "compartment", None)
        if actor is None or compartment is None or compartment not in actor.compartments:
            return self.none()
        return self.filter(task_force_id=actor.task_force_id)


class TaskForceOwned(models.Model):
    """Base of every tenant record: non-null task force, UUID id, a declared compartment.

    Each concrete subclass must also get ``EnableRowLevelSecurity`` in its first migration
    (tests/test_rls.py fails otherwise) and an index led by ``task_force``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_force = models.ForeignKey("taskforce.TaskForce", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    compartment: ClassVar[Compartment]

    objects = TaskForceQuerySet.as_manager()

    class Meta:
        abstract = True
