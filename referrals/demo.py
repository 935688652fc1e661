"""Demo law-enforcement records and bridge records: tips, investigations with suspects, victims
identified and arrests, prosecutions, referrals in every direction and state, certification
requests. Built through ``referrals.services`` as the demo accounts would.

Synthetic: every name is made up, phone numbers are in the 555-01xx range reserved for fiction,
plates and handles are invented. Deterministic: one seeded ``random.Random`` per task force.
Idempotent: a task force that already holds any tip is left alone, so a second ``load_demo``
adds nothing. Runs under the caller's task force scope, after ``cases.demo`` (INSTALLED_APPS
order), so the victim-service cases it refers to exist.

History: services refuse dates in the future and stamp ``created_at`` now; records meant to
lie in the past are created with their past dates where the service takes one, and their
``created_at`` moved back with a ``QuerySet.update`` afterwards (demo only).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone

from cases import services as case_services
from cases.codes import AgeGroup, ConsentCategory, Gender, ServiceCategory, TraffickingType
from cases.models import Case, ClientIdentity, Consent
from cases.policies import visible_cases
from referrals import certifications, policies, services
from referrals.certifications import certification_request_from_investigation
from referrals.codes import (
    CertificationKind,
    ChargeVenue,
    Disposition,
    TipChannel,
    TipSource,
    Urgency,
    VenueType,
)
from referrals.models import CertificationRequest, Investigation, Prosecution, Referral, Tip
from taskforce.access import Actor
from taskforce.demo import DemoWorld
from taskforce.models import Agency, Membership, TaskForce
from taskforce.rls import set_scope

SEED = 2361  # California Penal Code 236.1
HISTORY_DAYS = 540  # about 18 months

CC = "contra-costa"
SOL = "solano"

CITIES = {
    CC: ("Richmond", "Antioch", "Concord", "Pittsburg", "Walnut Creek", "San Pablo", "Martinez"),
    SOL: ("Vallejo", "Fairfield", "Vacaville", "Benicia"),
}


@dataclass(frozen=True)
class TipPlan:
    """One tip: ``days`` ago, from ``source`` through ``channel``, entered by ``by`` (an email,
    or ``None`` for the public web form), then taken to ``outcome``:
    ``new``, ``triaged``, ``assign:<email>``, ``close:<reason>``, ``convert:<investigation key>``
    or ``merge:<index of the tip it duplicates>``."""

    days: int
    source: str
    channel: str
    by: str | None
    trafficking: str
    venue: str
    narrative: str
    outcome: str = "new"
    victims: int = 0
    minors: bool = False
    urgency: str = Urgency.NORMAL
    contact: str = ""
    # Phones, handles, URLs, plates, addresses, names the tip names (connections between tips).
    identifiers: dict[str, list[str]] = field(default_factory=dict)


S, CH, V, T = TipSource, TipChannel, VenueType, TraffickingType
INV, DET, COORD = "investigator@cc.demo", "detective@cc.demo", "coordinator@cc.demo"

CC_TIPS = [
    # 0 -> becomes the state sex trafficking investigation (Harbor Light)
    TipPlan(520, S.HOTLINE, CH.PHONE, COORD, T.SEX, V.HOTEL_MOTEL,
            "Hotline caller reports young women moved between two motels near the freeway every few "
            "days; a man collects cash from them each morning.", "convert:harbor", 3, urgency=Urgency.HIGH),
    TipPlan(480, S.LAW_ENFORCEMENT, CH.IN_PERSON, DET, T.SEX, V.STREET,
            "Patrol contact with a 16-year-old on the track; she said her 'boyfriend' keeps her money.",
            "convert:harbor", 1, minors=True, urgency=Urgency.IMMEDIATE),
    TipPlan(455, S.SERVICE_PROVIDER, CH.REFERRAL, INV, T.LABOR, V.RESTAURANT,
            "Shelter staff: kitchen workers housed above a restaurant, passports held by the owner.",
            "close:insufficient"),
    TipPlan(420, S.HEALTH, CH.PHONE, COORD, T.LABOR, V.AGRICULTURE,
            "Clinic nurse reports farmworkers brought in by a crew boss who answers every question "
            "for them and pays the bill in cash.", "assign:" + INV, 6),
    TipPlan(390, S.SCHOOL, CH.EMAIL, COORD, T.SEX, V.ONLINE,
            "School counsellor: a student is being recruited through a social media account that "
            "promises modelling work.", "convert:federal", 1, minors=True, urgency=Urgency.HIGH),
    TipPlan(350, S.PUBLIC, CH.PHONE, INV, T.UNKNOWN, V.RESIDENCE,
            "Neighbour reports many men visiting a house at night for short stays.", "close:no_indicators"),
    TipPlan(330, S.OTHER, CH.EMAIL, DET, T.LABOR, V.CONSTRUCTION,
            "Contractor reports a subcontractor's crew sleeping on site and never paid.",
            "close:referred_out", 4),
    TipPlan(300, S.HOTLINE, CH.PHONE, COORD, T.SEX, V.MASSAGE_SPA,
            "National hotline referral: massage business open until 2am, workers appear to live "
            "inside, windows covered.", "convert:spa", 2),
    TipPlan(298, S.ANONYMOUS, CH.PHONE, COORD, T.SEX, V.MASSAGE_SPA,
            "Anonymous call about the same massage business: women never seen leaving.", "merge:7", 2),
    TipPlan(260, S.LAW_ENFORCEMENT, CH.REFERRAL, INV, T.BOTH, V.DOMESTIC_WORK,
            "Federal partner relays a report of a nanny working 16-hour days for no pay, documents "
            "kept by the employer.", "assign:" + DET, 1),
    TipPlan(220, S.SERVICE_PROVIDER, CH.PHONE, COORD, T.LABOR, V.FACTORY,
            "Advocate reports warehouse workers bussed in from out of county, fees deducted for "
            "housing and rides.", "close:other", 12),
    TipPlan(180, S.HEALTH, CH.IN_PERSON, DET, T.SEX, V.HOTEL_MOTEL,
            "ER staff: patient with a tattoo of a name and barcode, accompanied by an older man.",
            "assign:" + INV, 1, urgency=Urgency.HIGH),
    TipPlan(150, S.HOTLINE, CH.PHONE, INV, T.SEX, V.ONLINE,
            "Ads on an escort site list the same phone number for different women across the "
            "county.", "triaged", 3,
            identifiers={"phones": ["925-555-0142"], "urls": ["https://ads.example.com/eastbay/88412"]}),
    TipPlan(120, S.OTHER, CH.OTHER, COORD, T.UNKNOWN, V.BAR_CLUB,
            "Bar staff think dancers are brought in and out by one driver who keeps their IDs.",
            "close:duplicate"),
    TipPlan(75, S.SCHOOL, CH.PHONE, COORD, T.SEX, V.ONLINE,
            "Teacher reports a student talking about an older 'sponsor' who pays for hotel rooms.",
            "triaged", 1, minors=True),
    TipPlan(40, S.LAW_ENFORCEMENT, CH.EMAIL, DET, T.LABOR, V.AGRICULTURE,
            "Sheriff's deputy saw workers locked in a van at a packing shed at night.", "assign:" + DET, 5,
            identifiers={"plates": ["7XYZ 884"]}),
    TipPlan(12, S.HOTLINE, CH.PHONE, COORD, T.SEX, V.HOTEL_MOTEL,
            "Caller reports a girl who asked the front desk for help and was pulled away.", "new", 1,
            minors=True, urgency=Urgency.IMMEDIATE,
            identifiers={"handles": ["@velvetrope_dv"], "urls": ["ads.example.com/eastbay/88412/"]}),
    TipPlan(5, S.SERVICE_PROVIDER, CH.EMAIL, INV, T.LABOR, V.DOMESTIC_WORK,
            "Legal aid attorney relays a client's account of a live-in caregiver kept from "
            "leaving.", "new", 1),
    # Public web form: one anonymous, two with a way to reach the person who reported.
    TipPlan(3, S.ANONYMOUS, CH.WEB_FORM, None, T.SEX, V.MASSAGE_SPA,
            "A spa on the boulevard is open all night and the workers never seem to leave."),
    TipPlan(2, S.PUBLIC, CH.WEB_FORM, None, T.LABOR, V.RESTAURANT,
            "My cousin works at a restaurant and the owner keeps her passport.",
            contact="Text 925-555-0188 after 6pm"),
    TipPlan(1, S.PUBLIC, CH.WEB_FORM, None, T.UNKNOWN, V.STREET,
            "A teenager at the bus station asked me for money and said she could not go home.",
            minors=True, contact="Email only: concerned.neighbour@example.com"),
]  # fmt: skip

SOL_TIPS = [
    TipPlan(200, S.HOTLINE, CH.PHONE, "coordinator@sol.demo", T.SEX, V.HOTEL_MOTEL,
            "Hotline caller: women moved between motels along the interstate every weekend.",
            "convert:vallejo", 2),
    TipPlan(90, S.PUBLIC, CH.PHONE, "coordinator@sol.demo", T.LABOR, V.AGRICULTURE,
            "Resident reports vineyard workers living in a barn with no running water.",
            "assign:investigator@sol.demo", 8),
    TipPlan(30, S.LAW_ENFORCEMENT, CH.IN_PERSON, "investigator@sol.demo", T.UNKNOWN, V.STREET,
            "Officer contact with a young man who said he owes a debt for his passage.", "triaged", 1),
    TipPlan(4, S.SCHOOL, CH.EMAIL, "coordinator@sol.demo", T.SEX, V.ONLINE,
            "School reports a student recruited online for 'dating' work.", "new", 1, minors=True),
]  # fmt: skip


def load(*, world: DemoWorld) -> None:
    """Add the demo LE and bridge records of each task force that has no tip yet."""
    for slug, loader in ((CC, _ContraCosta), (SOL, _Solano)):
        task_force = world.task_forces.get(slug)
        if task_force is None or Tip.objects.filter(task_force=task_force).exists():
            continue
        rng = random.Random(f"{SEED}:{slug}")  # noqa: S311 (demo data, not secrets)
        loader(world, task_force, rng).run()


class _Loader:
    tips: ClassVar[list[TipPlan]] = []
    coordinator: ClassVar[str] = ""
    # Investigation key -> the member who converts tips into it.
    investigation_owner: ClassVar[dict[str, str]] = {}

    def __init__(self, world: DemoWorld, task_force: TaskForce, rng: random.Random) -> None:
        self.world = world
        self.task_force = task_force
        self.rng = rng
        self.zone = zoneinfo.ZoneInfo(task_force.time_zone or "UTC")
        self.today = timezone.localdate(timezone=self.zone)
        self.now = timezone.now()
        self.investigations: dict[str, Investigation] = {}

    # -- helpers ------------------------------------------------------------------------------

    def actor(self, email: str) -> Actor:
        return Actor.from_membership(self.world.members[email])

    def membership(self, email: str) -> Membership:
        return Membership.objects.get(pk=self.world.members[email].pk)

    def agency(self, name: str) -> Agency:
        return self.world.agencies[(self.task_force.slug, name)]

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def moment(self, days: int) -> dt.datetime:
        """A working-hours moment ``days`` ago in the task force's zone (never in the future)."""
        day = self.ago(days)
        at = dt.datetime.combine(day, dt.time(self.rng.randint(8, 18), self.rng.randint(0, 59)), self.zone)
        return min(at, self.now - dt.timedelta(minutes=self.rng.randint(5, 90)))

    @staticmethod
    def backdate(queryset: QuerySet, when: dt.datetime) -> None:
        queryset.update(created_at=when, updated_at=when)

    # -- tips ---------------------------------------------------------------------------------

    def run_tips(self) -> list[Tip]:
        tips: list[Tip] = []
        for plan in self.tips:
            tips.append(self.one_tip(plan))
        for plan, tip in zip(self.tips, tips, strict=True):
            self.tip_outcome(plan, tip, tips)
        return tips

    def one_tip(self, plan: TipPlan) -> Tip:
        received = self.moment(plan.days)
        city = self.rng.choice(CITIES[self.task_force.slug])
        if plan.by is None:
            tip = services.tip_submit_public(
                task_force=self.task_force,
                data={
                    "narrative": plan.narrative,
                    "city": city,
                    "trafficking_type": plan.trafficking,
                    "minors_involved": plan.minors,
                    "contact": plan.contact,
                },
            )
            # The public form scopes the transaction to its task force; keep the loader's own.
            set_scope(task_force_id=self.task_force.pk)
            Tip.objects.filter(pk=tip.pk).update(
                received_at=received, created_at=received, updated_at=received
            )
            return tip
        tip = services.tip_create(
            actor=self.actor(plan.by),
            data={
                "received_at": received,
                "channel": plan.channel,
                "source": plan.source,
                "trafficking_type": plan.trafficking,
                "city": city,
                "venue_type": plan.venue,
                "narrative": plan.narrative,
                "potential_victims": plan.victims,
                "minors_involved": plan.minors,
                "urgency": plan.urgency,
                **plan.identifiers,
            },
        )
        self.backdate(Tip.objects.filter(pk=tip.pk), received)
        return tip

    def tip_outcome(self, plan: TipPlan, tip: Tip, tips: list[Tip]) -> None:
        if plan.outcome == "new":
            return
        kind, _, arg = plan.outcome.partition(":")
        worker = self.actor(plan.by or self.coordinator)
        tip.refresh_from_db()
        if kind == "triaged":
            services.tip_update(actor=worker, tip=tip, data={"status": Tip.Status.TRIAGED})
        elif kind == "assign":
            services.tip_update(actor=worker, tip=tip, data={"status": Tip.Status.TRIAGED})
            services.tip_assign(actor=worker, tip=tip, user=self.world.members[arg].user)
        elif kind == "close":
            services.tip_update(actor=worker, tip=tip, data={"status": Tip.Status.TRIAGED})
            services.tip_close(actor=worker, tip=tip, reason=arg)
        elif kind == "merge":
            into = tips[int(arg)]
            into.refresh_from_db()
            services.tip_merge(actor=worker, tip=tip, into=into)
        elif kind == "convert":
            investigation = self.investigations[arg]
            converter = self.investigation_owner[arg]
            services.tip_convert(actor=self.actor(converter), tip=tip, investigation=investigation)

    def suspect(self, email: str, investigation: Investigation, **data: Any) -> Any:
        suspect, _messages = services.suspect_add(
            actor=self.actor(email), investigation=investigation, data=data
        )
        return suspect


class _ContraCosta(_Loader):
    tips: ClassVar[list[TipPlan]] = CC_TIPS
    coordinator: ClassVar[str] = COORD
    investigation_owner: ClassVar[dict[str, str]] = {"harbor": INV, "spa": INV, "federal": INV}

    def run(self) -> None:
        self.run_investigations()
        self.run_tips()
        self.run_prosecutions()
        self.run_referrals()
        self.run_certifications()

    # -- investigations -----------------------------------------------------------------------

    def open(self, key: str, email: str, days: int, **data: Any) -> Investigation:
        opened_on = self.ago(days)
        data["case_number"] = data["case_number"].format(year=opened_on.year)
        investigation = services.investigation_create(
            actor=self.actor(email), data={"opened_on": opened_on, **data}
        )
        self.backdate(Investigation.objects.filter(pk=investigation.pk), self.moment(days))
        self.investigations[key] = investigation
        return investigation

    def run_investigations(self) -> None:
        harbor = self.open(
            "harbor",
            INV,
            515,
            case_number="CC-HT-{year}-014",
            title="Operation Harbor Light",
            trafficking_type=T.SEX,
            summary="Motel-based sex trafficking along the I-80 corridor; a minor among the victims.",
        )
        # The detective works it too.
        services.team_add(actor=self.actor(INV), investigation=harbor, membership=self.membership(DET))
        # Restricted: a labor trafficking case in its covert phase, only the LE supervisor.
        orchard = self.open(
            "orchard",
            "lesup@cc.demo",
            300,
            case_number="CC-HT-{year}-031",
            title="Orchard Row",
            trafficking_type=T.LABOR,
            restricted=True,
            summary="Covert phase: labor contractor suspected of debt bondage of farmworkers.",
        )
        spa = self.open(
            "spa",
            INV,
            290,
            case_number="CC-HT-{year}-036",
            title="Blue Lotus",
            trafficking_type=T.BOTH,
            summary="Illicit massage business: workers housed on site, debts for transport and rent.",
        )
        federal = self.open(
            "federal",
            INV,
            400,
            case_number="CC-HT-{year}-022",
            title="Coastline (with HSI)",
            trafficking_type=T.SEX,
            lead_agency=self.agency("Homeland Security Investigations"),
            summary="Interstate online recruitment; federal lead, DA investigators assisting.",
        )
        closed = self.open(
            "closed",
            INV,
            460,
            case_number="CC-HT-{year}-009",
            title="Night Shift",
            trafficking_type=T.LABOR,
            summary="Janitorial crew paid below minimum; no coercion found, referred to labor standards.",
        )
        services.investigation_update(
            actor=self.actor(INV),
            investigation=closed,
            data={"status": Investigation.Status.CLOSED, "closed_on": self.ago(330)},
        )

        # Suspects. One phone number shows up in two investigations: the investigator who records
        # it the second time gets a deconfliction alert naming only the other lead agency.
        self.harbor_suspects = [
            self.suspect(INV, harbor, full_name="Dorian Vexley", aliases="D, Big V",
                         phones=["(925) 555-0142"], plates=["8ABC123"], handles=["@velvetrope_dv"]),
            self.suspect(DET, harbor, full_name="Lacey Quarrington",
                         phones=["(510) 555-0176"], handles=["lq_bookings"]),
        ]  # fmt: skip
        orchard_suspect = self.suspect(
            "lesup@cc.demo", orchard, full_name="Bram Holloway-Pike", phones=["(707) 555-0133"],
            plates=["7XYZ884"],
        )  # fmt: skip
        self.spa_suspects = [
            self.suspect(INV, spa, full_name="Mei-Ling Farrow", phones=["+1 707 555 0133"],
                         plates=["6lot-552"]),
        ]  # fmt: skip
        self.federal_suspects = [
            self.suspect(INV, federal, full_name="Cassius Renwold", handles=["@coastline_talent"],
                         phones=["(415) 555-0119"]),
        ]  # fmt: skip
        self.suspect(INV, closed, full_name="Gil Sandoval-Reyes", plates=["4JAN771"])

        # Potential victims identified (aliases only, never the VS side's names).
        for investigation, victims in (
            (harbor, [("V-1 'Star'", AgeGroup.MINOR, Gender.FEMALE, 500),
                      ("V-2 'Jade'", AgeGroup.ADULT, Gender.FEMALE, 498),
                      ("V-3 'Kiki'", AgeGroup.ADULT, Gender.TRANSGENDER, 470)]),
            (orchard, [("Worker A", AgeGroup.ADULT, Gender.MALE, 280),
                       ("Worker B", AgeGroup.ADULT, Gender.MALE, 280)]),
            (spa, [("Masseuse 1", AgeGroup.ADULT, Gender.FEMALE, 270)]),
            (federal, [("Recruit 1", AgeGroup.MINOR, Gender.FEMALE, 380)]),
        ):  # fmt: skip
            email = "lesup@cc.demo" if investigation.restricted else INV
            for alias, age_group, gender, days in victims:
                services.victim_identify(
                    actor=self.actor(email),
                    investigation=investigation,
                    data={
                        "name_or_alias": alias,
                        "age_group": age_group,
                        "gender": gender,
                        "identified_on": self.ago(days),
                    },
                )

        # Arrests.
        services.arrest_record(
            actor=self.actor(INV), investigation=harbor, suspect=self.harbor_suspects[0],
            arrested_on=self.ago(430),
        )  # fmt: skip
        services.arrest_record(
            actor=self.actor(DET), investigation=harbor, suspect=self.harbor_suspects[1],
            arrested_on=self.ago(428), agency=self.agency("Richmond Police Department"),
        )  # fmt: skip
        services.arrest_record(
            actor=self.actor(INV), investigation=federal, suspect=self.federal_suspects[0],
            arrested_on=self.ago(200), agency=self.agency("Homeland Security Investigations"),
        )  # fmt: skip
        _ = orchard_suspect

    # -- prosecutions -------------------------------------------------------------------------

    def run_prosecutions(self) -> None:
        prosecutor = self.actor("prosecutor@cc.demo")
        state = services.prosecution_create(
            actor=prosecutor,
            investigation=self.investigations["harbor"],
            data={
                "court": "Contra Costa County Superior Court",
                "court_case_number": "05-25-00417",
                "venue": ChargeVenue.STATE,
                "filed_on": self.ago(425),
            },
        )
        services.prosecution_update(
            actor=prosecutor,
            prosecution=state,
            data={"stage": Prosecution.Stage.TRIAL, "next_court_date": self.today + dt.timedelta(days=23)},
        )
        first, second = (
            services.defendant_add(actor=prosecutor, prosecution=state, suspect=suspect)
            for suspect in self.harbor_suspects
        )
        for defendant in (first, second):
            services.charge_add(actor=prosecutor, defendant=defendant, statute="PC 236.1", counts=2)
        services.charge_add(actor=prosecutor, defendant=second, statute="PC 266h", description="Pimping")
        services.defendant_dispose(
            actor=prosecutor,
            defendant=second,
            disposition=Disposition.PLEA,
            disposition_on=self.ago(120),
            sentence="6 years state prison; registration under PC 290",
        )
        federal = services.prosecution_create(
            actor=prosecutor,
            investigation=self.investigations["federal"],
            data={
                "court": "U.S. District Court, Northern District of California",
                "court_case_number": "3:25-cr-00288",
                "venue": ChargeVenue.FEDERAL,
                "filed_on": self.ago(190),
            },
        )
        services.prosecution_update(
            actor=prosecutor,
            prosecution=federal,
            data={
                "stage": Prosecution.Stage.PRELIMINARY,
                "next_court_date": self.today + dt.timedelta(days=41),
            },
        )
        defendant = services.defendant_add(
            actor=prosecutor, prosecution=federal, suspect=self.federal_suspects[0]
        )
        services.charge_add(actor=prosecutor, defendant=defendant, statute="18 U.S.C. 1591")
        for prosecution, days in ((state, 425), (federal, 190)):
            self.backdate(Prosecution.objects.filter(pk=prosecution.pk), self.moment(days))

    # -- referrals ----------------------------------------------------------------------------

    def cases_of(self, email: str) -> list[Case]:
        """Open (not closed), adult cases the member works on, oldest first."""
        return list(
            visible_cases(self.actor(email))
            .exclude(status=Case.Status.CLOSED)
            .filter(minor_at_intake=False)
            .order_by("opened_on", "created_at")
        )

    def consent(self, email: str, case: Case, recipient: Agency, purpose: str) -> Consent:
        """A current release covering what the demo referrals send."""
        valid = (
            Consent.objects.filter(case=case, recipient_agency=recipient, revoked_at__isnull=True)
            .filter(expires_at__gt=self.now + dt.timedelta(days=20))
            .filter(
                scope__contains=[
                    ConsentCategory.IDENTITY,
                    ConsentCategory.CONTACT,
                    ConsentCategory.CASE_SUMMARY,
                ]
            )
            .first()
        )
        if valid is not None:
            return valid
        signed = max(case.opened_on, self.ago(self.rng.randint(3, 20)))
        return case_services.consent_record(
            actor=self.actor(email),
            case=case,
            recipient_agency=recipient,
            scope=[ConsentCategory.IDENTITY, ConsentCategory.CONTACT, ConsentCategory.CASE_SUMMARY],
            purpose=purpose,
            signed_by=self.identity(case).display_name,
            signed_on=signed,
            expires_on=signed + dt.timedelta(days=180),
        )

    @staticmethod
    def identity(case: Case) -> ClientIdentity:
        return ClientIdentity.objects.get(client_id=case.client_id)

    def sent(self, referral: Referral, days: int, decided_after: int | None = None) -> None:
        when = self.moment(days)
        Referral.objects.filter(pk=referral.pk).update(created_at=when, updated_at=when)
        if decided_after is not None:
            decided = min(when + dt.timedelta(days=decided_after), self.now)
            Referral.objects.filter(pk=referral.pk).update(decided_at=decided, updated_at=decided)

    def run_referrals(self) -> None:
        stand, cvs, bala = (
            self.agency("STAND!"),
            self.agency("Community Violence Solutions"),
            self.agency("Bay Area Legal Aid"),
        )
        da = self.agency("District Attorney's Office")
        coordinator, investigator = self.actor(COORD), self.actor(INV)

        # LE -> VS, sent by the coordinator to STAND!, waiting for its case manager.
        waiting = services.referral_send(
            actor=coordinator,
            to_agency=stand,
            payload={
                "summary": "Adult woman identified at a motel operation; wants shelter and a safety plan.",
                "name_or_alias": "Rosa",
                "language": "Spanish",
                "safe_contact": "Through the DA victim advocate, weekdays.",
                "needs": [ServiceCategory.EMERGENCY_SHELTER, ServiceCategory.SAFETY_PLANNING],
                "urgency": Urgency.HIGH,
            },
        )
        self.sent(waiting, 2)

        # LE -> VS, coordinator to STAND!, accepted by cm.stand: a STAND! case opens.
        accepted = services.referral_send(
            actor=coordinator,
            to_agency=stand,
            payload={
                "summary": "Young adult from the Harbor Light operation asking for counselling and housing.",
                "name_or_alias": "Jade",
                "language": "English",
                "safe_contact": "Text only, afternoons.",
                "needs": [ServiceCategory.CRISIS_INTERVENTION, ServiceCategory.TRANSITIONAL_HOUSING],
            },
            investigation=None,
        )
        services.referral_accept(actor=self.actor("cm.stand@cc.demo"), referral=accepted)
        self.sent(accepted, 35, decided_after=1)

        # LE -> VS, investigator to CVS: declined with a reason.
        declined = services.referral_send(
            actor=investigator,
            to_agency=cvs,
            payload={
                "summary": "Farmworker from a labor tip needs crisis support in Mam.",
                "name_or_alias": "Worker A",
                "language": "Mam",
                "needs": [ServiceCategory.CRISIS_INTERVENTION, ServiceCategory.INTERPRETATION],
            },
            investigation=self.investigations["spa"],
        )
        services.referral_decline(
            actor=self.actor("cm.cvs@cc.demo"),
            referral=declined,
            reason="No Mam-speaking advocate available; suggest International Rescue Committee.",
        )
        self.sent(declined, 60, decided_after=2)

        # LE -> VS, detective to CVS: accepted and, services given, completed.
        completed = services.referral_send(
            actor=self.actor(DET),
            to_agency=cvs,
            payload={
                "summary": "Victim from a hotel contact needs accompaniment to a forensic interview.",
                "name_or_alias": "Kiki",
                "needs": [ServiceCategory.ADVOCACY_ACCOMPANIMENT],
            },
            investigation=self.investigations["harbor"],
        )
        services.referral_accept(actor=self.actor("cm.cvs@cc.demo"), referral=completed)
        services.referral_complete(actor=self.actor("cm.cvs@cc.demo"), referral=completed)
        self.sent(completed, 150, decided_after=1)

        # LE -> VS, coordinator to Calli House: withdrawn (the youth was placed out of county).
        withdrawn = services.referral_send(
            actor=coordinator,
            to_agency=self.agency("Calli House"),
            payload={"summary": "Youth in need of a placement; school counsellor is the contact."},
        )
        services.referral_withdraw(actor=coordinator, referral=withdrawn)
        self.sent(withdrawn, 80)

        # VS -> LE: a STAND! client wishes to report, under a consent naming the DA's Office.
        cm_stand = "cm.stand@cc.demo"
        stand_cases = self.cases_of(cm_stand)
        to_le_case, to_bala_case = stand_cases[0], stand_cases[1]
        identity = self.identity(to_le_case)
        consent = self.consent(cm_stand, to_le_case, da, "Client wishes to report to law enforcement")
        to_le = services.referral_send(
            actor=self.actor(cm_stand),
            to_agency=da,
            case=to_le_case,
            consent=consent,
            payload={
                "summary": "Client wishes to report the people who trafficked her and asks for an interview "
                "with an advocate present.",
                "name_or_alias": identity.first_name,
                "language": identity.preferred_language,
                "safe_contact": "Through her STAND! case manager only.",
            },
        )
        self.sent(to_le, 4)

        # VS -> VS: STAND! to Bay Area Legal Aid under a consent, accepted: a linked BALA client.
        identity = self.identity(to_bala_case)
        consent = self.consent(cm_stand, to_bala_case, bala, "Legal consultation on immigration relief")
        to_bala = services.referral_send(
            actor=self.actor(cm_stand),
            to_agency=bala,
            case=to_bala_case,
            consent=consent,
            payload={
                "summary": "Client needs advice on a T visa and on debts taken out in her name.",
                "name_or_alias": identity.first_name,
                "language": identity.preferred_language,
                "safe_contact": "Call the STAND! office and ask for her case manager.",
                "needs": [ServiceCategory.LEGAL_IMMIGRATION, ServiceCategory.LEGAL_CIVIL],
            },
        )
        services.referral_accept(actor=self.actor("legal.bala@cc.demo"), referral=to_bala)
        self.sent(to_bala, 20, decided_after=3)

    # -- certification requests ---------------------------------------------------------------

    def run_certifications(self) -> None:
        bala = self.actor("legal.bala@cc.demo")
        da = self.agency("District Attorney's Office")
        cases = self.cases_of("legal.bala@cc.demo") or list(visible_cases(bala).order_by("opened_on"))
        pick = [cases[i % len(cases)] for i in range(4)]

        def request(
            case: Case, kind: str, days: int, due: int | None, agency: Agency = da, **extra: Any
        ) -> CertificationRequest:
            requested_on = self.ago(days)
            return certifications.certification_request(
                actor=bala,
                case=case,
                kind=kind,
                certifying_agency=agency,
                requested_on=requested_on,
                due_on=requested_on + dt.timedelta(days=due) if due is not None else None,
                **extra,
            )

        # A U visa certification requested, due in 10 days, naming the client under a release.
        release = self.consent("legal.bala@cc.demo", pick[0], da, "U visa certification")
        request(pick[0], CertificationKind.U_VISA, 20, 30, consent=release)
        # A T visa asked by the DA investigator for a victim identified in the harbor case.
        harbor = self.investigations["harbor"]
        victim = policies.visible_identified_victims(self.actor(INV)).filter(investigation=harbor)
        certification_request_from_investigation(
            actor=self.actor(INV),
            investigation=harbor,
            kind=CertificationKind.T_VISA,
            certifying_agency=da,
            victim=victim.order_by("identified_on").last(),
            requested_on=self.ago(4),
        )
        # A T visa request under review by the DA investigator.
        under_review = request(pick[1], CertificationKind.T_VISA, 45, 90)
        certifications.certification_set_status(
            actor=self.actor(INV),
            request=under_review,
            status=CertificationRequest.Status.UNDER_REVIEW,
            reference=self.investigations["spa"].case_number,
        )
        # One signed by the prosecutor.
        signed = request(pick[2], CertificationKind.T_VISA, 150, 60)
        certifications.certification_set_status(
            actor=self.actor("prosecutor@cc.demo"),
            request=signed,
            status=CertificationRequest.Status.SIGNED,
            reference=self.investigations["harbor"].case_number,
        )
        CertificationRequest.objects.filter(pk=signed.pk).update(decided_on=self.ago(110))
        # Continued Presence asked of Homeland Security Investigations.
        request(
            pick[3],
            CertificationKind.CONTINUED_PRESENCE,
            6,
            None,
            agency=self.agency("Homeland Security Investigations"),
        )


class _Solano(_Loader):
    tips: ClassVar[list[TipPlan]] = SOL_TIPS
    coordinator: ClassVar[str] = "coordinator@sol.demo"
    investigation_owner: ClassVar[dict[str, str]] = {"vallejo": "investigator@sol.demo"}

    def run(self) -> None:
        email = "investigator@sol.demo"
        investigation = services.investigation_create(
            actor=self.actor(email),
            data={
                "case_number": f"SOL-HT-{self.ago(195).year}-003",
                "title": "Interstate Motels",
                "trafficking_type": T.SEX,
                "opened_on": self.ago(195),
                "summary": "Weekend rotation of women between motels along I-80.",
            },
        )
        self.backdate(Investigation.objects.filter(pk=investigation.pk), self.moment(195))
        self.investigations["vallejo"] = investigation
        self.suspect(email, investigation, full_name="Tobias Wrenfield", phones=["(707) 555-0161"])
        services.victim_identify(
            actor=self.actor(email),
            investigation=investigation,
            data={"name_or_alias": "Solano V-1", "age_group": AgeGroup.ADULT, "identified_on": self.ago(180)},
        )
        self.run_tips()
