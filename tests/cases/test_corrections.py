"""Correcting what was entered (issue 12, item 2): the client after intake, services corrected or
voided with a reason (never deleted, reports follow), notes amended by an addendum.

Who may: whoever may write the case (its assigned case managers, the agency's VS supervisors);
everyone else gets 404, as for every case route. The audit log names the changed fields, never
their values.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Case, CaseNote, ClientIdentity, NoteAddendum, ServiceCorrection, ServiceDelivery
from cases.services import today_for
from reporting.models import MonthLock
from taskforce.models import AuditEvent
from tests.world import World, use_scope

pytestmark = pytest.mark.django_db

CLIENT = {
    "first_name": "Ana",
    "last_name": "Original",
    "date_of_birth": "1990-02-03",
    "phone": "555-0100",
    "unsafe_channels": ["voicemail"],
}

# Every intake field group, with values that appear nowhere else (a leak is a string match).
EVERY_GROUP = {
    # identity
    "first_name": "Anabel",
    "last_name": "Corrected-Lastname",
    "preferred_name": "Bel",
    "aliases": "Bela, Anita",
    "date_of_birth": "1991-05-06",
    "preferred_language": "Tagalog",
    "immigration_status": "T visa pending",
    # contact
    "phone": "555-0199",
    "email": "anabel.fixed@example.org",
    "address": "99 Corrected Street",
    # safety profile
    "unsafe_channels": ["text", "home_visit"],
    "safe_contact": "Call the shelter desk only",
    "address_confidential": True,
    # coded attributes
    "age_group_at_intake": "adult",
    "gender": "nonbinary",
    "citizenship": "foreign_national",
    "race_ethnicity": "asian",
}


def api_url(name: str, tf: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"task_force": tf, **kwargs})


def html_url(name: str, tf: str = "alpha", **kwargs: Any) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


def today(world: World) -> dt.date:
    return today_for(world.actor("alpha.case_manager"))


def last_month(world: World) -> dt.date:
    return (today(world).replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def new_case(world: World, key: str = "alpha.case_manager", **client: Any) -> dict:
    opened = (last_month(world) - dt.timedelta(days=40)).isoformat()
    body = {"client": {**CLIENT, **client}, "trafficking_type": "labor", "opened_on": opened}
    response = world.api(key).post(api_url("case-list", tf=world.slug(key)), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def new_service(world: World, case_id: str, key: str = "alpha.case_manager", **extra: Any) -> dict:
    body = {"service_type": "legal_civil", "delivered_on": today(world).isoformat(), **extra}
    response = world.api(key).post(api_url("case-services", pk=case_id), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def identity_of(case_id: str) -> ClientIdentity:
    client_id = Case.objects.values_list("client_id", flat=True).get(pk=case_id)
    return ClientIdentity.objects.select_related("client").get(client_id=client_id)


def snapshot(case_id: str) -> dict:
    identity = identity_of(case_id)
    return {
        **{f: getattr(identity, f) for f in EVERY_GROUP if hasattr(identity, f)},
        **{f: getattr(identity.client, f) for f in ("age_group_at_intake", "gender", "citizenship")},
    }


@pytest.fixture(autouse=True)
def _alpha_scope(world: World) -> None:
    """Every record here is alpha's: the test's own reads happen inside alpha's scope."""
    use_scope(world.task_forces["alpha"])


@pytest.fixture
def case(world: World) -> dict:
    return new_case(world)


# --- the client -----------------------------------------------------------------------------


def test_patch_client_corrects_every_field_group_and_audits_names_only(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    response = api.patch(api_url("case-detail", pk=case["id"]), {"client": EVERY_GROUP}, format="json")
    assert response.status_code == 200, response.content
    shown = world.api("alpha.case_manager").get(api_url("case-detail", pk=case["id"])).json()["client"]
    for name, value in EVERY_GROUP.items():
        assert shown[name] == value, name
    identity = identity_of(case["id"])
    assert identity.phone == "555-0199"
    assert identity.client.gender == "nonbinary"

    # The caseload search (blind indexes) finds the client by the corrected name and phone only.
    for term, found in (("Corrected-Lastname", True), ("555-0199", True), ("Original", False)):
        results = (
            world.api("alpha.case_manager").get(api_url("case-list"), {"search": term}).json()["results"]
        )
        assert [row["id"] for row in results] == ([case["id"]] if found else []), term

    events = AuditEvent.objects.filter(action="client.changed", target_id=str(identity.client_id))
    assert events.count() == 1
    event = events.get()
    # The age group was already "adult", worked out from the birth date at intake: unchanged.
    assert set(event.detail["fields"]) == set(EVERY_GROUP) - {"age_group_at_intake"}
    assert event.detail["case"] == case["id"]
    dumped = json.dumps(event.detail)
    for value in (
        "Anabel",
        "Corrected-Lastname",
        "555-0199",
        "anabel.fixed",
        "Corrected Street",
        "shelter desk",
    ):
        assert value not in dumped


def test_patch_client_with_case_fields_and_only_changed_names_logged(world: World, case: dict) -> None:
    api = world.api("alpha.vs_supervisor")
    body = {"trafficking_type": "both", "client": {"phone": "555-0111", "first_name": "Ana"}}
    response = api.patch(api_url("case-detail", pk=case["id"]), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["trafficking_type"] == "both"
    assert response.json()["client"]["phone"] == "555-0111"
    event = AuditEvent.objects.filter(action="client.changed").latest("seq")
    assert event.detail["fields"] == ["phone"]  # first_name was sent unchanged


@pytest.mark.parametrize(
    "bad",
    [
        {"first_name": "  "},
        {"first_name": ""},
        {"date_of_birth": "2999-01-01"},
        {"email": "not-an-email"},
        {"gender": "martian"},
        {"unsafe_channels": ["carrier_pigeon"]},
        {"citizenship": "nowhere"},
        {"last_name": ""},
    ],
)
def test_invalid_client_change_is_400_and_changes_nothing(world: World, case: dict, bad: dict) -> None:
    before = snapshot(case["id"])
    body = {"trafficking_type": "sex", "client": {"phone": "555-0177", "safe_contact": "changed", **bad}}
    response = world.api("alpha.case_manager").patch(
        api_url("case-detail", pk=case["id"]), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert set(bad) <= set(response.json()["client"])
    assert snapshot(case["id"]) == before
    detail = world.api("alpha.case_manager").get(api_url("case-detail", pk=case["id"])).json()
    assert detail["trafficking_type"] == "labor"
    assert not AuditEvent.objects.filter(action="client.changed").exists()


def test_future_birth_date_refused_by_the_service_in_the_task_force_zone(world: World, case: dict) -> None:
    tomorrow = (today(world) + dt.timedelta(days=1)).isoformat()
    response = world.api("alpha.case_manager").patch(
        api_url("case-detail", pk=case["id"]), {"client": {"date_of_birth": tomorrow}}, format="json"
    )
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["client"]
    assert str(identity_of(case["id"]).date_of_birth) == "1990-02-03"


@pytest.mark.parametrize(
    ("key", "tf"),
    [
        ("alpha.case_manager_2", "alpha"),  # same agency, not assigned
        ("alpha.other_agency_cm", "alpha"),  # another VS agency
        ("alpha.investigator", "alpha"),  # the other side of the wall
        ("alpha.coordinator", "alpha"),
        ("alpha.tenant_admin", "alpha"),
        ("beta.case_manager", "beta"),  # another task force, its own slug
        ("beta.vs_supervisor", "alpha"),  # another task force, no membership here
    ],
)
def test_only_who_may_write_the_case_corrects_it(world: World, case: dict, key: str, tf: str) -> None:
    before = snapshot(case["id"])
    body = {"client": {"phone": "555-0666", "first_name": "Intruder"}}
    response = world.api(key).patch(api_url("case-detail", tf=tf, pk=case["id"]), body, format="json")
    assert response.status_code == 404
    assert b"Original" not in response.content
    page = world.client(key).post(
        html_url("case-client-edit", tf=tf, case_id=case["id"]), {"first_name": "Intruder", "last_name": "X"}
    )
    assert page.status_code == 404
    assert snapshot(case["id"]) == before
    assert not AuditEvent.objects.filter(action="client.changed").exists()


def test_html_edit_screen_saves_one_form_and_the_case_page_shows_changes(world: World, case: dict) -> None:
    client = world.client("alpha.case_manager")
    edit = html_url("case-client-edit", case_id=case["id"])
    detail = html_url("case-detail", case_id=case["id"])
    assert edit in client.get(detail).content.decode()
    page = client.get(edit)
    assert page.status_code == 200
    body = page.content.decode()
    for section in ("Identity", "Contact", "Safety before contact", "Coded attributes"):
        assert f"<h2>{section}</h2>" in body
    assert 'value="555-0100"' in body

    form = {
        "first_name": "Ana",
        "last_name": "Original",
        "date_of_birth": "1990-02-03",
        "phone": "555-0123",
        "unsafe_channels": ["voicemail", "email"],
        "safe_contact": "Only through the advocate",
        "address_confidential": "on",
        "age_group_at_intake": "adult",
        "gender": "female",
        "citizenship": "not_reported",
        "race_ethnicity": "not_reported",
    }
    # Invalid (a birth date in the future): 400, nothing saved.
    future = {**form, "date_of_birth": (today(world) + dt.timedelta(days=3)).isoformat()}
    assert client.post(edit, future).status_code == 400
    assert identity_of(case["id"]).phone == "555-0100"

    response = client.post(edit, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    identity = identity_of(case["id"])
    assert identity.phone == "555-0123"
    assert set(identity.unsafe_channels) == {"voicemail", "email"}
    assert identity.address_confidential is True
    assert identity.client.gender == "female"
    event = AuditEvent.objects.filter(action="client.changed").latest("seq")
    assert set(event.detail["fields"]) == {
        "phone",
        "unsafe_channels",
        "safe_contact",
        "address_confidential",
        "gender",
    }

    # The agency (here the supervisor) sees who changed which fields, and when; never the values.
    page = world.client("alpha.vs_supervisor").get(detail).content.decode()
    changes = page.split('id="h-changes"', 1)[1].split("</section>", 1)[0]
    assert "case_manager" in changes  # the person's name
    assert "phone" in changes
    assert "unsafe_channels" in changes
    assert "555-0123" not in changes
    assert "555-0100" not in changes


# --- services -------------------------------------------------------------------------------


def test_service_corrected_with_a_reason_keeps_the_earlier_values(world: World, case: dict) -> None:
    service = new_service(world, case["id"], units="1.00")
    api = world.api("alpha.case_manager")
    path = api_url("case-service-detail", pk=case["id"], service_id=service["id"])
    # A reason is required.
    assert api.patch(path, {"units": "3.00"}, format="json").status_code == 400
    assert api.patch(path, {"units": "3.00", "reason": "  "}, format="json").status_code == 400
    # Same date rules as recording.
    future = (today(world) + dt.timedelta(days=2)).isoformat()
    response = api.patch(path, {"delivered_on": future, "reason": "typo"}, format="json")
    assert response.status_code == 400
    assert ServiceDelivery.objects.get(pk=service["id"]).corrected_at is None

    # The providing agency follows the recording rule: no release to Legal Aid Two, so refused.
    other = str(world.agencies["alpha.vs2"].pk)
    response = api.patch(path, {"providing_agency": other, "reason": "typo"}, format="json")
    assert response.status_code == 400
    assert "providing_agency" in response.json()

    body = {"units": "3.00", "service_type": "legal_immigration", "reason": "Entered the wrong category"}
    response = api.patch(path, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["units"] == "3.00"
    assert data["service_type"] == "legal_immigration"
    assert data["corrected"] is True
    assert data["voided"] is False
    correction = ServiceCorrection.objects.get(service_id=service["id"])
    assert correction.fields == ["service_type", "units"]
    assert json.loads(correction.previous) == {"service_type": "legal_civil", "units": "1.00"}
    assert correction.reason == "Entered the wrong category"
    event = AuditEvent.objects.filter(action="service.corrected", target_id=service["id"]).get()
    assert event.detail["fields"] == ["service_type", "units"]
    assert "wrong category" not in json.dumps(event.detail)


def test_void_keeps_the_service_listed_and_nothing_is_deleted(world: World, case: dict) -> None:
    service = new_service(world, case["id"])
    api = world.api("alpha.case_manager")
    void = api_url("case-service-void", pk=case["id"], service_id=service["id"])
    assert api.post(void, {}, format="json").status_code == 400
    response = api.post(void, {"reason": "Recorded on the wrong client"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["voided"] is True
    assert response.json()["void_reason"] == "Recorded on the wrong client"

    listing = api.get(api_url("case-services", pk=case["id"])).json()["results"]
    assert [(row["id"], row["voided"]) for row in listing] == [(service["id"], True)]
    one = api.get(api_url("case-service-detail", pk=case["id"], service_id=service["id"]))
    assert one.status_code == 200
    assert one.json()["voided"] is True
    # Voided is final: voiding again or correcting it is a state conflict.
    assert api.post(void, {"reason": "again"}, format="json").status_code == 409
    detail = api_url("case-service-detail", pk=case["id"], service_id=service["id"])
    assert api.patch(detail, {"units": "2", "reason": "x"}, format="json").status_code == 409
    # No DELETE anywhere.
    assert api.delete(detail).status_code == 405
    assert ServiceDelivery.objects.filter(pk=service["id"]).exists()
    # A voided service is no contact with the client.
    case_row = api.get(api_url("case-detail", pk=case["id"])).json()
    assert case_row["last_contact_on"] is None
    assert AuditEvent.objects.filter(action="service.voided", target_id=service["id"]).exists()


@pytest.mark.parametrize(
    ("key", "tf"),
    [
        ("alpha.case_manager_2", "alpha"),
        ("alpha.other_agency_cm", "alpha"),
        ("alpha.coordinator", "alpha"),
        ("beta.case_manager", "beta"),
        ("beta.vs_supervisor", "alpha"),
    ],
)
def test_services_of_a_case_one_may_not_write_are_404(world: World, case: dict, key: str, tf: str) -> None:
    service = new_service(world, case["id"])
    api = world.api(key)
    kwargs = {"tf": tf, "pk": case["id"], "service_id": service["id"]}
    assert api.get(api_url("case-service-detail", **kwargs)).status_code == 404
    patch = api.patch(api_url("case-service-detail", **kwargs), {"units": "9", "reason": "x"}, format="json")
    assert patch.status_code == 404
    assert api.post(api_url("case-service-void", **kwargs), {"reason": "x"}, format="json").status_code == 404
    html = world.client(key).post(
        html_url("case-service-void", tf=tf, case_id=case["id"], service_id=service["id"]), {"reason": "x"}
    )
    assert html.status_code == 404
    row = ServiceDelivery.objects.get(pk=service["id"])
    assert row.voided_at is None
    assert row.units == 1


def test_a_service_of_another_case_is_404_through_this_case(world: World, case: dict) -> None:
    other = new_case(world)
    service = new_service(world, other["id"])
    api = world.api("alpha.case_manager")
    path = api_url("case-service-void", pk=case["id"], service_id=service["id"])
    assert api.post(path, {"reason": "x"}, format="json").status_code == 404


def _report(world: World, key: str, month: dt.date) -> dict:
    response = world.api(key).get(api_url("report-monthly"), {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200, response.content
    return response.json()


def _changes(world: World, key: str, month: dt.date) -> dict:
    response = world.api(key).get(api_url("report-monthly-changes"), {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200, response.content
    return response.json()


def _value(report: dict, code: str) -> int:
    return next(m["value"] for m in report["measures"] if m["code"] == code)


def test_reports_count_the_corrected_figure_and_a_locked_month_lists_the_changes(world: World) -> None:
    month = last_month(world)
    case = new_case(world)
    kept = new_service(
        world, case["id"], service_type="legal_civil", delivered_on=(month + dt.timedelta(days=2)).isoformat()
    )
    voided = new_service(
        world, case["id"], service_type="medical", delivered_on=(month + dt.timedelta(days=3)).isoformat()
    )
    report = _report(world, "alpha.analyst", month)
    assert _value(report, "services.medical.deliveries") == 1
    assert _value(report, "services.legal_civil.deliveries") == 1
    assert set(report) == {"task_force", "month", "measures"}  # the contract's shape stays
    before = _changes(world, "alpha.analyst", month)
    assert before["prepared"] is None
    assert before["changed_since_prepared"] == []

    # The month is prepared (locked) by grant staff.
    assert (
        world.client("alpha.coordinator")
        .post(html_url("report-lock"), {"month": f"{month:%Y-%m}"})
        .status_code
        == 302
    )
    assert MonthLock.objects.filter(month=month, reopened_at__isnull=True).exists()

    api = world.api("alpha.case_manager")
    api.post(
        api_url("case-service-void", pk=case["id"], service_id=voided["id"]),
        {"reason": "Duplicate entry"},
        format="json",
    )
    body = {"service_type": "legal_immigration", "reason": "Wrong category"}
    api.patch(api_url("case-service-detail", pk=case["id"], service_id=kept["id"]), body, format="json")

    report = _report(world, "alpha.analyst", month)
    assert _value(report, "services.medical.deliveries") == 0  # voided: no longer counted
    assert _value(report, "services.legal_civil.deliveries") == 0
    assert _value(report, "services.legal_immigration.deliveries") == 1  # the corrected figure
    assert _value(report, "clients_served") == 1
    after = _changes(world, "alpha.analyst", month)
    assert after["prepared"] is not None
    # Across agencies, counts only: the corrections, the reason and the record stay inside the agency.
    assert after["changed_since_prepared"] == []
    assert after["changed_since_prepared_by_agency"] == [
        {"agency": "Shelter One", "corrected": 1, "voided": 1}
    ]
    assert "Duplicate entry" not in json.dumps(after)

    # The agency's own supervisor sees which service, who, and why.
    own = _changes(world, "alpha.vs_supervisor", month)["changed_since_prepared"]
    by_kind = {c["change"]: c for c in own}
    assert by_kind["voided"]["service"] == voided["id"]
    assert by_kind["voided"]["reason"] == "Duplicate entry"
    assert by_kind["voided"]["changed_by"] == "case_manager"
    assert by_kind["corrected"]["fields"] == ["service_type"]
    # An analyst who sits at the same victim-services agency still reads aggregates only
    # (review finding: the reason and the record reached them).
    from taskforce.access import Role
    from taskforce.models import Membership, User

    user = User.objects.create_user(email="analyst@vs.alpha.test", password="a-long-test-password-1")
    membership = Membership.objects.create(
        task_force=world.task_forces["alpha"], user=user, agency=world.agencies["alpha.vs"], role=Role.ANALYST
    )
    world.memberships["alpha.vs_analyst"] = membership
    world.users["alpha.vs_analyst"] = user
    seen = _changes(world, "alpha.vs_analyst", month)
    assert seen["changed_since_prepared"] == []
    assert "Duplicate entry" not in json.dumps(seen)
    # An investigator's report has no victim-services part; a case manager has no report.
    assert _changes(world, "alpha.investigator", month)["changed_since_prepared"] == []
    response = world.api("alpha.case_manager").get(
        api_url("report-monthly-changes"), {"month": f"{month:%Y-%m}"}
    )
    assert response.status_code == 404

    page = world.client("alpha.vs_supervisor").get(html_url("report-dashboard"), {"month": f"{month:%Y-%m}"})
    text = page.content.decode()
    assert "Changed since prepared" in text
    assert "Duplicate entry" in text
    page = world.client("alpha.coordinator").get(html_url("report-dashboard"), {"month": f"{month:%Y-%m}"})
    assert "Changed since prepared" in page.content.decode()
    assert "Duplicate entry" not in page.content.decode()


def test_moving_a_service_out_of_a_locked_month_is_listed_there(world: World) -> None:
    month = last_month(world)
    case = new_case(world)
    service = new_service(world, case["id"], delivered_on=(month + dt.timedelta(days=1)).isoformat())
    world.client("alpha.coordinator").post(html_url("report-lock"), {"month": f"{month:%Y-%m}"})
    body = {"delivered_on": today(world).isoformat(), "reason": "Wrong month"}
    path = api_url("case-service-detail", pk=case["id"], service_id=service["id"])
    assert world.api("alpha.case_manager").patch(path, body, format="json").status_code == 200
    changes = _changes(world, "alpha.vs_supervisor", month)["changed_since_prepared"]
    assert [(c["change"], c["fields"], c["previous_delivered_on"]) for c in changes] == [
        ("corrected", ["delivered_on"], (month + dt.timedelta(days=1)).isoformat())
    ]


def test_html_correct_and_void_buttons_on_service_rows(world: World, case: dict) -> None:
    service = new_service(world, case["id"])
    client = world.client("alpha.case_manager")
    detail = html_url("case-detail", case_id=case["id"])
    correct = html_url("case-service-correct", case_id=case["id"], service_id=service["id"])
    void = html_url("case-service-void", case_id=case["id"], service_id=service["id"])
    body = client.get(detail).content.decode()
    assert correct in body
    assert void in body

    page = client.get(correct)
    assert page.status_code == 200
    form = {
        "delivered_on": service["delivered_on"],
        "service_type": "legal_civil",
        "units": "2.5",
        "providing_agency": "",
        "note": "",
        "reason": "",
    }
    assert client.post(correct, form).status_code == 400  # no reason
    assert client.post(correct, {**form, "reason": "Two and a half hours"}).status_code == 302
    assert ServiceDelivery.objects.get(pk=service["id"]).units == 2.5

    assert client.post(void, {"reason": "Never happened"}).status_code == 302
    body = client.get(detail).content.decode()
    assert "Voided" in body
    assert "Never happened" in body
    assert correct not in body  # nothing more to correct
    changes = body.split('id="h-changes"', 1)[1].split("</section>", 1)[0]
    assert "service voided" in changes
    assert "service corrected" in changes


# --- notes ----------------------------------------------------------------------------------


def _note(world: World, case_id: str, key: str = "alpha.case_manager", **extra: Any) -> dict:
    body = {"text": "Original note text", **extra}
    response = world.api(key).post(api_url("case-notes", pk=case_id), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_addendum_keeps_the_original_note(world: World, case: dict) -> None:
    note = _note(world, case["id"])
    api = world.api("alpha.vs_supervisor")
    path = api_url("case-note-addenda", pk=case["id"], note_id=note["id"])
    assert api.post(path, {"text": "  "}, format="json").status_code == 400
    response = api.post(path, {"text": "Correction: the meeting was on Tuesday"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["text"] == "Original note text"
    assert [a["text"] for a in data["addenda"]] == ["Correction: the meeting was on Tuesday"]
    assert CaseNote.objects.get(pk=note["id"]).text == "Original note text"
    listing = world.api("alpha.case_manager").get(api_url("case-notes", pk=case["id"])).json()["results"]
    assert listing[0]["addenda"][0]["author"] == world.users["alpha.vs_supervisor"].email
    event = AuditEvent.objects.filter(action="note.amended", target_id=note["id"]).get()
    assert "Tuesday" not in json.dumps(event.detail)
    # Notes have no edit or delete route.
    assert world.api("alpha.case_manager").delete(path).status_code == 405

    html = world.client("alpha.case_manager").post(
        html_url("case-note-addendum", case_id=case["id"], note_id=note["id"]), {"text": "Second addendum"}
    )
    assert html.status_code == 302
    page = (
        world.client("alpha.case_manager").get(html_url("case-detail", case_id=case["id"])).content.decode()
    )
    assert "Original note text" in page
    assert "Second addendum" in page
    assert "Add an addendum" in page


def test_a_privileged_notes_addendum_stays_privileged(world: World, case: dict) -> None:
    # A second case manager on the same case: sees the case, not the privileged note.
    assign = api_url("case-assign", pk=case["id"])
    membership = str(world.memberships["alpha.case_manager_2"].pk)
    assert (
        world.api("alpha.vs_supervisor").post(assign, {"membership": membership}, format="json").status_code
        == 200
    )
    note = _note(world, case["id"], text="Privileged session notes", privileged=True)
    path = api_url("case-note-addenda", pk=case["id"], note_id=note["id"])
    response = world.api("alpha.case_manager").post(path, {"text": "PRIV-ADDENDUM-MARKER"}, format="json")
    assert response.status_code == 201

    # The supervisor reads it (note and addendum) but does not write privileged notes.
    notes = world.api("alpha.vs_supervisor").get(api_url("case-notes", pk=case["id"])).json()["results"]
    assert notes[0]["addenda"][0]["text"] == "PRIV-ADDENDUM-MARKER"
    assert world.api("alpha.vs_supervisor").post(path, {"text": "x"}, format="json").status_code == 403

    # The other case manager: nothing, as if it did not exist.
    other = world.api("alpha.case_manager_2")
    listing = other.get(api_url("case-notes", pk=case["id"]))
    assert b"PRIV-ADDENDUM-MARKER" not in listing.content
    assert other.post(path, {"text": "x"}, format="json").status_code == 404
    page = world.client("alpha.case_manager_2").get(html_url("case-detail", case_id=case["id"]))
    assert b"PRIV-ADDENDUM-MARKER" not in page.content
    html = world.client("alpha.case_manager_2").post(
        html_url("case-note-addendum", case_id=case["id"], note_id=note["id"]), {"text": "x"}
    )
    assert html.status_code == 404
    assert NoteAddendum.objects.filter(note_id=note["id"]).count() == 1
    # Another task force's member: 404 on the note route.
    assert (
        world.api("beta.case_manager")
        .post(
            api_url("case-note-addenda", tf="beta", pk=case["id"], note_id=note["id"]),
            {"text": "x"},
            format="json",
        )
        .status_code
        == 404
    )


# --- bounded lists --------------------------------------------------------------------------


def test_lists_and_case_page_stay_bounded(
    world: World, case: dict, django_assert_max_num_queries: Any
) -> None:
    api = world.api("alpha.case_manager")
    client = world.client("alpha.case_manager")

    def grow(n: int) -> None:
        for _ in range(n):
            note = _note(world, case["id"])
            api.post(
                api_url("case-note-addenda", pk=case["id"], note_id=note["id"]),
                {"text": "add"},
                format="json",
            )
            service = new_service(world, case["id"])
            api.post(
                api_url("case-service-void", pk=case["id"], service_id=service["id"]),
                {"reason": "dup"},
                format="json",
            )
        api.patch(
            api_url("case-detail", pk=case["id"]), {"client": {"phone": f"555-01{n:02d}"}}, format="json"
        )

    grow(1)
    with django_assert_max_num_queries(60) as small_notes:
        api.get(api_url("case-notes", pk=case["id"]))
    with django_assert_max_num_queries(60) as small_services:
        api.get(api_url("case-services", pk=case["id"]))
    with django_assert_max_num_queries(80) as small_page:
        client.get(html_url("case-detail", case_id=case["id"]))
    # Counted now: a request outside a capture clears the connection's query log.
    counts = [len(c.captured_queries) for c in (small_notes, small_services, small_page)]
    assert all(counts)
    grow(6)
    with django_assert_max_num_queries(counts[0]):
        api.get(api_url("case-notes", pk=case["id"]))
    with django_assert_max_num_queries(counts[1]):
        api.get(api_url("case-services", pk=case["id"]))
    with django_assert_max_num_queries(counts[2]):
        client.get(html_url("case-detail", case_id=case["id"]))
