"""Tenant admin HTML administration: agencies and memberships.

Every change must (1) happen, (2) leave an audit row with the right action and task force,
and (3) hold from the very next request. Bad input redisplays the form with 400 and writes
nothing; extra POST fields never place a record; user text is escaped on output.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from taskforce.access import Role, Side
from taskforce.models import Agency, ApiToken, AuditEvent, Membership, User
from taskforce.tokens import token_issue
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db

ADMIN = "alpha.tenant_admin"


# Literal paths, not reverse(): the HTML pages must be where the navigation and the redirects
# send people, whatever else shares a URL name.
HTML_PATHS = {
    "tf-home": "/tf/{tf}/",
    "agency-list": "/tf/{tf}/agencies/",
    "agency-create": "/tf/{tf}/agencies/new/",
    "agency-edit": "/tf/{tf}/agencies/{agency_id}/edit/",
    "membership-list": "/tf/{tf}/members/",
    "membership-add": "/tf/{tf}/members/new/",
    "membership-edit": "/tf/{tf}/members/{membership_id}/edit/",
    "membership-deactivate": "/tf/{tf}/members/{membership_id}/deactivate/",
    "membership-reactivate": "/tf/{tf}/members/{membership_id}/reactivate/",
    "audit-list": "/tf/{tf}/audit/",
}


def _url(name: str, **kwargs: object) -> str:
    return HTML_PATHS[name].format(tf="alpha", **kwargs)


def _admin(world: World) -> Client:
    return world.client(ADMIN)


def _audit(world: World, action: str, target: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action,
            task_force_id=world.task_forces["alpha"].id,
            target_id=str(target.pk),
        )
    )


def _audit_count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _signed_in(user: User) -> Client:
    """A brand-new session, as if the person signed in again."""
    client = Client()
    client.force_login(user)
    return client


def _token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
    return client


def _assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(reverse("login")), response["Location"]
    assert f"next={path}" in response["Location"]
    assert response.content == b""


# --- agencies ---------------------------------------------------------------------------------


def test_admin_adds_an_agency(world: World) -> None:
    client = _admin(world)
    response = client.post(
        _url("agency-create"),
        {"name": "Harbor Shelter", "side": Side.VICTIM_SERVICES, "mou_signed_on": "2025-01-15"},
    )
    assert response.status_code == 302

    agency = Agency.objects.get(name="Harbor Shelter")
    assert agency.task_force_id == world.task_forces["alpha"].id
    assert agency.side == Side.VICTIM_SERVICES
    assert agency.mou_signed_on == dt.date(2025, 1, 15)
    assert agency.mou_expires_on is None

    events = _audit(world, "agency.created", agency)
    assert len(events) == 1
    assert events[0].user_id == world.users[ADMIN].id
    assert events[0].target_type == "taskforce.agency"

    # Effective on the next request: listed in HTML and in the API, for any member.
    assert b"Harbor Shelter" in client.get(_url("agency-list")).content
    api = world.api("alpha.coordinator").get("/api/v1/tf/alpha/agencies/?page_size=100")
    assert str(agency.id) in {row["id"] for row in api.json()["results"]}
    # ... and never in the other task force.
    beta = world.api("beta.coordinator").get("/api/v1/tf/beta/agencies/?page_size=100")
    assert str(agency.id) not in {row["id"] for row in beta.json()["results"]}


def test_admin_edits_agency_mou_dates(world: World) -> None:
    agency = world.agencies["alpha.vs"]
    client = _admin(world)
    response = client.post(
        _url("agency-edit", agency_id=agency.id),
        {"name": agency.name, "mou_signed_on": "2024-07-01", "mou_expires_on": "2027-06-30"},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.mou_signed_on == dt.date(2024, 7, 1)
    assert agency.mou_expires_on == dt.date(2027, 6, 30)
    assert agency.name == "Shelter One"

    events = _audit(world, "agency.changed", agency)
    assert len(events) == 1
    assert sorted(events[0].detail["fields"]) == ["mou_expires_on", "mou_signed_on"]

    listing = client.get(_url("agency-list")).content.decode()
    assert "2024-07-01" in listing
    assert "2027-06-30" in listing
    detail = world.api("alpha.analyst").get(f"/api/v1/tf/alpha/agencies/{agency.id}/").json()
    assert detail["mou_signed_on"] == "2024-07-01"
    assert detail["mou_expires_on"] == "2027-06-30"


def test_agency_mou_expiring_before_signed_is_refused(world: World) -> None:
    client = _admin(world)
    before = Agency.objects.count()
    response = client.post(
        _url("agency-create"),
        {
            "name": "Backwards Agency",
            "side": Side.PARTNER,
            "mou_signed_on": "2025-06-01",
            "mou_expires_on": "2025-05-31",
        },
    )
    assert response.status_code == 400
    assert b"cannot expire before it was signed" in response.content
    assert b'name="name"' in response.content  # the form, redisplayed
    assert Agency.objects.count() == before
    assert not Agency.objects.filter(name="Backwards Agency").exists()
    assert _audit_count("agency.created") == 0

    agency = world.agencies["alpha.da"]
    response = client.post(
        _url("agency-edit", agency_id=agency.id),
        {"name": "Renamed DA", "mou_signed_on": "2025-06-01", "mou_expires_on": "2025-05-31"},
    )
    assert response.status_code == 400
    agency.refresh_from_db()
    assert agency.name == "District Attorney"
    assert agency.mou_signed_on is None
    assert _audit_count("agency.changed") == 0


def test_agency_create_ignores_placement_fields(world: World) -> None:
    beta = world.task_forces["beta"]
    response = _admin(world).post(
        _url("agency-create"),
        {
            "name": "Placed Agency",
            "side": Side.PARTNER,
            "task_force": str(beta.id),
            "task_force_id": str(beta.id),
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Placed Agency")
    assert agency.task_force_id == world.task_forces["alpha"].id


def test_agency_edit_cannot_change_side(world: World) -> None:
    agency = world.agencies["alpha.vs"]
    response = _admin(world).post(
        _url("agency-edit", agency_id=agency.id),
        {
            "name": "Shelter One Renamed",
            "side": Side.LAW_ENFORCEMENT,
            "task_force": str(world.task_forces["beta"].id),
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "Shelter One Renamed"  # the allowed change happened
    assert agency.side == Side.VICTIM_SERVICES
    assert agency.task_force_id == world.task_forces["alpha"].id


def test_agency_name_is_escaped_in_the_list(world: World) -> None:
    client = _admin(world)
    payload = "<script>alert(1)</script>"
    response = client.post(_url("agency-create"), {"name": payload, "side": Side.PARTNER})
    assert response.status_code == 302
    assert Agency.objects.filter(name=payload).exists()  # stored as typed
    for page in (_url("agency-list"), _url("tf-home")):
        content = client.get(page).content.decode()
        assert payload not in content, page
    listing = client.get(_url("agency-list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


# --- memberships ------------------------------------------------------------------------------


def test_admin_adds_a_new_person_by_email(world: World) -> None:
    client = _admin(world)
    agency = world.agencies["alpha.vs"]
    response = client.post(
        _url("membership-add"),
        {
            "email": "New.Advocate@Example.ORG",
            "full_name": "New Advocate",
            "agency": str(agency.id),
            "role": Role.VS_CASE_MANAGER,
        },
    )
    assert response.status_code == 302

    user = User.objects.get(email="new.advocate@example.org")
    assert user.full_name == "New Advocate"
    assert not user.has_usable_password()  # invited, not signed in yet
    assert not user.is_staff
    assert not user.is_superuser
    membership = Membership.objects.get(user=user)
    assert membership.task_force_id == world.task_forces["alpha"].id
    assert membership.agency_id == agency.id
    assert membership.role == Role.VS_CASE_MANAGER
    assert membership.is_active

    events = _audit(world, "membership.added", membership)
    assert len(events) == 1
    assert events[0].detail == {"role": Role.VS_CASE_MANAGER, "agency": str(agency.id)}
    assert events[0].user_id == world.users[ADMIN].id

    # Effective on the next request: the new member gets in, listed on the member page.
    assert _signed_in(user).get(_url("tf-home")).status_code == 200
    assert b"new.advocate@example.org" in client.get(_url("membership-list")).content


def test_admin_adds_an_existing_user_from_another_task_force(world: World) -> None:
    user = world.users["beta.coordinator"]
    existing_session = world.client("beta.coordinator")
    existing_api = world.api("beta.coordinator")
    assert existing_session.get(_url("tf-home")).status_code == 404
    assert existing_api.get("/api/v1/tf/alpha/agencies/").status_code == 404
    users_before = User.objects.count()

    response = _admin(world).post(
        _url("membership-add"),
        {
            "email": user.email.upper(),
            "agency": str(world.agencies["alpha.pd"].id),
            "role": Role.LE_INVESTIGATOR,
        },
    )
    assert response.status_code == 302
    assert User.objects.count() == users_before  # the same person, no second account
    membership = Membership.objects.get(user=user, task_force=world.task_forces["alpha"])
    assert membership.role == Role.LE_INVESTIGATOR
    assert len(_audit(world, "membership.added", membership)) == 1
    # The beta membership is untouched.
    with world.scope("beta"):
        beta = Membership.objects.get(user=user, task_force=world.task_forces["beta"])
    assert beta.role == Role.COORDINATOR

    # Effective on the next request of the sessions and tokens the person already holds.
    assert existing_session.get(_url("tf-home")).status_code == 200
    assert existing_api.get("/api/v1/tf/alpha/agencies/").status_code == 200


def test_admin_edits_a_members_role(world: World) -> None:
    key = "alpha.analyst"
    membership = world.memberships[key]
    user = world.users[key]
    old_session = world.client(key)
    old_api = world.api(key)
    assert old_session.get(_url("audit-list")).status_code == 404

    response = _admin(world).post(
        _url("membership-edit", membership_id=membership.id),
        {"agency": str(membership.agency_id), "role": Role.TENANT_ADMIN},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.TENANT_ADMIN
    events = _audit(world, "membership.changed", membership)
    assert len(events) == 1
    assert events[0].detail["role"] == Role.TENANT_ADMIN

    # Old session and token end (the role they were issued under is gone) ...
    _assert_login_redirect(old_session.get(_url("tf-home")), _url("tf-home"))
    assert old_api.get("/api/v1/tf/alpha/agencies/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    # ... and the next sign-in acts with the new role.
    assert _signed_in(user).get(_url("audit-list")).status_code == 200
    assert _token_client(user).get("/api/v1/tf/alpha/audit-events/").status_code == 200


def test_admin_moves_a_member_to_another_agency(world: World) -> None:
    key = "alpha.detective"
    membership = world.memberships[key]
    target = world.agencies["alpha.da"]
    response = _admin(world).post(
        _url("membership-edit", membership_id=membership.id),
        {"agency": str(target.id), "role": Role.PROSECUTOR},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.agency_id, membership.role) == (target.id, Role.PROSECUTOR)
    assert _audit(world, "membership.changed", membership)[0].detail == {
        "role": Role.PROSECUTOR,
        "agency": str(target.id),
    }
    me = _token_client(world.users[key]).get("/api/v1/me/").json()
    assert [(m["agency"]["id"], m["role"]) for m in me["memberships"]] == [(str(target.id), Role.PROSECUTOR)]


def test_admin_deactivates_and_reactivates_a_member(world: World) -> None:
    key = "alpha.coordinator"
    membership = world.memberships[key]
    user = world.users[key]
    session = world.client(key)
    api = world.api(key)
    assert session.get(_url("tf-home")).status_code == 200
    assert api.get("/api/v1/tf/alpha/agencies/").status_code == 200
    admin = _admin(world)

    response = admin.post(_url("membership-deactivate", membership_id=membership.id))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active is False
    events = _audit(world, "membership.deactivated", membership)
    assert len(events) == 1
    assert events[0].user_id == world.users[ADMIN].id

    # The very next request of the existing session: signed out, nothing served.
    _assert_login_redirect(session.get(_url("tf-home")), _url("tf-home"))
    _assert_login_redirect(session.get(_url("agency-list")), _url("agency-list"))
    session_api = session.get("/api/v1/tf/alpha/agencies/")
    assert session_api.status_code == 401
    assert b"District Attorney" not in session_api.content
    # The token is gone.
    token_api = api.get("/api/v1/tf/alpha/agencies/")
    assert token_api.status_code == 401
    assert b"District Attorney" not in token_api.content
    assert not ApiToken.objects.filter(user=user).exists()

    # Signing in again gives nothing inside the task force: 404, like a place that does not exist.
    fresh = _signed_in(user)
    response = fresh.get(_url("tf-home"))
    assert response.status_code == 404
    assert b"Alpha Task Force" not in response.content
    fresh_api = _token_client(user)
    response = fresh_api.get("/api/v1/tf/alpha/agencies/")
    assert response.status_code == 404
    assert b"District Attorney" not in response.content
    assert fresh_api.get("/api/v1/me/").json()["memberships"] == []

    # The member page shows the deactivated row with a reactivate button.
    listing = admin.get(_url("membership-list")).content.decode()
    assert _url("membership-reactivate", membership_id=membership.id) in listing

    response = admin.post(_url("membership-reactivate", membership_id=membership.id))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active is True
    assert len(_audit(world, "membership.reactivated", membership)) == 1
    # Effective on the next request of the session and token that got 404 a moment ago.
    assert fresh.get(_url("tf-home")).status_code == 200
    assert fresh_api.get("/api/v1/tf/alpha/agencies/").status_code == 200


def test_admin_cannot_deactivate_own_membership(world: World) -> None:
    membership = world.memberships[ADMIN]
    client = _admin(world)
    listing = client.get(_url("membership-list")).content.decode()
    assert _url("membership-deactivate", membership_id=membership.id) not in listing
    # The button for others is there (so the absence above means something).
    other = world.memberships["alpha.coordinator"]
    assert _url("membership-deactivate", membership_id=other.id) in listing

    response = client.post(_url("membership-deactivate", membership_id=membership.id))
    assert response.status_code == 302
    assert b"cannot deactivate your own membership" in client.get(_url("membership-list")).content
    membership.refresh_from_db()
    assert membership.is_active is True
    assert _audit_count("membership.deactivated") == 0
    assert client.get(_url("tf-home")).status_code == 200


def _add(client: Client, **data: str):
    return client.post(_url("membership-add"), data)


BAD_ADDS = [
    (
        "vs role at a law-enforcement agency",
        {"email": "wrong.side@example.org", "agency": "alpha.da", "role": Role.VS_CASE_MANAGER},
        b"does not fit the agency",
    ),
    (
        "le role at a victim-services agency",
        {"email": "wrong.side@example.org", "agency": "alpha.vs", "role": Role.LE_SUPERVISOR},
        b"does not fit the agency",
    ),
    (
        "coordinator at a partner agency",
        {"email": "wrong.side@example.org", "agency": "alpha.partner", "role": Role.COORDINATOR},
        b"does not fit the agency",
    ),
    (
        "unknown agency id",
        {"email": "someone@example.org", "agency": "00000000-0000-4000-8000-000000000000", "role": "analyst"},
        b"Select a valid choice",
    ),
    (
        "other task force's agency",
        {"email": "someone@example.org", "agency": "beta.vs", "role": Role.VS_CASE_MANAGER},
        b"Select a valid choice",
    ),
    (
        "malformed agency id",
        {"email": "someone@example.org", "agency": "not-a-uuid", "role": "analyst"},
        b"not a valid UUID",
    ),
    (
        "unknown role",
        {"email": "someone@example.org", "agency": "alpha.coord", "role": "superuser"},
        b"Select a valid choice",
    ),
    (
        "duplicate active member",
        {"email": "Investigator@Alpha.test", "agency": "alpha.da", "role": Role.PROSECUTOR},
        b"already a member",
    ),
    (
        "not an email",
        {"email": "not an email", "agency": "alpha.coord", "role": "analyst"},
        b"valid email",
    ),
]


@pytest.mark.parametrize(("case", "data", "field_error"), BAD_ADDS, ids=[c[0] for c in BAD_ADDS])
def test_bad_membership_input_writes_nothing(world: World, case: str, data: dict, field_error: bytes) -> None:
    data = dict(data)
    if data["agency"] in world.agencies:
        data["agency"] = str(world.agencies[data["agency"]].id)
    admin = _admin(world)  # signing in is audited: before the counts
    counts = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    investigator = world.memberships["alpha.investigator"]

    response = _add(admin, **data)

    assert response.status_code == 400, case
    assert field_error in response.content, case
    assert b'name="email"' in response.content  # the form is redisplayed
    assert not User.objects.filter(email__in=["wrong.side@example.org", "someone@example.org"]).exists()
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == counts
    investigator.refresh_from_db()
    assert (investigator.role, investigator.agency_id) == (
        Role.LE_INVESTIGATOR,
        world.agencies["alpha.da"].id,
    )


@pytest.mark.parametrize(
    ("agency", "role", "field_error"),
    [
        ("alpha.da", Role.VS_SUPERVISOR, b"does not fit the agency"),
        ("beta.vs", Role.VS_SUPERVISOR, b"Select a valid choice"),
        ("00000000-0000-4000-8000-000000000000", Role.VS_SUPERVISOR, b"Select a valid choice"),
    ],
)
def test_bad_membership_edit_writes_nothing(world: World, agency: str, role: str, field_error: bytes) -> None:
    membership = world.memberships["alpha.case_manager"]
    session = world.client("alpha.case_manager")
    agency_id = str(world.agencies[agency].id) if agency in world.agencies else agency
    response = _admin(world).post(
        _url("membership-edit", membership_id=membership.id), {"agency": agency_id, "role": role}
    )
    assert response.status_code == 400
    assert field_error in response.content
    membership.refresh_from_db()
    assert (membership.agency_id, membership.role) == (world.agencies["alpha.vs"].id, Role.VS_CASE_MANAGER)
    assert _audit_count("membership.changed") == 0
    # A refused change does not sign the member out either.
    assert session.get(_url("tf-home")).status_code == 200


def test_membership_add_ignores_placement_and_privilege_fields(world: World) -> None:
    beta = world.task_forces["beta"]
    response = _add(
        _admin(world),
        email="mass.assign@example.org",
        agency=str(world.agencies["alpha.vs"].id),
        role=Role.VS_CASE_MANAGER,
        task_force=str(beta.id),
        task_force_id=str(beta.id),
        side=Side.LAW_ENFORCEMENT,
        is_superuser="on",
        is_staff="on",
        is_active="",
        user=str(world.users["alpha.vs_supervisor"].id),
    )
    assert response.status_code == 302
    user = User.objects.get(email="mass.assign@example.org")
    assert user.is_superuser is False
    assert user.is_staff is False
    assert user.is_active is True
    membership = Membership.objects.get(user=user)
    assert membership.task_force_id == world.task_forces["alpha"].id
    assert membership.agency.side == Side.VICTIM_SERVICES
    assert membership.is_active is True
    assert not Membership.objects.filter(task_force=beta, user=user).exists()
    # The named user was not touched.
    assert Membership.objects.filter(user=world.users["alpha.vs_supervisor"]).count() == 1


def test_membership_edit_ignores_placement_and_privilege_fields(world: World) -> None:
    membership = world.memberships["alpha.case_manager"]
    response = _admin(world).post(
        _url("membership-edit", membership_id=membership.id),
        {
            "agency": str(world.agencies["alpha.vs"].id),
            "role": Role.VS_SUPERVISOR,
            "task_force": str(world.task_forces["beta"].id),
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "",
            "user": str(world.users["alpha.tenant_admin"].id),
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.VS_SUPERVISOR
    assert membership.task_force_id == world.task_forces["alpha"].id
    assert membership.user_id == world.users["alpha.case_manager"].id
    assert membership.is_active is True
    user = User.objects.get(pk=world.users["alpha.case_manager"].pk)
    assert (user.is_superuser, user.is_staff) == (False, False)


def test_admin_cannot_reach_another_task_forces_members(world: World) -> None:
    beta_membership = world.memberships["beta.coordinator"]
    client = _admin(world)
    for name in ("membership-edit", "membership-deactivate", "membership-reactivate"):
        url = _url(name, membership_id=beta_membership.id)
        response = client.post(url, {"agency": str(world.agencies["alpha.coord"].id), "role": "analyst"})
        assert response.status_code == 404, name
    with world.scope("beta"):
        beta_membership.refresh_from_db()
    assert (beta_membership.is_active, beta_membership.role) == (True, Role.COORDINATOR)
    assert _audit_count("membership.deactivated") + _audit_count("membership.changed") == 0
    response = client.post(_url("agency-edit", agency_id=world.agencies["beta.vs"].id), {"name": "Hijacked"})
    assert response.status_code == 404
    assert not Agency.objects.filter(name="Hijacked").exists()


def test_sign_in_password_still_works_after_reactivation(world: World) -> None:
    """Deactivation ends sessions but keeps the account: a reactivated member signs in with
    the same password (the form path, not force_login)."""
    key = "alpha.prosecutor"
    membership = world.memberships[key]
    admin = _admin(world)
    admin.post(_url("membership-deactivate", membership_id=membership.id))
    admin.post(_url("membership-reactivate", membership_id=membership.id))
    client = Client()
    response = client.post(reverse("login"), {"username": world.users[key].email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(_url("tf-home")).status_code == 200


def test_navigation_and_redirects_lead_to_the_html_pages(world: World) -> None:
    """The nav, the home page links and the post-save redirects reach the HTML lists, not the API."""
    client = _admin(world)
    saves = [
        (_url("agency-create"), {"name": "Redirect Agency", "side": Side.PARTNER}, _url("agency-list")),
        (
            _url("agency-edit", agency_id=world.agencies["alpha.partner"].id),
            {"name": "School District Two"},
            _url("agency-list"),
        ),
        (
            _url("membership-add"),
            {
                "email": "redirect@example.org",
                "agency": str(world.agencies["alpha.coord"].id),
                "role": "analyst",
            },
            _url("membership-list"),
        ),
        (
            _url("membership-edit", membership_id=world.memberships["alpha.analyst"].id),
            {"agency": str(world.agencies["alpha.coord"].id), "role": Role.COORDINATOR},
            _url("membership-list"),
        ),
        (
            _url("membership-deactivate", membership_id=world.memberships["alpha.detective"].id),
            {},
            _url("membership-list"),
        ),
        (
            _url("membership-reactivate", membership_id=world.memberships["alpha.detective"].id),
            {},
            _url("membership-list"),
        ),
    ]
    for path, data, target in saves:
        response = client.post(path, data)
        assert response.status_code == 302, path
        assert response["Location"] == target, path
    home = client.get(_url("tf-home")).content.decode()
    assert f'href="{_url("agency-list")}"' in home
    assert f'href="{_url("membership-list")}"' in home
    assert 'href="/api/' not in home
    for path in (_url("agency-list"), _url("membership-list")):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
