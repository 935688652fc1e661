"""Demo victim-service cases: synthetic clients, intakes, screenings, plans, services, notes and
consents spread over the last 18 months, built through ``cases.services`` as a case manager would.

Synthetic: every name is made up from two short lists, phone numbers are in the 555-01xx range
reserved for fiction. Deterministic: one seeded ``random.Random`` per task force. Idempotent: a
task force that already holds any case is left alone, so a second ``load_demo`` adds nothing.
Runs under the caller's task force scope (one task force at a time).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from cases import services
from cases.codes import (
    AgeGroup,
    Citizenship,
    ConsentCategory,
    Gender,
    RaceEthnicity,
    ReferralSource,
    ServiceCategory,
    TraffickingType,
)
from cases.models import Case, FamilyMember
from cases.screening import Answer, Form, questions_for
from taskforce.access import Actor
from taskforce.demo import DemoWorld
from taskforce.models import Agency, Membership, TaskForce

SEED = 1038  # Evidence Code 1038, the caseworker-victim privilege
HISTORY_DAYS = 540  # about 18 months

FIRST_NAMES = (
    "Amara", "Bexley", "Calla", "Darian", "Elio", "Farrah", "Galen", "Havana", "Ilse", "Jarek",
    "Kalani", "Liora", "Marisol", "Nadim", "Oriel", "Paz", "Quillon", "Rosalind", "Soren", "Tamsin",
    "Ulani", "Veda", "Wren", "Xiomara", "Yarrow", "Zephyrine", "Anouk", "Briar", "Cosimo", "Delphine",
)  # fmt: skip
LAST_NAMES = (
    "Ashgrove", "Brackenridge", "Caldermoor", "Dunfallow", "Everhollow", "Fernwick", "Glenbarrow",
    "Hollinsby", "Ivystone", "Juniperlake", "Kestrelford", "Larkspurne", "Marrowdale", "Nettlefield",
    "Oakenshade", "Pennywhistle", "Quarrystone", "Rookhaven", "Sallowmere", "Thistlecombe",
)  # fmt: skip
LANGUAGES = ("English", "Spanish", "Tagalog", "Vietnamese", "Mandarin", "Punjabi", "Tigrinya", "Mam")
SAFE_CONTACT = (
    "Text only, weekdays after 10am; do not leave voicemail.",
    "Call the shelter front desk and ask for the client by first name.",
    "Email only; phone is shared with a household member.",
    "Through the school counsellor on Tuesdays.",
    "",
)

NOTES = (
    "Met at the office; reviewed safety plan and next steps for housing.",
    "Phone check-in; client reports feeling safer, asked about English classes.",
    "Accompanied client to medical appointment; follow-up in two weeks.",
    "Discussed options for reporting; client not ready, will revisit.",
    "Helped complete benefits application; waiting on documents.",
)
PRIVILEGED_NOTES = (
    "Counselling session: client described the recruitment and the threats made against family.",
    "Confidential session: client disclosed details of the exploitation; processing shame and fear.",
)
GOALS = {
    ServiceCategory.EMERGENCY_SHELTER: "Safe place to stay tonight and for the next weeks",
    ServiceCategory.TRANSITIONAL_HOUSING: "Move into transitional housing",
    ServiceCategory.MENTAL_HEALTH: "Connect with a trauma-informed therapist",
    ServiceCategory.MEDICAL: "Complete a health check-up",
    ServiceCategory.LEGAL_IMMIGRATION: "Apply for a T visa",
    ServiceCategory.LEGAL_CIVIL: "Resolve debts incurred under coercion",
    ServiceCategory.EDUCATION_EMPLOYMENT: "Enrol in a job training programme",
    ServiceCategory.SAFETY_PLANNING: "Written safety plan reviewed monthly",
    ServiceCategory.BASIC_NEEDS: "Clothing, phone and food for the first month",
    ServiceCategory.FAMILY_REUNIFICATION: "Reconnect safely with family",
}


@dataclass(frozen=True)
class Batch:
    """``count`` cases of ``agency`` taken in (and then worked) by the member ``by``."""

    by: str
    agency: str
    count: int
    services: tuple[str, ...]
    recipient: str  # consents name this agency of the same task force
    unassigned: bool = False  # intakes waiting for the supervisor to assign


CM = ServiceCategory
GENERAL = (
    CM.CASE_MANAGEMENT,
    CM.CASE_MANAGEMENT,
    CM.CRISIS_INTERVENTION,
    CM.SAFETY_PLANNING,
    CM.BASIC_NEEDS,
    CM.MENTAL_HEALTH,
    CM.TRANSPORTATION,
    CM.ADVOCACY_ACCOMPANIMENT,
    CM.MEDICAL,
    CM.EDUCATION_EMPLOYMENT,
)
SHELTER = (
    CM.EMERGENCY_SHELTER,
    CM.EMERGENCY_SHELTER,
    CM.CASE_MANAGEMENT,
    CM.BASIC_NEEDS,
    CM.CRISIS_INTERVENTION,
    CM.TRANSITIONAL_HOUSING,
    CM.LIFE_SKILLS,
    CM.CHILD_CARE,
)
CRISIS = (
    CM.CRISIS_INTERVENTION,
    CM.CRISIS_INTERVENTION,
    CM.ADVOCACY_ACCOMPANIMENT,
    CM.MENTAL_HEALTH,
    CM.CASE_MANAGEMENT,
    CM.MEDICAL,
    CM.SAFETY_PLANNING,
)
LEGAL = (
    CM.LEGAL_IMMIGRATION,
    CM.LEGAL_IMMIGRATION,
    CM.LEGAL_IMMIGRATION,
    CM.LEGAL_CIVIL,
    CM.INTERPRETATION,
    CM.CASE_MANAGEMENT,
)

PLAN: dict[str, list[Batch]] = {
    "contra-costa": [
        Batch("cm.stand@cc.demo", "STAND!", 7, GENERAL, "Bay Area Legal Aid"),
        Batch("cm2.stand@cc.demo", "STAND!", 5, GENERAL, "Bay Area Legal Aid"),
        Batch("sup.stand@cc.demo", "STAND!", 2, GENERAL, "Bay Area Legal Aid", unassigned=True),
        Batch("cm.cvs@cc.demo", "Community Violence Solutions", 6, CRISIS, "District Attorney's Office"),
        Batch("legal.bala@cc.demo", "Bay Area Legal Aid", 5, LEGAL, "STAND!"),
    ],
    "solano": [
        Batch("cm.shelter@sol.demo", "Solano Harbor House Shelter", 5, SHELTER, "District Attorney's Office"),
    ],
}


def load(*, world: DemoWorld) -> None:
    """Add the demo cases of each task force that has none yet."""
    for slug, batches in PLAN.items():
        task_force = world.task_forces.get(slug)
        if task_force is None or Case.objects.filter(task_force=task_force).exists():
            continue
        rng = random.Random(f"{SEED}:{slug}")  # noqa: S311 (demo data, not secrets)
        _Loader(world, task_force, rng).run(batches)


class _Loader:
    def __init__(self, world: DemoWorld, task_force: TaskForce, rng: random.Random) -> None:
        self.world = world
        self.task_force = task_force
        self.rng = rng
        self.today = timezone.localdate(timezone=zoneinfo.ZoneInfo(task_force.time_zone or "UTC"))
        self.used_names: set[tuple[str, str]] = set()
        self.index = 0  # across the task force, to place the special cases

    def actor(self, email: str) -> Actor:
        return Actor.from_membership(self.world.members[email])

    def agency(self, name: str) -> Agency:
        return self.world.agencies[(self.task_force.slug, name)]

    def run(self, batches: list[Batch]) -> None:
        for batch in batches:
            for _ in range(batch.count):
                self.one_case(batch)
                self.index += 1
        self.assign_second_case_manager()

    # -- one client and case ------------------------------------------------------------------

    def name(self) -> tuple[str, str]:
        while True:
            pair = (self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            if pair not in self.used_names:
                self.used_names.add(pair)
                return pair

    def one_case(self, batch: Batch) -> None:
        rng, index = self.rng, self.index
        actor = self.actor(batch.by)
        if batch.unassigned:
            opened_on = self.today - dt.timedelta(days=rng.randint(1, 12))
        elif index == 0:
            opened_on = self.today - dt.timedelta(days=HISTORY_DAYS)
        else:
            opened_on = self.today - dt.timedelta(days=rng.randint(25, HISTORY_DAYS))
        minor = index % 6 == 4
        first, last = self.name()
        age_days = rng.randint(15 * 365 + 10, 17 * 365 - 10) if minor else rng.randint(19 * 365, 55 * 365)
        dob = opened_on - dt.timedelta(days=age_days) if rng.random() < 0.85 or minor else None
        legal = batch.services is LEGAL
        citizenship = rng.choice(
            [Citizenship.FOREIGN_NATIONAL] * 3 + [Citizenship.LPR, Citizenship.NOT_REPORTED]
            if legal
            else [Citizenship.US_CITIZEN] * 3
            + [Citizenship.FOREIGN_NATIONAL, Citizenship.LPR, Citizenship.NOT_REPORTED]
        )
        if legal:
            trafficking = rng.choice(
                [TraffickingType.LABOR] * 3 + [TraffickingType.BOTH, TraffickingType.SEX]
            )
        elif minor:
            trafficking = TraffickingType.SEX
        else:
            trafficking = rng.choice(
                [TraffickingType.SEX] * 3
                + [TraffickingType.LABOR, TraffickingType.BOTH, TraffickingType.UNKNOWN]
            )
        client = {
            "first_name": first,
            "last_name": last,
            "date_of_birth": dob,
            "gender": rng.choice(
                [Gender.FEMALE] * 5
                + [Gender.MALE] * 2
                + [Gender.TRANSGENDER, Gender.NONBINARY, Gender.NOT_REPORTED]
            ),
            "citizenship": citizenship,
            "race_ethnicity": rng.choice(RaceEthnicity.values),
            "phone": f"(925) 555-01{rng.randint(0, 99):02d}",
            "preferred_language": rng.choice(LANGUAGES[:2] * 3 + LANGUAGES[2:]),
            "safe_contact": rng.choice(SAFE_CONTACT),
            "unsafe_channels": rng.sample(
                ["voicemail", "mail", "home_visit", "social_media"], k=rng.randint(0, 2)
            ),
            "address_confidential": rng.random() < 0.2,
            "immigration_status": "Pending T visa" if legal and rng.random() < 0.5 else "",
        }
        if dob is None:
            client["age_group_at_intake"] = rng.choice([AgeGroup.ADULT, AgeGroup.NOT_REPORTED])
        source = rng.choice(ReferralSource.values)
        if legal:
            source = rng.choice(
                [ReferralSource.SERVICE_PROVIDER, ReferralSource.LAW_ENFORCEMENT_FEDERAL, source]
            )
        # The short screening is asked at intake; ``intake_create`` dates it today, so an intake
        # backdated by more than a week records its screening apart, on the day it was asked.
        answers = self.short_answers(trafficking, minor)
        recent = (self.today - opened_on).days <= 7
        case = services.intake_create(
            actor=actor,
            client=client,
            case={"opened_on": opened_on, "trafficking_type": trafficking, "referral_source": source},
            answers=answers if recent else None,
        )
        if not recent:
            services.screening_record(
                actor=actor, case=case, form=Form.SHORT, answers=answers, screened_on=opened_on
            )
        if batch.unassigned:
            return  # waiting for the supervisor: no services yet
        self.history(actor, batch, case, minor, f"{first} {last}")

    def short_answers(self, trafficking: str, minor: bool) -> dict[str, str]:
        rng = self.rng
        answers = {}
        for _, question in questions_for(Form.SHORT):
            likely = (question.code.startswith("sex_") and trafficking in ("sex", "both")) or (
                question.code in ("recruit_promise", "work_unpaid") and trafficking in ("labor", "both")
            )
            weights = [6, 1, 1, 1] if likely else [2, 5, 1, 1]
            answers[question.code] = rng.choices(
                [Answer.YES, Answer.NO, Answer.UNSURE, Answer.DECLINED], weights=weights
            )[0]
        return answers

    def long_answers(self) -> dict[str, str]:
        return {
            q.code: self.rng.choice([Answer.YES, Answer.NO, Answer.NO, Answer.UNSURE, Answer.DECLINED])
            for _, q in questions_for(Form.LONG)
        }

    # -- what happened afterwards -------------------------------------------------------------

    def history(self, actor: Actor, batch: Batch, case: Case, minor: bool, signer: str) -> None:
        rng, index = self.rng, self.index
        span = (self.today - case.opened_on).days
        closes = index in (3, 8, 17) and span > 90
        end = case.opened_on + dt.timedelta(days=rng.randint(60, span - 10)) if closes else self.today
        for need in rng.sample([n for n in GOALS if n in batch.services] or list(GOALS)[:3], k=2):
            services.plan_item_add(
                actor=actor,
                case=case,
                need=need,
                goal=GOALS[need],
                target_on=case.opened_on + dt.timedelta(days=rng.randint(30, 180)),
            )
        days = sorted(rng.sample(range((end - case.opened_on).days + 1), k=min(rng.randint(3, 9), span + 1)))
        for offset in days:
            service_type = rng.choice(batch.services)
            services.service_record(
                actor=actor,
                case=case,
                service_type=service_type,
                delivered_on=case.opened_on + dt.timedelta(days=offset),
                units=rng.choice([1, 1, 1, 2, 3])
                if service_type != CM.EMERGENCY_SHELTER
                else rng.randint(1, 14),
            )
        for _ in range(rng.randint(1, 3)):
            services.note_add(actor=actor, case=case, text=rng.choice(NOTES))
        if index % 3 == 0:
            services.note_add(actor=actor, case=case, text=rng.choice(PRIVILEGED_NOTES), privileged=True)
        if span > 45 and index % 4 == 1:
            services.screening_record(
                actor=actor,
                case=case,
                form=Form.LONG,
                answers=self.long_answers(),
                screened_on=case.opened_on + dt.timedelta(days=rng.randint(14, min(span, 120))),
            )
        if index % 5 == 2:
            relationship = rng.choice(FamilyMember.Relationship.values)
            services.family_member_add(
                actor=actor,
                case=case,
                relationship=relationship,
                age_group=AgeGroup.MINOR if relationship == "child" else AgeGroup.ADULT,
                served_from=case.opened_on + dt.timedelta(days=rng.randint(0, min(span, 30))),
            )
        self.consents(actor, batch, case, minor, end, signer)
        if closes:
            services.case_close(
                actor=actor,
                case=case,
                reason=rng.choice([Case.ClosureReason.GOALS_MET, Case.ClosureReason.LOST_CONTACT]),
                closed_on=end,
            )
            if index == 8:
                services.case_reopen(
                    actor=actor, case=case, reason="Client returned asking for help with housing."
                )
                services.service_record(
                    actor=actor, case=case, service_type=CM.CASE_MANAGEMENT, delivered_on=self.today
                )

    def consents(
        self, actor: Actor, batch: Batch, case: Case, minor: bool, end: dt.date, signer: str
    ) -> None:
        """Releases in every state: active, expiring within 14 days, expired, one revoked."""
        rng, index = self.rng, self.index
        span = (end - case.opened_on).days
        guardian = (
            {"guardian_name": "Parent " + rng.choice(LAST_NAMES), "guardian_relationship": "parent",
             "guardian_not_suspect": True}
            if minor
            else {}
        )  # fmt: skip
        recipient = self.agency(batch.recipient)
        kind = index % 4
        if kind == 3:
            return  # no release on file
        common = {
            "actor": actor,
            "case": case,
            "recipient_agency": recipient,
            "signed_by": signer,
            **guardian,
        }
        if kind == 0 and span >= 200:
            # Signed long ago for 90 days: expired now.
            signed = end - dt.timedelta(days=rng.randint(120, min(span, 200)))
            services.consent_record(
                **common,
                scope=[ConsentCategory.IDENTITY, ConsentCategory.CASE_SUMMARY],
                purpose="Coordinate services and housing referral",
                signed_on=signed,
                expires_on=signed + dt.timedelta(days=90),
            )
        if end == self.today and (self.today - case.opened_on).days >= 80 and kind in (0, 1):
            # Expires within the next two weeks: shows on the case manager's home page.
            signed = max(case.opened_on, self.today - dt.timedelta(days=rng.randint(78, 88)))
            services.consent_record(
                **common,
                scope=[ConsentCategory.IDENTITY, ConsentCategory.CONTACT, ConsentCategory.SERVICES],
                purpose="Legal consultation on immigration relief"
                if batch.recipient == "Bay Area Legal Aid"
                else "Share services received for case coordination",
                signed_on=signed,
            )
        if kind == 2:
            signed = max(case.opened_on, self.today - dt.timedelta(days=rng.randint(5, 40)))
            consent = services.consent_record(
                **common,
                scope=[ConsentCategory.CASE_SUMMARY, ConsentCategory.SCREENING],
                purpose="Victim witness coordination",
                signed_on=signed,
                expires_on=signed + dt.timedelta(days=180),
            )
            if index == 2:
                services.consent_revoke(
                    actor=actor, consent=consent, note="Client asked to withdraw the release."
                )

    def assign_second_case_manager(self) -> None:
        """The STAND! supervisor puts a second case manager on one of the other's cases."""
        supervisor = self.world.members.get("sup.stand@cc.demo")
        second = self.world.members.get("cm.stand@cc.demo")
        if supervisor is None or second is None or supervisor.task_force_id != self.task_force.pk:
            return
        actor = Actor.from_membership(supervisor)
        candidates = (
            Case.objects.filter(task_force=self.task_force, agency_id=supervisor.agency_id)
            .exclude(status=Case.Status.INTAKE)
            .order_by("opened_on")
        )
        for case in candidates:
            assignees = {m.pk for m in services.case_assignees(actor=actor, case=case)}
            if assignees and second.pk not in assignees:
                services.case_assign(actor=actor, case=case, membership=Membership.objects.get(pk=second.pk))
                return
