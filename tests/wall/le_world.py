"""Law-enforcement and bridge records for the wall tests, one set per task force, each text
carrying a marker unique to it."""

from __future__ import annotations

import datetime as dt

from cases import services as case_services
from referrals import certifications, services
from referrals.certifications import certification_request_from_investigation
from tests.world import World, local_today


def add_le_records(world: World) -> World:
    for tf in world.each_task_force():
        investigator = world.actor(f"{tf}.investigator")
        supervisor = world.actor(f"{tf}.le_supervisor")
        world.records[f"{tf}.tip"] = services.tip_create(
            actor=investigator,
            # Names the suspect below (written otherwise, so the suspect's marker stays the
            # suspect's): the tip is connected to the investigation.
            data={"narrative": f"LETIP-{tf}", "source": "hotline", "names": [f"lesuspect{tf}"]},
        )
        investigation = services.investigation_create(
            actor=investigator, data={"title": f"LEINV-{tf}", "case_number": f"INV-{tf}"}
        )
        world.records[f"{tf}.investigation"] = investigation
        suspect, _ = services.suspect_add(
            actor=investigator, investigation=investigation, data={"full_name": f"LESUSPECT-{tf}"}
        )
        world.records[f"{tf}.suspect"] = suspect
        restricted = services.investigation_create(
            actor=supervisor,
            data={"title": f"LERESTRICTED-{tf}", "case_number": f"RES-{tf}", "restricted": True},
        )
        services.team_add(
            actor=supervisor, investigation=restricted, membership=world.memberships[f"{tf}.investigator"]
        )
        world.records[f"{tf}.restricted"] = restricted
        prosecution = services.prosecution_create(
            actor=world.actor(f"{tf}.prosecutor"),
            investigation=investigation,
            data={"court": "Superior Court", "court_case_number": f"LEPROS-{tf}"},
        )
        world.records[f"{tf}.prosecution"] = prosecution
        world.records[f"{tf}.referral"] = services.referral_send(
            actor=investigator,
            to_agency=world.agencies[f"{tf}.vs"],
            payload={"summary": f"REFPAYLOAD-{tf}", "name_or_alias": "Ana"},
        )
        legal_aid = world.actor(f"{tf}.other_agency_cm")
        case = case_services.intake_create(
            actor=legal_aid,
            client={"first_name": f"CERTCLIENT{tf}", "last_name": "Marker"},
            case={"opened_on": local_today() - dt.timedelta(days=10)},
        )
        world.records[f"{tf}.certification"] = certifications.certification_request(
            actor=legal_aid, case=case, kind="u_visa", certifying_agency=world.agencies[f"{tf}.da"]
        )
        # Started from the restricted investigation by a team member, to be certified by the
        # city police: the victim's alias is its marker.
        victim = services.victim_identify(
            actor=investigator, investigation=restricted, data={"name_or_alias": f"CERTVICTIM-{tf}"}
        )
        world.records[f"{tf}.certification_le"] = certification_request_from_investigation(
            actor=investigator,
            investigation=restricted,
            kind="t_visa",
            certifying_agency=world.agencies[f"{tf}.pd"],
            victim=victim,
        )
    return world
