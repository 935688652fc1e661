"""Victim-services records for the wall tests: one case per task force, built through the
services as the assigned case manager would, each text carrying a marker unique to it."""

from __future__ import annotations

import datetime as dt

from cases import services
from tests.world import World, local_today


def add_cases(world: World) -> World:
    for tf in world.each_task_force():
        case_manager = world.actor(f"{tf}.case_manager")
        opened = local_today() - dt.timedelta(days=30)  # a date well inside the past
        case = services.intake_create(
            actor=case_manager,
            client={"first_name": f"VSCLIENT{tf}", "last_name": "Marker", "phone": f"555-{tf}"},
            case={"trafficking_type": "labor", "opened_on": opened},
        )
        world.records[f"{tf}.case"] = case
        world.records[f"{tf}.client"] = case.client
        world.records[f"{tf}.service"] = services.service_record(
            actor=case_manager,
            case=case,
            service_type="case_management",
            delivered_on=opened + dt.timedelta(days=1),
            note=f"VSSERVICE-{tf}",
        )
        world.records[f"{tf}.note"] = services.note_add(actor=case_manager, case=case, text=f"VSNOTE-{tf}")
        world.records[f"{tf}.privileged_note"] = services.note_add(
            actor=case_manager, case=case, text=f"VSPRIVILEGED-{tf}", privileged=True
        )
        world.records[f"{tf}.consent"] = services.consent_record(
            actor=case_manager,
            case=case,
            recipient_agency=world.agencies[f"{tf}.vs2"],
            scope=["identity", "case_summary"],
            purpose=f"VSCONSENT-{tf}",
            signed_by="Client",
        )
    return world
