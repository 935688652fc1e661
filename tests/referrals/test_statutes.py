"""Charges as structured statute codes (issue 12, item 9): "PC 236.1(a)" is a trafficking charge
and counts in the BJA figure of defendants charged with trafficking; the list of trafficking
statutes is the task force's own, and changing it recounts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Charge
from reporting import measures
from reporting import services as report_services
from taskforce import statutes
from taskforce.models import AuditEvent, TaskForce
from tests.wall.le_world import add_le_records
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "code", "trafficking"),
    [
        ("PC 236.1(a)", "PC 236.1(a)", True),
        ("Penal Code § 236.1 (b)", "PC 236.1(b)", True),
        ("pc236.1c", "PC 236.1(c)", True),
        ("Cal. Penal Code 236.1(c)(1)", "PC 236.1(c)(1)", True),
        ("PC 236.1", "PC 236.1", True),
        ("pc 266H", "PC 266h", True),
        ("PC 266i", "PC 266i", True),
        ("18 USC 1591(a)(1)", "18 U.S.C. 1591(a)(1)", True),
        ("18 U.S.C. § 1589", "18 U.S.C. 1589", True),
        ("18 U.S.C. 1581", "18 U.S.C. 1581", True),
        ("18 U.S.C. 1592", "18 U.S.C. 1592", True),
        ("18 U.S.C. 1593", "18 U.S.C. 1593", False),  # restitution: not a trafficking offence
        ("18 U.S.C. 1594(c)", "18 U.S.C. 1594(c)", True),
        ("PC 647(b)", "PC 647(b)", False),
        ("PC 236", "PC 236", False),  # false imprisonment, not 236.1
        ("VC 10851", "VC 10851", False),  # not understood: kept as typed, never trafficking
    ],
)
def test_codes_and_the_default_list(typed: str, code: str, trafficking: bool) -> None:
    assert statutes.canonical(typed) == code
    assert statutes.is_trafficking(typed, statutes_default()) is trafficking


@pytest.mark.parametrize(
    ("typed", "entry", "inside"),
    [
        # Section numbers are not decimals: 236.10 is a section of its own, after 236.9.
        ("PC 236.10", "PC 236.1-236.5", False),
        ("PC 236.1(a)", "PC 236.1-236.5", True),
        ("PC 236.5", "PC 236.1-236.5", True),  # the end of a range is inside it
        ("PC 236.5(b)", "PC 236.1-236.5", True),  # and so are its subsections
        ("PC 236.6", "PC 236.1-236.5", False),
        ("PC 236", "PC 236.1-236.5", False),
        ("PC 236.10", "PC 236.9-236.10", True),
        ("PC 236.2", "PC 236.9-236.10", False),
        ("18 U.S.C. 1591", "18 U.S.C. 1581-1591", True),
        ("18 U.S.C. 1591(a)", "18 U.S.C. 1581-1591", True),
        ("18 U.S.C. 1581", "18 U.S.C. 1581-1591", True),
        ("18 U.S.C. 1592", "18 U.S.C. 1581-1591", False),
        ("18 U.S.C. 1589.5", "18 U.S.C. 1589-1589.10", True),
        ("18 U.S.C. 1589.50", "18 U.S.C. 1589-1589.10", False),
        # A lettered section sits between its number and the next one.
        ("PC 266h", "PC 266-267", True),
        ("PC 266h", "PC 265-266", False),
    ],
)
def test_ranges_compare_section_numbers_part_by_part(typed: str, entry: str, inside: bool) -> None:
    assert statutes.valid_entry(entry)
    assert statutes.is_trafficking(typed, [entry]) is inside


def test_a_range_may_not_run_backwards() -> None:
    assert not statutes.valid_entry("PC 236.10-236.9")
    assert not statutes.valid_entry("18 U.S.C. 1592-1581")


def statutes_default() -> list[str]:
    from taskforce.models import default_trafficking_statutes

    return default_trafficking_statutes()


def _defendant(world: World):
    add_le_records(world)
    prosecutor = world.actor("alpha.prosecutor")
    return prosecutor, services.defendant_add(
        actor=prosecutor,
        prosecution=world.records["alpha.prosecution"],
        suspect=world.records["alpha.suspect"],
        charged_on=local_today(),
    )


def _ht_charged(world: World) -> int:
    period = measures.month_period(local_today().replace(day=1))
    blocks = report_services.report_blocks(actor=world.actor("alpha.coordinator"), period=period)
    rows = {row["code"]: row["value"] for block in blocks.values() for row in block}
    return rows["defendants_charged.ht_charge"]


def test_a_subsection_charge_counts_as_trafficking_in_the_report(world: World) -> None:
    prosecutor, defendant = _defendant(world)
    assert _ht_charged(world) == 0
    charge = services.charge_add(actor=prosecutor, defendant=defendant, statute="pc 236.1 (a)")
    assert charge.statute == "PC 236.1(a)"
    assert charge.is_trafficking
    assert charge.description.startswith("Human trafficking")
    assert _ht_charged(world) == 1
    response = world.api("alpha.prosecutor").get(
        f"/api/v1/tf/alpha/prosecutions/{world.records['alpha.prosecution'].pk}/defendants/"
    )
    assert response.status_code == 200
    assert "PC 236.1(a)" in response.content.decode()


def test_the_task_force_list_decides_and_a_change_recounts(world: World) -> None:
    prosecutor, defendant = _defendant(world)
    pimping = services.charge_add(actor=prosecutor, defendant=defendant, statute="PC 266h")
    assert pimping.is_trafficking
    assert _ht_charged(world) == 1

    admin = world.client("alpha.tenant_admin")
    address = reverse("task-force-settings", kwargs={"task_force": "alpha"})
    page = admin.get(address).content.decode()
    assert "PC 266h" in page
    form = {
        "triage_target_immediate_minutes": 60,
        "triage_target_business_days": 2,
        "trafficking_statutes": "PC 236.1\n18 U.S.C. 1581-1592\n18 U.S.C. 1594",
        "investigation_number_pattern": "HT-{year}-{seq:03d}",
    }
    # A line that is not a statute: 400 and nothing changes.
    response = admin.post(address, {**form, "trafficking_statutes": "PC 236.1\nsomething else"})
    assert response.status_code == 400
    assert "something else" in response.content.decode()
    assert "PC 266h" in TaskForce.objects.get(slug="alpha").trafficking_statutes

    response = admin.post(address, form)
    assert response.status_code == 302
    assert TaskForce.objects.get(slug="alpha").trafficking_statutes == [
        "PC 236.1",
        "18 U.S.C. 1581-1592",
        "18 U.S.C. 1594",
    ]
    pimping.refresh_from_db()
    assert not pimping.is_trafficking
    assert _ht_charged(world) == 0
    event = AuditEvent.objects.filter(action="task_force.changed").latest("seq")
    assert event.detail == {"fields": ["trafficking_statutes"]}
    # The other task force's list and charges are untouched.
    assert "PC 266h" in TaskForce.objects.get(slug="beta").trafficking_statutes
    assert Charge.objects.filter(pk=pimping.pk).exists()
