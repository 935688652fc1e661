"""Report exports: through a real Celery worker on Redis, checked cell by cell against the API's
monthly figures; the Coalition flavour; formula neutralisation; access re-checked when the export
runs and at download; every download audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases import services as case_services
from referrals import services as le_services
from reporting import exports, services
from reporting.measures import BLOCKS
from reporting.models import ReportExport
from taskforce.access import Role
from taskforce.models import AuditEvent, Membership
from tests.world import World, build_world

OCTOBER = dt.date(2025, 10, 1)
SHEETS = {
    "victim_services": "Victim services (OVC)",
    "law_enforcement": "Law enforcement (BJA)",
    "activity": "Training, outreach, MDT",
}


def url(name: str, slug: str = "alpha", **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs={"task_force": slug, **kwargs})


def _seed(world: World) -> None:
    """Known October 2025 figures: counts from 1 to 4, 0, exactly 5 and more than 5."""
    supervisor = world.actor("alpha.vs_supervisor")
    for name in ("Ana", "Bo", "Cy"):
        case = case_services.intake_create(
            actor=supervisor,
            client={"first_name": name, "last_name": "Exportclient", "gender": "female"},
            case={"opened_on": dt.date(2025, 10, 1), "trafficking_type": "sex"},
        )
        case_services.service_record(
            actor=supervisor, case=case, service_type="case_management", delivered_on=dt.date(2025, 10, 6)
        )
    investigator = world.actor("alpha.investigator")
    for n in range(7):
        le_services.tip_create(
            actor=investigator,
            data={
                "narrative": "Seen at a motel",
                "source": "hotline",
                "trafficking_type": "labor" if n < 2 else "sex",
                "received_at": dt.datetime(2025, 10, 10 + n, 18, tzinfo=dt.UTC),
            },
        )
    coordinator = world.actor("alpha.coordinator")
    services.training_record(
        actor=coordinator,
        data={
            "held_on": dt.date(2025, 10, 8),
            "title": "Roll call",
            "hours": 1,
            "attendees_law_enforcement": 5,
        },
    )
    services.outreach_record(
        actor=coordinator,
        data={"held_on": dt.date(2025, 10, 3), "kind": "presentation", "people_reached": 120},
    )


def _api(world: World, key: str) -> APIClient:
    return world.api(key)


def _run_export(api: APIClient, **payload: Any) -> tuple[dict, bytes, Any]:
    response = api.post(
        url("export-list"), {"report": "monthly", "month": "2025-10", **payload}, format="json"
    )
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    assert response.json()["status"] in ("queued", "running", "done")
    deadline = time.monotonic() + 60
    seen = []
    while True:
        detail = api.get(url("export-detail", pk=export_id))
        assert detail.status_code == 200
        body = detail.json()
        seen.append(body["progress"])
        assert 0 <= body["progress"] <= 100
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["status"] == "done", body
    assert body["progress"] == 100
    assert seen == sorted(seen)  # progress never goes back
    download = api.get(url("export-download", pk=export_id))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert body["download"].endswith(url("export-download", pk=export_id))
    return body, b"".join(download.streaming_content), download


def _shown(value: int, coalition: bool) -> int | str:
    return "<5" if coalition and 1 <= value <= 4 else value


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def _expected_rows(measures: list[dict], codes: list[str], coalition: bool) -> list[list[Any]]:
    by_code = {row["code"]: row for row in measures}
    if coalition:
        # Small cells and the complementary ones (tested on their own below) for this block.
        shown = exports.suppressed([by_code[code] for code in codes])
        return [[code, by_code[code]["label"], shown[code]] for code in codes]
    return [[code, by_code[code]["label"], _shown(by_code[code]["value"], coalition)] for code in codes]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_exports_through_a_real_worker_match_the_monthly_report(
    real_worker: None, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    with transaction.atomic():
        _seed(world)
    analyst = _api(world, "alpha.analyst")
    report = analyst.get(url("report-monthly"), {"month": "2025-10"}).json()
    values = {row["code"]: row["value"] for row in report["measures"]}
    # The fixture gives every kind of cell the Coalition flavour treats differently.
    assert values["clients_served"] == 3
    assert values["tips_received"] == 7
    assert values["tips_received.labor"] == 2
    assert values["training.people_trained"] == 5
    assert values["outreach.people_reached"] == 120
    assert values["arrests"] == 0
    all_codes = [code for rows in BLOCKS.values() for code, _ in rows]

    # CSV, grant: one row per measure, exact counts.
    _body, content, response = _run_export(analyst, format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(content)
    assert rows[0] == ["code", "label", "value"]
    assert rows[1:] == [
        [c, lab, str(v)] for c, lab, v in _expected_rows(report["measures"], all_codes, False)
    ]

    # CSV, Coalition: 1 to 4 shown as <5; 0 and 5 or more exact.
    _body, content, _response = _run_export(analyst, format="csv", flavour="coalition")
    rows = {row[0]: row[2] for row in _csv_rows(content)[1:]}
    assert rows["clients_served"] == "<5"
    assert rows["tips_received.labor"] == "<5"
    assert rows["training.events"] == "<5"
    assert rows["tips_received"] == "7"
    assert rows["training.people_trained"] == "5"
    assert rows["outreach.people_reached"] == "120"
    assert rows["arrests"] == "0"
    assert list(rows) == all_codes

    # XLSX, grant: a cover sheet and one sheet per block, cell by cell.
    _body, content, response = _run_export(analyst, format="xlsx")
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Cover", *SHEETS.values()]
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True)}
    assert cover["Task force"] == "Alpha Task Force"
    assert cover["Period"] == "October 2025"
    assert cover["Generated by"] == world.users["alpha.analyst"].email
    assert "1 October" in cover["Counting rules"]
    for block, title in SHEETS.items():
        sheet_rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
        assert sheet_rows[0] == ["code", "label", "value"]
        codes = [code for code, _ in BLOCKS[block]]
        assert sheet_rows[1:] == _expected_rows(report["measures"], codes, False)

    # XLSX, Coalition.
    _body, content, _response = _run_export(analyst, format="xlsx", flavour="coalition")
    workbook = load_workbook(io.BytesIO(content))
    assert "Small cells" in {row[0] for row in workbook["Cover"].iter_rows(values_only=True)}
    for block, title in SHEETS.items():
        sheet_rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
        codes = [code for code, _ in BLOCKS[block]]
        assert sheet_rows[1:] == _expected_rows(report["measures"], codes, True)
    le_sheet = {row[0]: row[2] for row in workbook[SHEETS["law_enforcement"]].iter_rows(values_only=True)}
    assert (le_sheet["tips_received"], le_sheet["tips_received.labor"], le_sheet["arrests"]) == (7, "<5", 0)

    # An investigator's export holds the law-enforcement part only; a VS supervisor's the VS part.
    investigator = _api(world, "alpha.investigator")
    _body, content, _response = _run_export(investigator, format="csv")
    assert [row[0] for row in _csv_rows(content)[1:]] == [code for code, _ in BLOCKS["law_enforcement"]]
    supervisor = _api(world, "alpha.vs_supervisor")
    _body, content, _response = _run_export(supervisor, format="xlsx")
    assert load_workbook(io.BytesIO(content)).sheetnames == ["Cover", SHEETS["victim_services"]]

    with world.scope("alpha"):
        downloads = AuditEvent.objects.filter(action="export.downloaded")
        assert downloads.count() == 6
        assert set(downloads.values_list("user_id", flat=True)) == {
            world.users[key].pk for key in ("alpha.analyst", "alpha.investigator", "alpha.vs_supervisor")
        }
        assert AuditEvent.objects.filter(action="export.completed").count() == 6
        export_ids = {str(pk) for pk in ReportExport.objects.values_list("pk", flat=True)}
        assert set(downloads.values_list("target_id", flat=True)) == export_ids

    # Someone else's export: 404 on status and file, and nothing audited for them.
    coordinator = _api(world, "alpha.coordinator")
    some_export = next(iter(export_ids))
    assert coordinator.get(url("export-detail", pk=some_export)).status_code == 404
    assert coordinator.get(url("export-download", pk=some_export)).status_code == 404
    assert _api(world, "beta.analyst").get(url("export-download", "beta", pk=some_export)).status_code == 404
    with world.scope("alpha"):
        assert AuditEvent.objects.filter(action="export.downloaded").count() == 6


# ------------------------------------------------------------------------- access when it runs


@pytest.mark.django_db
def test_requester_who_loses_access_before_the_run_gets_nothing(world: World) -> None:
    export = services.export_request(actor=world.actor("alpha.analyst"), month=OCTOBER, file_format="csv")
    Membership.objects.filter(pk=world.memberships["alpha.analyst"].pk).update(is_active=False)
    assert services.export_run(export_id=export.pk, task_force_id=export.task_force_id) == "refused"
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert not export.file
    assert export.progress < 100
    assert AuditEvent.objects.filter(action="export.refused", target_id=str(export.pk)).exists()
    # A second delivery of the task changes nothing.
    assert services.export_run(export_id=export.pk, task_force_id=export.task_force_id) == "skipped"


@pytest.mark.django_db
def test_requester_whose_role_loses_reports_before_the_run_gets_nothing(world: World) -> None:
    export = services.export_request(
        actor=world.actor("alpha.vs_supervisor"), month=OCTOBER, file_format="xlsx"
    )
    Membership.objects.filter(pk=world.memberships["alpha.vs_supervisor"].pk).update(
        role=Role.VS_CASE_MANAGER
    )
    assert services.export_run(export_id=export.pk, task_force_id=export.task_force_id) == "refused"
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert not export.file


@pytest.mark.django_db
def test_export_run_in_process_then_download_by_others_is_404(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    export = services.export_request(actor=world.actor("alpha.coordinator"), month=OCTOBER, file_format="csv")
    assert services.export_run(export_id=export.pk, task_force_id=export.task_force_id) == "done"
    owner = world.api("alpha.coordinator")
    response = owner.get(url("export-download", pk=export.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"code,label,value")
    for key in ("alpha.analyst", "alpha.investigator", "alpha.case_manager", "alpha.tenant_admin"):
        assert world.api(key).get(url("export-download", pk=export.pk)).status_code == 404
    assert AuditEvent.objects.filter(action="export.downloaded", target_id=str(export.pk)).count() == 1
    # The requester who later loses the report loses the file too.
    Membership.objects.filter(pk=world.memberships["alpha.coordinator"].pk).update(role=Role.VS_CASE_MANAGER)
    assert owner.get(url("export-download", pk=export.pk)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("member", "code"),
    [
        ("alpha.analyst", 202),
        ("alpha.coordinator", 202),
        ("alpha.investigator", 202),
        ("alpha.prosecutor", 202),
        ("alpha.le_supervisor", 202),
        ("alpha.vs_supervisor", 202),
        ("alpha.case_manager", 404),
        ("alpha.other_agency_cm", 404),
        ("alpha.tenant_admin", 404),
        ("beta.analyst", 404),
    ],
)
def test_who_may_request_an_export(world: World, member: str, code: int) -> None:
    payload = {"report": "monthly", "month": "2025-10", "format": "csv"}
    assert world.api(member).post(url("export-list"), payload, format="json").status_code == code


# ------------------------------------------------------------------------------- neutralisation


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tSUM(A1)", "'\tSUM(A1)"),
        ("\rSUM(A1)", "'\rSUM(A1)"),
        ("Clients served", "Clients served"),
        ("a=b", "a=b"),
        ("", ""),
        (7, 7),
    ],
)
def test_neutralise(value: Any, shown: Any) -> None:
    assert exports.neutralise(value) == shown


CRAFTED = {
    "victim_services": [
        {"code": "=cmd|' /C calc'!A0", "label": "=SUM(A1)", "value": 3},
        {"code": "plain", "label": "+1", "value": 0},
        {"code": "minus", "label": "-1", "value": 12},
        {"code": "at", "label": "@SUM(A1)", "value": 5},
        {"code": "tab", "label": "\tx", "value": 1},
        {"code": "cr", "label": "\rx", "value": 4},
    ]
}


def test_csv_bytes_neutralises_and_suppresses() -> None:
    grant = _csv_rows(exports.csv_bytes(CRAFTED, coalition=False))
    assert grant[1] == ["'=cmd|' /C calc'!A0", "'=SUM(A1)", "3"]
    assert [row[1] for row in grant[1:]] == ["'=SUM(A1)", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [row[2] for row in grant[1:]] == ["3", "0", "12", "5", "1", "4"]
    coalition = _csv_rows(exports.csv_bytes(CRAFTED, coalition=True))
    assert [row[2] for row in coalition[1:]] == ["<5", "0", "12", "5", "<5", "<5"]


def test_xlsx_bytes_neutralises_every_text_cell() -> None:
    content = exports.xlsx_bytes(
        CRAFTED, coalition=True, cover=[("Task force", '=HYPERLINK("http://x")'), ("-by", "@me")]
    )
    workbook = load_workbook(io.BytesIO(content))
    cover = list(workbook["Cover"].iter_rows(values_only=True))
    assert cover[0] == ("Task force", '\'=HYPERLINK("http://x")')
    assert cover[1] == ("'-by", "'@me")
    sheet = workbook["Victim services (OVC)"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # XML turns a carriage return into a line feed on reading: the apostrophe still leads.
    labels = [row[1].replace("\n", "\r") for row in rows[1:]]
    assert labels == ["'=SUM(A1)", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert [row[2] for row in rows[1:]] == ["<5", 0, 12, 5, "<5", "<5"]
    # No cell of any sheet is a formula.
    for page in workbook.worksheets:
        for row in page.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (page.title, cell.coordinate, cell.value)


def test_coalition_flavour_withholds_a_second_count_where_a_total_gives_a_small_one_away() -> None:
    """Issue 12, item 9: with labor hidden as <5, "total - sex - both" recovered it (8 - 5 = 3)."""
    rows = [
        {"code": "tips_received", "label": "Tips", "value": 8},
        {"code": "tips_received.sex", "label": "Sex", "value": 5},
        {"code": "tips_received.labor", "label": "Labor", "value": 3},
        {"code": "tips_received.both", "label": "Both", "value": 0},
        {"code": "tips_received.unknown", "label": "Unknown", "value": 0},
        # A subset, not a breakdown of its total: nothing to work out, nothing withheld.
        {"code": "defendants_charged", "label": "Charged", "value": 9},
        {"code": "defendants_charged.ht_charge", "label": "Charged with HT", "value": 2},
        # Two small parts already: neither can be worked out alone.
        {"code": "clients_new", "label": "New", "value": 12},
        {"code": "clients_new.minor", "label": "Minor", "value": 2},
        {"code": "clients_new.adult", "label": "Adult", "value": 7},
        {"code": "clients_new.age_not_reported", "label": "Not reported", "value": 3},
    ]
    shown = exports.suppressed(rows)
    assert shown["tips_received.labor"] == "<5"
    assert shown["tips_received.sex"] == exports.WITHHELD
    assert (shown["tips_received"], shown["tips_received.both"], shown["tips_received.unknown"]) == (8, 0, 0)
    assert (shown["defendants_charged"], shown["defendants_charged.ht_charge"]) == (9, "<5")
    assert (shown["clients_new"], shown["clients_new.adult"]) == (12, 7)
    assert shown["clients_new.minor"] == shown["clients_new.age_not_reported"] == "<5"
    coalition = _csv_rows(exports.csv_bytes({"le": rows}, coalition=True))
    assert ["tips_received.sex", "Sex", "*"] in coalition
    grant = _csv_rows(exports.csv_bytes({"le": rows}, coalition=False))
    assert ["tips_received.labor", "Labor", "3"] in grant
