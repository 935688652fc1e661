"""Whose account a task force admin may unlock or strip of its second factor.

The lock and the second factor belong to the person's account, which every task force of theirs
shares. An admin of one task force may act only on accounts that live in that task force alone
and carry no platform rights: otherwise the admin of task force A could add task force B's admin
as a member (accounts are attached by e-mail) and then clear their failed sign-ins between
guesses, or remove their authenticator app everywhere.
"""

from __future__ import annotations

from taskforce.access import Actor
from taskforce.models import Membership, User
from taskforce.rls import restore_scope, swap_scope


def task_force_ids_of(user: User) -> set[str]:
    """The task forces of the person's active memberships. Read in the person's own scope (the
    membership policy shows a user their own memberships of every task force), then the
    caller's scope is put back."""
    previous = swap_scope(task_force_id=None, user_id=user.pk)
    try:
        return {
            str(tf)
            for tf in Membership.objects.filter(user_id=user.pk, is_active=True).values_list(
                "task_force_id", flat=True
            )
        }
    finally:
        restore_scope(previous)


def may_manage_account(actor: Actor, user: User) -> bool:
    if user.is_staff or user.is_superuser:
        return False
    return task_force_ids_of(user) <= {str(actor.task_force_id)}
