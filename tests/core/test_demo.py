"""``load_demo``: idempotent, exactly the accounts of api.md, every account can get a token."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from taskforce.access import Role, Side
from taskforce.models import Agency, Membership, TaskForce, User
from tests.world import across_task_forces, in_scope

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "a-demo-password-for-tests"

# api.md, copied here (not imported from taskforce.demo): the contract the loader must meet.
# (task force, username, agency name or None where api.md names none exactly, side, role)
LE, VS, COORD = Side.LAW_ENFORCEMENT, Side.VICTIM_SERVICES, Side.COORDINATION
API_MD_ACCOUNTS = [
    ("contra-costa", "admin@cc.demo", "HT Task Force", COORD, Role.TENANT_ADMIN),
    ("contra-costa", "coordinator@cc.demo", "HT Task Force", COORD, Role.COORDINATOR),
    ("contra-costa", "investigator@cc.demo", "District Attorney's Office", LE, Role.LE_INVESTIGATOR),
    ("contra-costa", "detective@cc.demo", None, LE, Role.LE_INVESTIGATOR),
    ("contra-costa", "prosecutor@cc.demo", "District Attorney's Office", LE, Role.PROSECUTOR),
    ("contra-costa", "lesup@cc.demo", "District Attorney's Office", LE, Role.LE_SUPERVISOR),
    ("contra-costa", "cm.stand@cc.demo", "STAND!", VS, Role.VS_CASE_MANAGER),
    ("contra-costa", "cm2.stand@cc.demo", "STAND!", VS, Role.VS_CASE_MANAGER),
    ("contra-costa", "sup.stand@cc.demo", "STAND!", VS, Role.VS_SUPERVISOR),
    ("contra-costa", "cm.cvs@cc.demo", "Community Violence Solutions", VS, Role.VS_CASE_MANAGER),
    ("contra-costa", "legal.bala@cc.demo", "Bay Area Legal Aid", VS, Role.VS_CASE_MANAGER),
    ("contra-costa", "analyst@cc.demo", "HT Task Force", COORD, Role.ANALYST),
    ("solano", "coordinator@sol.demo", None, COORD, Role.COORDINATOR),
    ("solano", "investigator@sol.demo", None, LE, Role.LE_INVESTIGATOR),
    ("solano", "cm.shelter@sol.demo", None, VS, Role.VS_CASE_MANAGER),
]


def _load(password: str = DEMO_PASSWORD) -> str:
    out = StringIO()
    call_command("load_demo", password=password, stdout=out)
    return out.getvalue()


def _everywhere(rows: Callable[[], Iterable[Any]]) -> list[Any]:
    """The rows of every task force, read one task force at a time."""
    return sorted(row for _ in across_task_forces() for row in rows())


def _snapshot() -> dict[str, object]:
    """Every structure row by natural key, with its primary key: a re-created row shows up."""
    return {
        "task_forces": sorted(
            TaskForce.objects.values_list(
                "slug", "id", "name", "jurisdiction", "public_tip_form_enabled", "consent_max_days"
            )
        ),
        "agencies": _everywhere(
            lambda: Agency.objects.values_list(
                "task_force__slug", "name", "id", "side", "mou_signed_on", "mou_expires_on"
            )
        ),
        "memberships": _everywhere(
            lambda: Membership.objects.values_list(
                "task_force__slug", "user__email", "id", "agency__name", "role", "is_active"
            )
        ),
        "users": sorted(
            User.objects.values_list("email", "id", "full_name", "is_active", "is_staff", "is_superuser")
        ),
    }


def _counts() -> tuple[int, int, int, int]:
    return (
        TaskForce.objects.count(),
        len(_everywhere(lambda: Agency.objects.values_list("id"))),
        len(_everywhere(lambda: Membership.objects.values_list("id"))),
        User.objects.count(),
    )


def test_load_demo_is_idempotent() -> None:
    _load()
    first, first_counts = _snapshot(), _counts()
    assert first_counts[0] == 2
    assert first_counts[2] == len(API_MD_ACCOUNTS)

    output = _load()
    assert _snapshot() == first
    assert _counts() == first_counts
    assert "admin@cc.demo" in output


def test_second_run_restores_a_changed_account() -> None:
    """'Brought to the state below': a demo account an admin moved or deactivated comes back."""
    _load()
    before = _snapshot()
    with in_scope("contra-costa"):
        membership = Membership.objects.get(user__email="cm.stand@cc.demo")
        membership.role = Role.VS_SUPERVISOR
        membership.is_active = False
        membership.save()
    User.objects.filter(email="detective@cc.demo").update(is_active=False)
    _load()
    assert _snapshot() == before


def test_demo_accounts_match_api_md() -> None:
    _load()
    demo_users = set(User.objects.filter(email__endswith=".demo").values_list("email", flat=True))
    assert demo_users == {account[1] for account in API_MD_ACCOUNTS}
    for slug, email, agency_name, side, role in API_MD_ACCOUNTS:
        with in_scope(slug):
            memberships = list(
                Membership.objects.filter(user__email=email).select_related("task_force", "agency")
            )
        assert len(memberships) == 1, email
        membership = memberships[0]
        assert membership.task_force.slug == slug, email
        assert membership.agency.task_force_id == membership.task_force_id, email
        assert membership.agency.side == side, email
        assert membership.role == role, email
        assert membership.is_active, email
        if agency_name is not None:
            assert membership.agency.name == agency_name, email
        user = membership.user
        assert user.is_active, email
        assert not user.is_superuser, email
        assert not user.is_staff, email
        assert user.check_password(DEMO_PASSWORD), email
    cc = TaskForce.objects.get(slug="contra-costa")
    sol = TaskForce.objects.get(slug="solano")
    with in_scope(cc):
        detective = Membership.objects.get(user__email="detective@cc.demo").agency
        assert detective.name.endswith("Police Department")
        # The Contra Costa agencies api.md names, each in Contra Costa and nowhere else as a member's home.
        assert Agency.objects.filter(task_force=cc, name="HT Task Force", side=COORD).exists()
    with in_scope(sol):
        shelter = Membership.objects.get(user__email="cm.shelter@sol.demo").agency
        assert "shelter" in shelter.name.lower()
        for email in ("coordinator@sol.demo", "investigator@sol.demo", "cm.shelter@sol.demo"):
            assert Membership.objects.get(user__email=email).agency.task_force_id == sol.id


def test_every_demo_account_gets_a_token() -> None:
    _load()
    client = APIClient()
    tokens = set()
    for _slug, email, *_ in API_MD_ACCOUNTS:
        response = client.post(
            "/api/v1/auth/token/", {"username": email, "password": DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, (email, response.content)
        tokens.add(response.json()["token"])
        me = APIClient()
        me.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert me.get("/api/v1/me/").json()["username"] == email
    assert len(tokens) == len(API_MD_ACCOUNTS)
    wrong = client.post(
        "/api/v1/auth/token/", {"username": "admin@cc.demo", "password": "not-the-password"}, format="json"
    )
    assert wrong.status_code == 400


def test_password_of_a_second_run_replaces_the_first() -> None:
    _load("first-demo-password-1")
    _load("second-demo-password-2")
    client = APIClient()
    old = client.post(
        "/api/v1/auth/token/",
        {"username": "admin@cc.demo", "password": "first-demo-password-1"},
        format="json",
    )
    new = client.post(
        "/api/v1/auth/token/",
        {"username": "admin@cc.demo", "password": "second-demo-password-2"},
        format="json",
    )
    assert (old.status_code, new.status_code) == (400, 200)


def test_done_when_coordinator_sees_only_contra_costa() -> None:
    """api.md's acceptance check: coordinator@cc.demo gets 404 for Solano and /me lists only CC."""
    _load()
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "coordinator@cc.demo", "password": DEMO_PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/tf/solano/agencies/").status_code == 404
    own = client.get("/api/v1/tf/contra-costa/agencies/?page_size=100")
    assert own.status_code == 200
    names = {row["name"] for row in own.json()["results"]}
    assert "STAND!" in names
    assert "Vallejo Police Department" not in names
    assert "Solano Harbor House Shelter" not in names

    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "coordinator@cc.demo"
    with in_scope("contra-costa"):
        agency = Agency.objects.get(task_force__slug="contra-costa", name="HT Task Force")
    assert len(body["memberships"]) == 1
    membership = body["memberships"][0]
    assert membership["task_force"] == "contra-costa"
    assert membership["role"] == Role.COORDINATOR
    assert membership["agency"] == {"id": str(agency.id), "name": "HT Task Force", "side": "coordination"}
