"""The grant report measures of reporting.md, computed by SQL aggregates.

One function per block, each a single statement whose cost does not grow with the number of
rows read back: the database counts, Python only names the results. Periods are any range of
whole months inside one federal fiscal year (1 October): a month, a quarter, a half, the year.
Unduplicated client counts are recounted over the whole period, never summed from months.

Counting rules (reporting.md): a client is served in a period with at least one service
delivery dated in it; new in the period holding their first delivery of the fiscal year,
continuing otherwise; demographics are of new clients; "not reported" is kept as a category;
clients are unduplicated within an agency always and across agencies only through the link a
consented VS-to-VS referral makes (``Client.same_person_as``). Family members are counted apart.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection

from cases.codes import Gender, ReferralSource, ServiceCategory, TraffickingType
from reporting.models import DISCIPLINES
from taskforce import clock


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def fiscal_year_start(self) -> dt.date:
        year = self.start.year if self.start.month >= 10 else self.start.year - 1
        return dt.date(year, 10, 1)


def month_period(month: dt.date) -> Period:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def months_period(first_month: dt.date, months: int) -> Period:
    """A quarter (3), half (6) or year (12) starting at ``first_month``."""
    start = first_month.replace(day=1)
    end = start
    for _ in range(months):
        end = (end + dt.timedelta(days=32)).replace(day=1)
    return Period(start, end - dt.timedelta(days=1))


# ---------------------------------------------------------------------------------- the codes

CITIZENSHIP_CODES = ("us_citizen_or_lpr", "foreign_national", "citizenship_not_reported")
TRAINING_DISCIPLINES = tuple(code for code, _ in DISCIPLINES)


def _vs_codes() -> list[tuple[str, str]]:
    codes = [
        ("clients_served", "Clients served"),
        ("clients_new", "New clients"),
        ("clients_continuing", "Continuing clients"),
    ]
    codes += [
        (f"clients_served.{t}", f"Clients served: {label.lower()}") for t, label in TraffickingType.choices
    ]
    codes += [
        ("clients_new.minor", "New clients: minors"),
        ("clients_new.adult", "New clients: adults"),
        ("clients_new.age_not_reported", "New clients: age not reported"),
    ]
    codes += [(f"clients_new.gender.{g}", f"New clients: {label.lower()}") for g, label in Gender.choices]
    codes += [
        ("clients_new.us_citizen_or_lpr", "New clients: U.S. citizens or lawful permanent residents"),
        ("clients_new.foreign_national", "New clients: foreign nationals"),
        ("clients_new.citizenship_not_reported", "New clients: citizenship not reported"),
    ]
    codes += [
        (f"clients_new.referral_source.{r}", f"New clients referred by: {label.lower()}")
        for r, label in ReferralSource.choices
    ]
    for category, label in ServiceCategory.choices:
        codes.append((f"services.{category}.clients", f"{label}: clients"))
        codes.append((f"services.{category}.deliveries", f"{label}: deliveries"))
    codes += [
        ("family_members_served", "Eligible family members served"),
        ("referrals.sent", "Referrals sent"),
        ("referrals.received", "Referrals received"),
        ("referrals.accepted", "Referrals accepted"),
    ]
    return codes


def _le_codes() -> list[tuple[str, str]]:
    codes = [("tips_received", "Tips received")]
    codes += [
        (f"tips_received.{t}", f"Tips received: {label.lower()}") for t, label in TraffickingType.choices
    ]
    codes += [
        ("investigations_opened", "Investigations opened"),
        ("investigations_active", "Investigations active"),
        ("investigations_closed", "Investigations closed"),
        ("victims_identified", "Potential victims identified in investigations opened"),
        ("arrests", "Arrests"),
        ("defendants_charged", "Defendants charged"),
        ("defendants_charged.ht_charge", "Defendants charged with a trafficking offense"),
        ("convictions", "Convictions (trial or plea)"),
        ("certifications.requested", "T and U visa certifications requested"),
        ("certifications.signed", "T and U visa certifications signed"),
        ("continued_presence.requested", "Continued Presence requested"),
    ]
    return codes


def _activity_codes() -> list[tuple[str, str]]:
    codes = [("training.events", "Training events"), ("training.people_trained", "People trained")]
    codes += [
        (f"training.people_trained.{code}", f"People trained: {label.lower()}") for code, label in DISCIPLINES
    ]
    codes += [
        ("outreach.events", "Outreach and awareness events"),
        ("outreach.people_reached", "People reached"),
        ("mdt.meetings", "MDT meetings held"),
        ("mdt.cases_reviewed", "MDT case reviews"),
        ("mdt.action_items_completed", "MDT action items completed"),
    ]
    return codes


BLOCKS: dict[str, list[tuple[str, str]]] = {
    "victim_services": _vs_codes(),
    "law_enforcement": _le_codes(),
    "activity": _activity_codes(),
}
LABELS = {code: label for codes in BLOCKS.values() for code, label in codes}


# ------------------------------------------------------------------------------------ queries

# Only the period's deliveries are read: a client served in it is new when none of their
# deliveries falls between the fiscal year's start and the period's (two index probes a person),
# so the cost follows the period, not the year to date. Every join names the task force, so the
# planner never reaches into another task force's rows.
_VS_SQL = """
WITH p AS (
    SELECT sd.delivered_on, sd.service_type, sd.case_id, COALESCE(c.same_person_as_id, c.id) AS person
    FROM cases_servicedelivery sd
    JOIN cases_client c ON c.id = sd.client_id AND c.task_force_id = %(tf)s
    WHERE sd.task_force_id = %(tf)s
      AND sd.delivered_on BETWEEN %(start)s AND %(end)s
      AND sd.voided_at IS NULL
      AND (%(agency)s::uuid IS NULL OR sd.agency_id = %(agency)s::uuid)
),
served AS (SELECT DISTINCT person FROM p),
firsts AS (SELECT DISTINCT ON (person) person, delivered_on, case_id FROM p ORDER BY person, delivered_on, case_id),
fresh AS MATERIALIZED (
    -- Decided before anything is joined: only the new clients' details are then looked up.
    SELECT f.person, f.case_id FROM firsts f
    WHERE NOT EXISTS (
        SELECT 1 FROM cases_servicedelivery e
        WHERE e.client_id = f.person AND e.task_force_id = %(tf)s
          AND e.delivered_on >= %(fy_start)s AND e.delivered_on < %(start)s AND e.voided_at IS NULL
          AND (%(agency)s::uuid IS NULL OR e.agency_id = %(agency)s::uuid)
    )
    AND NOT EXISTS (
        SELECT 1 FROM cases_client linked
        JOIN cases_servicedelivery e ON e.client_id = linked.id AND e.task_force_id = %(tf)s
        WHERE linked.same_person_as_id = f.person AND linked.task_force_id = %(tf)s
          AND e.delivered_on >= %(fy_start)s AND e.delivered_on < %(start)s AND e.voided_at IS NULL
          AND (%(agency)s::uuid IS NULL OR e.agency_id = %(agency)s::uuid)
    )
),
new AS (
    SELECT f.person, rc.age_group_at_intake AS age, rc.gender, rc.citizenship, cs.referral_source
    FROM fresh f
    JOIN cases_client rc ON rc.id = f.person AND rc.task_force_id = %(tf)s
    JOIN cases_case cs ON cs.id = f.case_id AND cs.task_force_id = %(tf)s
)
SELECT 'clients_served', count(*) FROM served
UNION ALL SELECT 'clients_new', count(*) FROM new
UNION ALL
SELECT 'clients_served.' || cs.trafficking_type, count(DISTINCT p.person)
    FROM p JOIN cases_case cs ON cs.id = p.case_id AND cs.task_force_id = %(tf)s GROUP BY cs.trafficking_type
UNION ALL
SELECT CASE age WHEN 'minor' THEN 'clients_new.minor' WHEN 'adult' THEN 'clients_new.adult'
                ELSE 'clients_new.age_not_reported' END, count(*) FROM new GROUP BY 1
UNION ALL SELECT 'clients_new.gender.' || gender, count(*) FROM new GROUP BY gender
UNION ALL
SELECT CASE WHEN citizenship IN ('us_citizen', 'lpr') THEN 'clients_new.us_citizen_or_lpr'
            WHEN citizenship = 'foreign_national' THEN 'clients_new.foreign_national'
            ELSE 'clients_new.citizenship_not_reported' END, count(*) FROM new GROUP BY 1
UNION ALL SELECT 'clients_new.referral_source.' || referral_source, count(*) FROM new GROUP BY referral_source
UNION ALL SELECT 'services.' || service_type || '.clients', count(DISTINCT person) FROM p GROUP BY service_type
UNION ALL SELECT 'services.' || service_type || '.deliveries', count(*) FROM p GROUP BY service_type
UNION ALL
SELECT 'family_members_served', count(*)
    FROM cases_familymember fm JOIN cases_client fc ON fc.id = fm.client_id AND fc.task_force_id = %(tf)s
    WHERE fm.task_force_id = %(tf)s AND fm.served_from <= %(end)s
      AND (%(agency)s::uuid IS NULL OR fm.agency_id = %(agency)s::uuid)
      AND COALESCE(fc.same_person_as_id, fc.id) IN (SELECT person FROM served)
UNION ALL
SELECT 'referrals.sent', count(*)
    FROM referrals_referral r JOIN taskforce_agency fa ON fa.id = r.from_agency_id
    WHERE r.task_force_id = %(tf)s AND r.created_at >= %(start_at)s AND r.created_at < %(end_before)s
      AND fa.side = 'victim_services' AND (%(agency)s::uuid IS NULL OR r.from_agency_id = %(agency)s::uuid)
UNION ALL
SELECT 'referrals.received', count(*)
    FROM referrals_referral r JOIN taskforce_agency ta ON ta.id = r.to_agency_id
    WHERE r.task_force_id = %(tf)s AND r.created_at >= %(start_at)s AND r.created_at < %(end_before)s
      AND ta.side = 'victim_services' AND (%(agency)s::uuid IS NULL OR r.to_agency_id = %(agency)s::uuid)
UNION ALL
SELECT 'referrals.accepted', count(*)
    FROM referrals_referral r JOIN taskforce_agency ta ON ta.id = r.to_agency_id
    WHERE r.task_force_id = %(tf)s AND r.status IN ('accepted', 'completed')
      AND r.decided_at >= %(start_at)s AND r.decided_at < %(end_before)s
      AND ta.side = 'victim_services' AND (%(agency)s::uuid IS NULL OR r.to_agency_id = %(agency)s::uuid)
"""

_LE_SQL = """
SELECT 'tips_received', count(*) FROM referrals_tip t
    WHERE t.task_force_id = %(tf)s AND t.received_at >= %(start_at)s AND t.received_at < %(end_before)s
UNION ALL
SELECT 'tips_received.' || t.trafficking_type, count(*) FROM referrals_tip t
    WHERE t.task_force_id = %(tf)s AND t.received_at >= %(start_at)s AND t.received_at < %(end_before)s
    GROUP BY t.trafficking_type
UNION ALL
SELECT 'investigations_opened', count(*) FROM referrals_investigation i
    WHERE i.task_force_id = %(tf)s AND i.opened_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'investigations_active', count(*) FROM referrals_investigation i
    WHERE i.task_force_id = %(tf)s AND i.opened_on <= %(end)s AND (i.closed_on IS NULL OR i.closed_on >= %(start)s)
UNION ALL
SELECT 'investigations_closed', count(*) FROM referrals_investigation i
    WHERE i.task_force_id = %(tf)s AND i.closed_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'victims_identified', count(*) FROM referrals_identifiedvictim v
    JOIN referrals_investigation i ON i.id = v.investigation_id
    WHERE v.task_force_id = %(tf)s AND i.opened_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'arrests', count(*) FROM referrals_arrest a
    WHERE a.task_force_id = %(tf)s AND a.arrested_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'defendants_charged', count(*) FROM referrals_defendant d
    WHERE d.task_force_id = %(tf)s AND d.charged_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'defendants_charged.ht_charge', count(*) FROM referrals_defendant d
    WHERE d.task_force_id = %(tf)s AND d.charged_on BETWEEN %(start)s AND %(end)s
      AND EXISTS (SELECT 1 FROM referrals_charge ch WHERE ch.defendant_id = d.id AND ch.is_trafficking)
UNION ALL
SELECT 'convictions', count(*) FROM referrals_defendant d
    WHERE d.task_force_id = %(tf)s AND d.disposition IN ('convicted', 'plea')
      AND d.disposition_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'certifications.requested', count(*) FROM referrals_certificationrequest c
    WHERE c.task_force_id = %(tf)s AND c.kind IN ('t_visa', 'u_visa') AND c.requested_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'certifications.signed', count(*) FROM referrals_certificationrequest c
    WHERE c.task_force_id = %(tf)s AND c.kind IN ('t_visa', 'u_visa') AND c.status = 'signed'
      AND c.decided_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'continued_presence.requested', count(*) FROM referrals_certificationrequest c
    WHERE c.task_force_id = %(tf)s AND c.kind = 'continued_presence' AND c.requested_on BETWEEN %(start)s AND %(end)s
"""

_ACTIVITY_SQL = """
WITH t AS (
    SELECT * FROM reporting_trainingevent WHERE task_force_id = %(tf)s AND held_on BETWEEN %(start)s AND %(end)s
)
SELECT 'training.events', count(*) FROM t
UNION ALL
SELECT 'training.people_trained', COALESCE(sum(attendees_law_enforcement + attendees_prosecution
    + attendees_victim_services + attendees_health + attendees_education + attendees_child_welfare
    + attendees_community + attendees_other), 0) FROM t
UNION ALL SELECT 'training.people_trained.law_enforcement', COALESCE(sum(attendees_law_enforcement), 0) FROM t
UNION ALL SELECT 'training.people_trained.prosecution', COALESCE(sum(attendees_prosecution), 0) FROM t
UNION ALL SELECT 'training.people_trained.victim_services', COALESCE(sum(attendees_victim_services), 0) FROM t
UNION ALL SELECT 'training.people_trained.health', COALESCE(sum(attendees_health), 0) FROM t
UNION ALL SELECT 'training.people_trained.education', COALESCE(sum(attendees_education), 0) FROM t
UNION ALL SELECT 'training.people_trained.child_welfare', COALESCE(sum(attendees_child_welfare), 0) FROM t
UNION ALL SELECT 'training.people_trained.community', COALESCE(sum(attendees_community), 0) FROM t
UNION ALL SELECT 'training.people_trained.other', COALESCE(sum(attendees_other), 0) FROM t
UNION ALL
SELECT 'outreach.events', count(*) FROM reporting_outreachevent o
    WHERE o.task_force_id = %(tf)s AND o.held_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'outreach.people_reached', COALESCE(sum(o.people_reached), 0) FROM reporting_outreachevent o
    WHERE o.task_force_id = %(tf)s AND o.held_on BETWEEN %(start)s AND %(end)s
UNION ALL
SELECT 'mdt.meetings', count(*) FROM mdt_mdtmeeting m
    WHERE m.task_force_id = %(tf)s AND m.status = 'held'
      AND m.starts_at >= %(start_at)s AND m.starts_at < %(end_before)s
UNION ALL
SELECT 'mdt.cases_reviewed', count(*) FROM mdt_casereview r JOIN mdt_mdtmeeting m ON m.id = r.meeting_id
    WHERE r.task_force_id = %(tf)s AND m.status = 'held'
      AND m.starts_at >= %(start_at)s AND m.starts_at < %(end_before)s
UNION ALL
SELECT 'mdt.action_items_completed', count(*) FROM mdt_actionitem a
    WHERE a.task_force_id = %(tf)s AND a.status = 'done' AND a.completed_on BETWEEN %(start)s AND %(end)s
"""

_SQL = {"victim_services": _VS_SQL, "law_enforcement": _LE_SQL, "activity": _ACTIVITY_SQL}


def _combined(blocks: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        # Module constants only, joined once at import: no value ever enters the text.
        f"SELECT '{block}' AS block, m.code, m.value FROM ({_SQL[block]}) AS m(code, value)"  # noqa: S608
        for block in blocks
    )


# Every combination of blocks, in their fixed order, as one statement each: a report is one
# round trip however many blocks the reader may see.
_ORDER = tuple(_SQL)
_COMBINED = {
    chosen: _combined(chosen)
    for chosen in (
        tuple(block for index, block in enumerate(_ORDER) if mask & (1 << index))
        for mask in range(1, 1 << len(_ORDER))
    )
}


def compute_blocks(
    blocks: list[str] | tuple[str, ...],
    *,
    task_force_id: uuid.UUID,
    period: Period,
    zone: str = "UTC",
    agency_id: uuid.UUID | None = None,
) -> dict[str, list[dict[str, object]]]:
    """Each block's measures for one period, in one statement: every code of each block, zero
    where nothing counts. ``agency_id`` narrows the victim-services block to one agency (a VS
    supervisor's part); the other blocks do not read it."""
    wanted = tuple(block for block in _ORDER if block in blocks)
    if not wanted:
        return {}
    # The period's local days as a UTC range, so timestamp columns are bounded by their indexes
    # (a cast of each row to a local date would read the task force's whole history).
    local = clock.zone(zone)
    params = {
        "tf": str(task_force_id),
        "start": period.start,
        "end": period.end,
        "start_at": dt.datetime.combine(period.start, dt.time.min, tzinfo=local),
        "end_before": dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=local),
        "fy_start": period.fiscal_year_start,
        "agency": str(agency_id) if agency_id else None,
        "zone": zone,
    }
    found: dict[str, dict[str, int]] = {block: {} for block in wanted}
    with connection.cursor() as cursor:
        cursor.execute(_COMBINED[wanted], params)
        for block, code, value in cursor.fetchall():
            found[block][code] = int(value)
    if "victim_services" in found:
        vs = found["victim_services"]
        vs["clients_continuing"] = vs.get("clients_served", 0) - vs.get("clients_new", 0)
    return {
        block: [
            {"code": code, "label": label, "value": found[block].get(code, 0)}
            for code, label in BLOCKS[block]
        ]
        for block in wanted
    }
