"""Every write on victim-services records, for every asker, in HTML and API, both task forces:
the allowed succeed, visible-but-not-allowed answer 403, everyone else 404, and a refused
write changes nothing. Each probe runs in a savepoint rolled back afterwards, so every asker
meets the same world."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from cases.models import (
    Case,
    CaseNote,
    CaseStatusChange,
    CaseUserObjectPermission,
    ClientIdentity,
    Consent,
    FamilyMember,
    NoteAddendum,
    PlanItem,
    Screening,
    ServiceCorrection,
    ServiceDelivery,
)
from tests.wall.matrix import ALL_ACTORS, case_readers, same_task_force
from tests.world import TASK_FORCES, World, local_today

pytestmark = pytest.mark.django_db


def _supervisor(key: str) -> bool:
    return key.endswith(".vs_supervisor")


@dataclass(frozen=True)
class Probe:
    name: str
    route: str
    kwargs: Callable[[World, str], dict[str, Any]]
    payload: Callable[[World, str], dict[str, Any]]
    allowed: Callable[[str], bool] = case_readers
    method: str = "post"
    ok: tuple[int, ...] = (302,)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api:")


def _case(world: World, tf: str) -> dict[str, Any]:
    return {"task_force": tf, "case_id": world.records[f"{tf}.case"].pk}


def _api_case(world: World, tf: str) -> dict[str, Any]:
    return {"task_force": tf, "pk": world.records[f"{tf}.case"].pk}


def _yesterday(world: World, tf: str) -> str:
    return (local_today() - dt.timedelta(days=1)).isoformat()


def _release(world: World, tf: str) -> dict[str, Any]:
    return {
        "recipient_agency": str(world.agencies[f"{tf}.vs2"].pk),
        "scope": ["identity"],
        "purpose": "probe",
        "signed_by": "Client",
    }


def _member(world: World, tf: str) -> dict[str, Any]:
    return {"membership": str(world.memberships[f"{tf}.case_manager_2"].pk)}


PROBES = [
    Probe(
        "html service",
        "case-service-add",
        _case,
        lambda w, tf: {"service_type": "case_management", "delivered_on": _yesterday(w, tf), "units": "1"},
    ),
    Probe("html note", "case-note-add", _case, lambda w, tf: {"text": "probe note"}),
    Probe(
        "html privileged note", "case-note-add", _case, lambda w, tf: {"text": "probe", "privileged": "on"}
    ),
    Probe(
        "html consent",
        "case-consent-add",
        _case,
        lambda w, tf: {**_release(w, tf), "signed_on": _yesterday(w, tf)},
    ),
    Probe(
        "html revoke",
        "consent-revoke",
        lambda w, tf: {**_case(w, tf), "consent_id": w.records[f"{tf}.consent"].pk},
        lambda w, tf: {},
    ),
    Probe("html close", "case-close", _case, lambda w, tf: {"closure_reason": "goals_met"}),
    Probe("html plan", "case-plan-add", _case, lambda w, tf: {"need": "medical", "goal": "see a doctor"}),
    Probe(
        "html family",
        "case-family-add",
        _case,
        lambda w, tf: {"relationship": "child", "age_group": "minor", "served_from": _yesterday(w, tf)},
    ),
    Probe("html assign", "case-assign", _case, _member, allowed=_supervisor),
    Probe("html unassign", "case-unassign", _case, _member, allowed=_supervisor),
    Probe(
        "api service",
        "api:case-services",
        _api_case,
        lambda w, tf: {"service_type": "case_management", "delivered_on": _yesterday(w, tf)},
        ok=(201,),
    ),
    Probe(
        "api note",
        "api:case-notes",
        _api_case,
        lambda w, tf: {"text": "probe", "privileged": False},
        ok=(201,),
    ),
    Probe("api consent", "api:case-consents", _api_case, _release, ok=(201,)),
    Probe(
        "api screening",
        "api:case-screenings",
        _api_case,
        lambda w, tf: {"form": "short", "answers": {"control_leave": "yes"}},
        ok=(201,),
    ),
    Probe(
        "api plan",
        "api:case-plan-items",
        _api_case,
        lambda w, tf: {"need": "medical", "goal": "g"},
        ok=(201,),
    ),
    Probe("api assign", "api:case-assign", _api_case, _member, allowed=_supervisor, ok=(200, 201, 204)),
    Probe("api unassign", "api:case-unassign", _api_case, _member, allowed=_supervisor, ok=(200, 201, 204)),
    Probe(
        "api revoke",
        "api:consent-revoke",
        lambda w, tf: {"task_force": tf, "pk": w.records[f"{tf}.consent"].pk},
        lambda w, tf: {},
        ok=(200,),
    ),
    Probe(
        "api patch",
        "api:case-detail",
        _api_case,
        lambda w, tf: {"trafficking_type": "sex"},
        method="patch",
        ok=(200,),
    ),
    # Corrections (issue 12): the client, a service (correct, void), a note's addendum.
    Probe("html client edit", "case-client-edit", _case, lambda w, tf: _client_form(tf)),
    Probe(
        "api client patch",
        "api:case-detail",
        _api_case,
        lambda w, tf: {"client": {"phone": "555-0999"}},
        method="patch",
        ok=(200,),
    ),
    Probe(
        "html service correct",
        "case-service-correct",
        lambda w, tf: {**_case(w, tf), "service_id": w.records[f"{tf}.service"].pk},
        lambda w, tf: {
            "delivered_on": w.records[f"{tf}.service"].delivered_on.isoformat(),
            "service_type": "case_management",
            "units": "2",
            "reason": "probe",
        },
    ),
    Probe(
        "html service void",
        "case-service-void",
        lambda w, tf: {**_case(w, tf), "service_id": w.records[f"{tf}.service"].pk},
        lambda w, tf: {"reason": "probe"},
    ),
    Probe(
        "api service correct",
        "api:case-service-detail",
        lambda w, tf: {**_api_case(w, tf), "service_id": w.records[f"{tf}.service"].pk},
        lambda w, tf: {"units": "2", "reason": "probe"},
        method="patch",
        ok=(200,),
    ),
    Probe(
        "api service void",
        "api:case-service-void",
        lambda w, tf: {**_api_case(w, tf), "service_id": w.records[f"{tf}.service"].pk},
        lambda w, tf: {"reason": "probe"},
        ok=(200,),
    ),
    Probe(
        "html addendum",
        "case-note-addendum",
        lambda w, tf: {**_case(w, tf), "note_id": w.records[f"{tf}.note"].pk},
        lambda w, tf: {"text": "probe addendum"},
    ),
    Probe(
        "api addendum",
        "api:case-note-addenda",
        lambda w, tf: {**_api_case(w, tf), "note_id": w.records[f"{tf}.note"].pk},
        lambda w, tf: {"text": "probe addendum"},
        ok=(201,),
    ),
]


def _client_form(tf: str) -> dict[str, Any]:
    return {
        "first_name": f"VSCLIENT{tf}",
        "last_name": "Marker",
        "phone": "555-0999",
        "age_group_at_intake": "not_reported",
        "gender": "not_reported",
        "citizenship": "not_reported",
        "race_ethnicity": "not_reported",
    }


def _snapshot() -> tuple:
    return (
        ServiceDelivery.objects.count(),
        CaseNote.objects.count(),
        Consent.objects.count(),
        Consent.objects.filter(revoked_at__isnull=False).count(),
        Screening.objects.count(),
        PlanItem.objects.count(),
        FamilyMember.objects.count(),
        CaseStatusChange.objects.count(),
        CaseUserObjectPermission.objects.count(),
        tuple(Case.objects.order_by("pk").values_list("status", "trafficking_type")),
        ServiceCorrection.objects.count(),
        NoteAddendum.objects.count(),
        tuple(ClientIdentity.objects.order_by("pk").values_list("phone", flat=True)),
    )


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.name)
@pytest.mark.parametrize("record_tf", TASK_FORCES)
def test_case_writes(wall_world: World, probe: Probe, record_tf: str) -> None:
    world = wall_world
    url = reverse(probe.route, kwargs=probe.kwargs(world, record_tf))
    payload = probe.payload(world, record_tf)
    for actor_key in ALL_ACTORS:
        client = world.api(actor_key) if probe.is_api else world.client(actor_key)
        world.use(record_tf)  # the rows that could change are the record's task force's
        with transaction.atomic():
            before = _snapshot()
            if probe.is_api:
                response = getattr(client, probe.method)(url, payload, format="json")
            else:
                response = client.post(url, payload)
            changed = _snapshot() != before
            transaction.set_rollback(True)
        if not same_task_force(actor_key, record_tf) or not case_readers(actor_key):
            expected: tuple[int, ...] = (404,)
        elif probe.allowed(actor_key):
            expected = probe.ok
        else:
            expected = (403,)
        assert response.status_code in expected, (probe.name, actor_key, response.status_code)
        if response.status_code in (403, 404):
            assert not changed, (probe.name, actor_key)
        elif probe.name not in ("html assign", "api assign"):  # assigning the assigned is a no-op
            assert changed, (probe.name, actor_key)
