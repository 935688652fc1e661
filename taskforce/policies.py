"""Who may see and change the task force's structure: agencies, memberships, the audit log.

Structure is visible to every active member (the matrix's "L" for all roles); only tenant
admins change it. Admins get no content access from this: content policies live in the
domain apps and never consult ``is_tenant_admin``.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from taskforce.access import Actor, Role, get_or_not_found
from taskforce.models import Agency, AuditEvent, Membership, TaskForce


def own_task_force(actor: Actor) -> TaskForce:
    """The actor's own task force: its settings are read by every member's pages."""
    return TaskForce.objects.get(pk=actor.task_force_id)


def visible_agencies(actor: Actor) -> QuerySet[Agency]:
    return Agency.objects.for_actor(actor)


def access_agency(actor: Actor, agency_id: uuid.UUID | str) -> Agency:
    return get_or_not_found(visible_agencies(actor), agency_id)


def visible_memberships(actor: Actor) -> QuerySet[Membership]:
    return Membership.objects.for_actor(actor).select_related("user", "agency")


def access_membership(actor: Actor, membership_id: uuid.UUID | str) -> Membership:
    return get_or_not_found(visible_memberships(actor), membership_id)


def can_manage_structure(actor: Actor) -> bool:
    """Agencies, memberships, MDT rosters, settings: tenant admins only."""
    return actor.role == Role.TENANT_ADMIN


# The platform chain's rows (no task force) that concern a member of a task force: their own
# account's sign-ins, failures, lockouts and second factors. Named, not "everything of a
# member": a platform admin's requests with no task force chosen, key rotations and other
# platform jobs belong to no task force and are shown to none.
MEMBER_ACCOUNT_ACTIONS = ("auth.", "mfa.")


def visible_audit_events(actor: Actor) -> QuerySet[AuditEvent]:
    """Audit metadata of the actor's task force, for tenant admins; nothing for anyone else.

    Besides the task force's own chain (platform-admin requests made inside this task force
    included): the platform rows of its members' own accounts (sign-ins, failed sign-ins,
    lockouts, MFA changes written with no task force).
    """
    if actor.role != Role.TENANT_ADMIN:
        return AuditEvent.objects.none()
    members = Membership.objects.filter(task_force_id=actor.task_force_id).values("user_id")
    account = Q()
    for prefix in MEMBER_ACCOUNT_ACTIONS:
        account |= Q(action__startswith=prefix)
    return AuditEvent.objects.filter(
        Q(task_force_id=actor.task_force_id) | (Q(task_force_id__isnull=True, user_id__in=members) & account)
    )
