"""Demo MDT (California PC 13753 case review team) records: teams, rosters with confidentiality
agreements, three held meetings with case reviews, attendance, minutes and action items, a guest,
and one planned meeting with its agenda. Built through ``mdt.services`` as the demo accounts would.

Synthetic: no real person or case; reviews are identified by their pseudonymous MDT codes and
their summaries name nobody. Deterministic: fixed plans, dates relative to today. Idempotent: a
task force that already holds any MDT team is left alone, so a second ``load_demo`` adds nothing.
Runs under the caller's task force scope (one task force at a time), after ``cases.demo`` and
``referrals.demo`` (INSTALLED_APPS order), so the cases and investigations linked here exist.

History: ``meeting_create`` refuses a past meeting marked planned, so past meetings are created
held; ``created_at`` of past records is moved back with a ``QuerySet.update`` (demo only).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case
from cases.policies import visible_cases
from mdt import services
from mdt.models import ActionItem, CaseReview, MdtMeeting, MdtTeam, RosterMember
from referrals.models import Investigation
from referrals.policies import visible_investigations
from taskforce.access import Actor
from taskforce.demo import DemoWorld
from taskforce.models import Agency, TaskForce

CC = "contra-costa"
SOL = "solano"

COORD = "coordinator@cc.demo"
INV = "investigator@cc.demo"
STAND = "cm.stand@cc.demo"
BALA = "legal.bala@cc.demo"
SUP = "sup.stand@cc.demo"

# (email, facilitator, agreement signed this many days ago; None: signed 400 days ago, expired)
CC_ADULT_ROSTER = [
    (COORD, True, 40),
    (INV, False, 120),
    (STAND, False, 200),
    (BALA, False, 310),
    (SUP, False, None),
]
CC_YOUTH_ROSTER = [
    (COORD, True, 40),
    ("prosecutor@cc.demo", False, 90),
    ("cm2.stand@cc.demo", False, 60),
]
SOL_ROSTER = [
    ("coordinator@sol.demo", True, 30),
    ("investigator@sol.demo", False, 45),
    ("cm.shelter@sol.demo", False, 50),
]

EXPIRED_SIGNED_DAYS_AGO = 400
PAST_MEETINGS_DAYS_AGO = (80, 50, 20)  # monthly
NEXT_MEETING_IN_DAYS = 10


@dataclass(frozen=True)
class ReviewPlan:
    """One review: presented by ``by``; ``link`` is ``case``, ``investigation`` or ``""``."""

    by: str
    link: str
    risk: str
    summary: str
    needs: str
    decisions: str
    recommendations: str


@dataclass(frozen=True)
class ItemPlan:
    """One action item of the review at ``review`` (index in the meeting, or None): owned by a
    member (``owner`` an email) or an agency (``agency`` a name); due ``due`` days from today
    (negative: in the past); ``done`` items were completed."""

    description: str
    due: int
    owner: str = ""
    agency: str = ""
    review: int | None = None
    done: bool = False


R = CaseReview.Risk

# One plan per past meeting, oldest first.
CC_MEETINGS: list[tuple[list[ReviewPlan], list[ItemPlan], str]] = [
    (
        [
            ReviewPlan(
                STAND,
                "case",
                R.HIGH,
                "Adult survivor of labor trafficking in shelter; employer still contacting family.",
                "Housing after the shelter stay; interpretation; fear of retaliation.",
                "Safety plan to be updated with the family's contacts; legal consult on T visa.",
                "Bay Area Legal Aid to screen for immigration relief; STAND! to update safety plan.",
            ),
            ReviewPlan(
                INV,
                "investigation",
                R.MODERATE,
                "Investigation update: potential victims identified at two motels; services offered.",
                "Victims reluctant to engage; transport to services.",
                "Coordinate a victim-centred interview schedule with advocates present.",
                "DA investigator and STAND! advocate to plan joint outreach.",
            ),
        ],
        [
            ItemPlan(
                "Update the safety plan and share the summary with the team",
                -70,
                owner=STAND,
                review=0,
                done=True,
            ),
            ItemPlan("Screen for T visa eligibility", -60, agency="Bay Area Legal Aid", review=0, done=True),
            ItemPlan("Schedule the joint outreach with advocates", -55, owner=INV, review=1),
        ],
        "Two reviews. Safety planning and legal screening agreed; outreach to be scheduled.",
    ),
    (
        [
            ReviewPlan(
                BALA,
                "",
                R.MODERATE,
                "Foreign national client pursuing a T visa; certification request pending.",
                "Work authorisation; income while the application is pending.",
                "Ask the DA's Office about the status of the certification request.",
                "Coordinator to follow up with the DA's Office; STAND! to explore job training.",
            ),
            ReviewPlan(
                STAND,
                "case",
                R.CRITICAL,
                "Follow-up: survivor reports a new contact attempt by the former employer.",
                "Emergency relocation; protective order.",
                "Relocation approved within the shelter network; protective order to be filed.",
                "STAND! to relocate; Bay Area Legal Aid to file the protective order.",
            ),
            ReviewPlan(
                INV,
                "investigation",
                R.HIGH,
                "Investigation update: arrests made; victims need support through court dates.",
                "Court accompaniment; transportation.",
                "Advocates to accompany victims at hearings.",
                "STAND! to assign an advocate for court dates.",
            ),
        ],
        [
            ItemPlan("Follow up on the pending certification request", -15, owner=COORD, review=0),
            ItemPlan("File the protective order", -25, owner=BALA, review=1, done=True),
            ItemPlan("Assign an advocate for the court dates", -5, agency="STAND!", review=2),
        ],
        "Three reviews. One emergency relocation approved; court accompaniment to be arranged.",
    ),
    (
        [
            ReviewPlan(
                STAND,
                "case",
                R.MODERATE,
                "Survivor settled in new placement; enrolled in job training.",
                "Childcare during training hours.",
                "Childcare options to be explored through the Family Justice Center.",
                "STAND! to research childcare subsidies.",
            ),
        ],
        [
            ItemPlan("Research childcare subsidies", 2, owner=STAND, review=0),
            ItemPlan("Circulate the updated MDT protocol draft", 3, owner=COORD),
            ItemPlan("Send the legal clinic calendar to the team", 10, agency="Bay Area Legal Aid"),
        ],
        "One review. Placement stable; childcare support under way.",
    ),
]

NEXT_MEETING_REVIEWS = [
    ReviewPlan(
        BALA,
        "",
        R.MODERATE,
        "New referral: adult client seeking civil remedies for unpaid wages under coercion.",
        "Documentation of hours worked; interpretation.",
        "",
        "",
    ),
    ReviewPlan(
        STAND,
        "case",
        R.MODERATE,
        "Follow-up on the survivor in job training: childcare and transport.",
        "Childcare; bus passes.",
        "",
        "",
    ),
]


def load(*, world: DemoWorld) -> None:
    """Add the demo MDT of each task force that has no MDT team yet."""
    for slug, loader in ((CC, _ContraCosta), (SOL, _Solano)):
        task_force = world.task_forces.get(slug)
        if task_force is None or MdtTeam.objects.filter(task_force=task_force).exists():
            continue
        loader(world, task_force).run()


class _Loader:
    coordinator = ""

    def __init__(self, world: DemoWorld, task_force: TaskForce) -> None:
        self.world = world
        self.task_force = task_force
        self.zone = zoneinfo.ZoneInfo(task_force.time_zone or "UTC")
        self.today = timezone.localdate(timezone=self.zone)
        self.now = timezone.now()

    def actor(self, email: str) -> Actor:
        return Actor.from_membership(self.world.members[email])

    def agency(self, name: str) -> Agency:
        return self.world.agencies[(self.task_force.slug, name)]

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def at(self, days_from_today: int, hour: int = 10) -> dt.datetime:
        day = self.today + dt.timedelta(days=days_from_today)
        return dt.datetime.combine(day, dt.time(hour, 0), self.zone)

    @staticmethod
    def backdate(queryset: QuerySet, when: dt.datetime) -> None:
        queryset.update(created_at=when, updated_at=when)

    def team(self, name: str, kind: str, roster: list[tuple[str, bool, int | None]]) -> tuple[MdtTeam, dict]:
        coordinator = self.actor(self.coordinator)
        team = services.team_create(actor=coordinator, name=name, kind=kind)
        rows: dict[str, RosterMember] = {}
        for email, facilitator, signed_days in roster:
            row = services.roster_add(
                actor=coordinator, team=team, membership=self.world.members[email], is_facilitator=facilitator
            )
            rows[email] = row
            if signed_days is None:  # an agreement that lapsed: to be renewed
                signed = self.ago(EXPIRED_SIGNED_DAYS_AGO)
                services.agreement_sign(
                    actor=coordinator, row=row, signed_on=signed, expires_on=signed + dt.timedelta(days=365)
                )
            else:
                services.agreement_sign(actor=coordinator, row=row, signed_on=self.ago(signed_days))
        return team, rows


class _ContraCosta(_Loader):
    coordinator = COORD

    def run(self) -> None:
        adult, rows = self.team("Adult HT MDT", MdtTeam.Kind.ADULT, CC_ADULT_ROSTER)
        self.rows = rows
        self.case = self.first(visible_cases(self.actor(STAND)).exclude(status=Case.Status.CLOSED))
        self.investigation = self.first(
            visible_investigations(self.actor(INV)).exclude(status=Investigation.Status.CLOSED)
        )
        for index, (days, (reviews, items, minutes)) in enumerate(
            zip(PAST_MEETINGS_DAYS_AGO, CC_MEETINGS, strict=True)
        ):
            self.past_meeting(adult, days, reviews, items, minutes, guest=index == 1)
        self.next_meeting(adult)
        youth, _ = self.team("Youth HT MDT", MdtTeam.Kind.YOUTH, CC_YOUTH_ROSTER)
        services.meeting_create(
            actor=self.actor(COORD),
            team=youth,
            data={"starts_at": self.at(NEXT_MEETING_IN_DAYS + 7, 14), "place": "Calli House, meeting room"},
        )

    @staticmethod
    def first(queryset: QuerySet) -> object | None:
        return queryset.order_by("opened_on", "created_at").first()

    def review(self, meeting: MdtMeeting, plan: ReviewPlan, *, held: bool) -> CaseReview:
        presenter = self.actor(plan.by)
        review = services.review_add(
            actor=presenter,
            meeting=meeting,
            data={"summary": plan.summary, "risk_level": plan.risk, "needs_barriers": plan.needs},
            case=self.case if plan.link == "case" else None,
            investigation=self.investigation if plan.link == "investigation" else None,
        )
        if held:
            services.review_update(
                actor=self.actor(COORD),
                review=review,
                data={"decisions": plan.decisions, "recommendations": plan.recommendations},
            )
            self.backdate(CaseReview.objects.filter(pk=review.pk), meeting.starts_at - dt.timedelta(days=3))
        return review

    def past_meeting(
        self,
        team: MdtTeam,
        days: int,
        reviews: list[ReviewPlan],
        items: list[ItemPlan],
        minutes: str,
        *,
        guest: bool,
    ) -> None:
        coordinator = self.actor(COORD)
        meeting = services.meeting_create(
            actor=coordinator,
            team=team,
            data={
                "starts_at": self.at(-days),
                "place": "District Attorney's Office, conference room B",
                "status": MdtMeeting.Status.HELD,
            },
        )
        added = [self.review(meeting, plan, held=True) for plan in reviews]
        for email, row in self.rows.items():
            # The supervisor whose agreement lapsed missed the last meeting.
            absent = email == SUP and days == PAST_MEETINGS_DAYS_AGO[-1]
            services.attendance_record(
                actor=coordinator, meeting=meeting, row=row, status="absent" if absent else "present"
            )
        if guest:
            services.guest_sign(
                actor=coordinator,
                meeting=meeting,
                guest_name="Dr. Robin Example",
                guest_organization="Contra Costa Health",
            )
        services.meeting_update(actor=coordinator, meeting=meeting, data={"minutes": minutes})
        for plan in items:
            item = services.action_item_add(
                actor=coordinator,
                meeting=meeting,
                description=plan.description,
                due_on=self.today + dt.timedelta(days=plan.due),
                owner_member=self.rows[plan.owner] if plan.owner else None,
                owner_agency=self.agency(plan.agency) if plan.agency else None,
                review=added[plan.review] if plan.review is not None else None,
            )
            if plan.done:
                owner = plan.owner or next(
                    e for e, r in self.rows.items() if r.membership.agency.name == plan.agency
                )
                services.action_item_update(actor=self.actor(owner), item=item, data={"status": "done"})
                ActionItem.objects.filter(pk=item.pk).update(
                    completed_on=min(self.today, item.due_on - dt.timedelta(days=2))
                )
            self.backdate(ActionItem.objects.filter(pk=item.pk), meeting.starts_at + dt.timedelta(hours=2))
        self.backdate(MdtMeeting.objects.filter(pk=meeting.pk), meeting.starts_at - dt.timedelta(days=14))

    def next_meeting(self, team: MdtTeam) -> None:
        """Planned; its agenda: new reviews, and the open items carried over from earlier meetings."""
        meeting = services.meeting_create(
            actor=self.actor(COORD),
            team=team,
            data={
                "starts_at": self.at(NEXT_MEETING_IN_DAYS),
                "place": "District Attorney's Office, conference room B",
                "video_link": "https://meet.example.org/cc-adult-mdt",
            },
        )
        for plan in NEXT_MEETING_REVIEWS:
            self.review(meeting, plan, held=False)


class _Solano(_Loader):
    coordinator = "coordinator@sol.demo"

    def run(self) -> None:
        team, _ = self.team("Solano HT MDT", MdtTeam.Kind.ADULT, SOL_ROSTER)
        services.meeting_create(
            actor=self.actor(self.coordinator),
            team=team,
            data={"starts_at": self.at(NEXT_MEETING_IN_DAYS + 4), "place": "Solano DA's Office"},
        )
