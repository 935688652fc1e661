"""Demo training and outreach events over the last 18 months, so the dashboard tells a story."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from reporting import services
from reporting.models import TrainingEvent
from taskforce.access import Actor
from taskforce.demo import DemoWorld

TRAININGS = [
    ("Recognising labor trafficking in agriculture", "indicators, interviewing, referral"),
    ("Trauma-informed interviewing for patrol officers", "trauma, interviewing"),
    ("Human trafficking 101 for school staff", "indicators, reporting duties"),
    ("Health care response to trafficking", "screening, safety, referral"),
    ("T and U visa certification for law enforcement", "immigration relief, Supplement B"),
    ("Working the MDT: sharing within the law", "PC 13753, confidentiality"),
]
OUTREACH = [
    ("awareness_event", "general_public", "January awareness month fair"),
    ("presentation", "schools", "Healthy relationships and online safety"),
    ("media", "general_public", "Radio segment on labor exploitation"),
    ("materials", "immigrant_communities", "Know your rights cards"),
    ("presentation", "faith", "Faith leaders briefing"),
    ("presentation", "business", "Hotel staff training on indicators"),
]


def load(*, world: DemoWorld) -> None:
    for slug, task_force in world.task_forces.items():
        if TrainingEvent.objects.filter(task_force=task_force).exists():
            continue
        members = [m for m in world.members.values() if m.task_force_id == task_force.pk]
        coordinator = next((m for m in members if m.role == "coordinator"), None)
        if coordinator is None:
            continue
        actor = Actor.from_membership(coordinator)
        rng = random.Random(f"reporting-{slug}")  # noqa: S311 - demo data, not security
        today = timezone.localdate()
        agencies = [a for (s, _), a in world.agencies.items() if s == slug]
        months = 18 if slug == "contra-costa" else 6
        for back in range(months):
            month_day = (today.replace(day=1) - dt.timedelta(days=30 * back)).replace(day=1)
            for _ in range(rng.randint(1, 3)):
                title, topics = rng.choice(TRAININGS)
                held_on = min(today, month_day + dt.timedelta(days=rng.randint(0, 27)))
                services.training_record(
                    actor=actor,
                    data={
                        "held_on": held_on,
                        "title": title,
                        "topics": topics,
                        "delivering_agency": rng.choice(agencies),
                        "hours": rng.choice([1.5, 2, 3, 4, 6]),
                        "attendees_law_enforcement": rng.randint(0, 30),
                        "attendees_prosecution": rng.randint(0, 6),
                        "attendees_victim_services": rng.randint(0, 20),
                        "attendees_health": rng.randint(0, 15),
                        "attendees_education": rng.randint(0, 25),
                        "attendees_child_welfare": rng.randint(0, 10),
                        "attendees_community": rng.randint(0, 40),
                        "attendees_other": rng.randint(0, 5),
                    },
                )
            for _ in range(rng.randint(1, 4)):
                kind, audience, title = rng.choice(OUTREACH)
                held_on = min(today, month_day + dt.timedelta(days=rng.randint(0, 27)))
                services.outreach_record(
                    actor=actor,
                    data={
                        "held_on": held_on,
                        "kind": kind,
                        "audience": audience,
                        "title": title,
                        "people_reached": rng.randint(20, 600)
                        if kind != "media"
                        else rng.randint(2000, 20000),
                        "materials_distributed": rng.randint(0, 300),
                        "language": rng.choice(["English", "Spanish", "Tagalog", "Vietnamese"]),
                        "delivering_agency": rng.choice(agencies),
                    },
                )
