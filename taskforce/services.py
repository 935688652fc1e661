"""Writes to the task force's structure. Each re-checks the policy and writes an audit row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from taskforce.access import Actor
from taskforce.audit import audit_record
from taskforce.models import Agency, Membership, TaskForce, User
from taskforce.permissions import revoke_all_grants
from taskforce.policies import can_manage_structure
from taskforce.tokens import token_revoke_all

# Sent after a task force's settings change, with the changed field names; the domain apps
# recompute what depends on them (referrals: which charges are trafficking charges).
settings_changed = Signal()


def _require_admin(actor: Actor) -> None:
    if not can_manage_structure(actor):
        raise PermissionDenied


@transaction.atomic
def agency_create(
    *,
    actor: Actor,
    name: str,
    side: str,
    mou_signed_on: dt.date | None = None,
    mou_expires_on: dt.date | None = None,
) -> Agency:
    """Tenant admins add an agency to their own task force. Logged: ``agency.created``."""
    _require_admin(actor)
    agency = Agency(
        task_force_id=actor.task_force_id,
        name=name,
        side=side,
        mou_signed_on=mou_signed_on,
        mou_expires_on=mou_expires_on,
    )
    agency.full_clean()
    agency.save()
    audit_record(action="agency.created", actor=actor, target=agency)
    return agency


@transaction.atomic
def agency_update(
    *,
    actor: Actor,
    agency: Agency,
    name: str,
    mou_signed_on: dt.date | None,
    mou_expires_on: dt.date | None,
) -> Agency:
    """Rename an agency or change its MOU dates. Its side never changes: that would move every
    member and record across the wall. Logged: ``agency.changed`` with the changed field names.
    """
    _require_admin(actor)
    changed = [
        field
        for field, value in (
            ("name", name),
            ("mou_signed_on", mou_signed_on),
            ("mou_expires_on", mou_expires_on),
        )
        if getattr(agency, field) != value
    ]
    agency.name, agency.mou_signed_on, agency.mou_expires_on = name, mou_signed_on, mou_expires_on
    agency.full_clean()
    agency.save(update_fields=[*changed, "updated_at"])
    audit_record(action="agency.changed", actor=actor, target=agency, detail={"fields": changed})
    return agency


def _end_sessions(user: User) -> None:
    """Logout everywhere: sessions check ``sessions_valid_after``; tokens are deleted."""
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["sessions_valid_after"])
    token_revoke_all(user=user)


@transaction.atomic
def membership_add(*, actor: Actor, email: str, agency: Agency, role: str, full_name: str = "") -> Membership:
    """Add a person by email. A new email becomes an account with no usable password until they
    are invited. A deactivated membership of the same person is reactivated with the new role.
    Logged: ``membership.added``.
    """
    _require_admin(actor)
    if agency.task_force_id != actor.task_force_id:
        raise ValidationError({"agency": "Select an agency of this task force."})
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    membership = Membership.objects.filter(task_force_id=actor.task_force_id, user=user).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"email": "This person is already a member of the task force."})
    if membership is None:
        membership = Membership(task_force_id=actor.task_force_id, user=user)
    membership.agency, membership.role, membership.is_active = agency, role, True
    membership.full_clean()
    membership.save()
    audit_record(
        action="membership.added",
        actor=actor,
        target=membership,
        detail={"role": role, "agency": str(agency.id)},
    )
    return membership


@transaction.atomic
def membership_update(*, actor: Actor, membership: Membership, agency: Agency, role: str) -> Membership:
    """Change a member's agency or role. Their open sessions end, so nothing they could see
    under the old role stays on a screen or in a token. Logged: ``membership.changed``.
    """
    _require_admin(actor)
    if membership.id == actor.membership_id:
        # An admin who could change their own role could give themselves content access:
        # another admin must do it (no god mode, access.md principle 4).
        raise ValidationError("Another administrator must change your own membership.")
    if agency.task_force_id != actor.task_force_id:
        raise ValidationError({"agency": "Select an agency of this task force."})
    before = (membership.agency_id, membership.role)
    membership.agency, membership.role = agency, role
    membership.full_clean()
    membership.save(update_fields=["agency", "role", "updated_at"])
    if before != (membership.agency_id, membership.role):
        # Grants belong to a person in a place: a move must not carry them along, nor let them
        # come back if the person later moves back.
        revoke_all_grants(actor=actor, membership=membership)
        _end_sessions(membership.user)
    audit_record(
        action="membership.changed",
        actor=actor,
        target=membership,
        detail={"role": role, "agency": str(agency.id)},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership: Membership) -> Membership:
    """Take a member out of the task force: no access from their next request on.
    Logged: ``membership.deactivated``.
    """
    _require_admin(actor)
    if membership.id == actor.membership_id:
        raise ValidationError({"membership": "You cannot deactivate your own membership."})
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    revoke_all_grants(actor=actor, membership=membership)
    _end_sessions(membership.user)
    audit_record(action="membership.deactivated", actor=actor, target=membership)
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Actor, membership: Membership) -> Membership:
    """Logged: ``membership.reactivated``."""
    _require_admin(actor)
    membership.is_active = True
    membership.full_clean()
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(action="membership.reactivated", actor=actor, target=membership)
    return membership


@transaction.atomic
def task_force_settings_update(
    *,
    actor: Actor,
    triage_target_immediate_minutes: int,
    triage_target_business_days: int,
    trafficking_statutes: list[str] | None = None,
    investigation_number_pattern: str | None = None,
) -> TaskForce:
    """The task force's own working rules, set by its admins: how soon a new tip must be
    triaged, and which statutes are trafficking charges (the apps recount on ``settings_changed``).
    Logged: ``task_force.changed`` with the changed field names."""
    _require_admin(actor)
    task_force = TaskForce.objects.get(pk=actor.task_force_id)
    values: dict[str, object] = {
        "triage_target_immediate_minutes": triage_target_immediate_minutes,
        "triage_target_business_days": triage_target_business_days,
    }
    if trafficking_statutes is not None:
        values["trafficking_statutes"] = trafficking_statutes
    if investigation_number_pattern is not None:
        values["investigation_number_pattern"] = investigation_number_pattern
    changed = [field for field, value in values.items() if getattr(task_force, field) != value]
    for field, value in values.items():
        setattr(task_force, field, value)
    task_force.full_clean()
    if changed:
        task_force.save(update_fields=changed)
        audit_record(action="task_force.changed", actor=actor, target=task_force, detail={"fields": changed})
        settings_changed.send(sender=TaskForce, actor=actor, fields=changed)
    return task_force
