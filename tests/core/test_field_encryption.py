"""Field-level encryption of what identifies a victim or a suspect (issue 9, weakness 11).

The raw tables hold no plaintext of a planted identity; values are bound to their row and
column; rotation re-encrypts and stays readable; a wrong key fails loudly; the blind indexes
keep the duplicate check, the search and deconfliction working without matching anything
across agencies or task forces.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cases import identity_index
from cases import services as case_services
from cases.models import Case, CaseNote, ClientIdentity, ClientIndexTerm
from referrals import services as le_services
from referrals import suspect_index
from referrals.models import Investigation, Suspect
from taskforce.crypto import FieldDecryptionError, FieldEncryptionError, current_key_id, key_id_of
from taskforce.keys import DEVELOPMENT_BLIND_INDEX_KEY, DEVELOPMENT_FIELD_KEYS
from taskforce.rls import task_force_scope
from tests.world import World, in_scope

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

PLANTED = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "preferred_name": "Zephy",
    "aliases": "Marigold Vexcombe",
    "phone": "(925) 555-0177",
    "email": "zephyrine.q@example.org",
    "address": "42 Larkspur Hollow",
    "preferred_language": "Tigrinya",
    "immigration_status": "T-visa applicant",
    "safe_contact": "Call the sister-in-law Odalys after 6pm",
}
NOTE = "Disclosed the Brambleworth farm arrangement"
SUSPECT = {"full_name": "Corvin Blackthorne", "aliases": "Crow Thornfield"}
SUSPECT_PHONE = "(707) 555-0188"
SUSPECT_PLATE = "9QRT417"
SUSPECT_HANDLE = "@nightjar_bookings"


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _intake(world: World, key: str = "alpha.case_manager", **client: object) -> Case:
    data = {**PLANTED, **client}
    return case_services.intake_create(actor=world.actor(key), client=data, case={})


def _investigation(world: World) -> Investigation:
    return le_services.investigation_create(
        actor=world.actor("alpha.investigator"),
        data={"case_number": "ENC-1", "title": "Working title", "opened_on": dt.date(2026, 1, 5)},
    )


def _suspect(world: World, investigation: Investigation, **extra: object) -> tuple[Suspect, list[str]]:
    data = {**SUSPECT, "phones": [SUSPECT_PHONE], "plates": [SUSPECT_PLATE], "handles": [SUSPECT_HANDLE]}
    return le_services.suspect_add(
        actor=world.actor("alpha.investigator"), investigation=investigation, data={**data, **extra}
    )


def _every_row_as_text(task_force_id: object) -> str:
    """Every column of every table in the schema, as the database role stores it."""
    with task_force_scope(task_force_id), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        dump = []
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')
            dump.extend(row[0] for row in cursor.fetchall())
    return "\n".join(dump).casefold()


def test_raw_tables_hold_no_plaintext_identity_note_or_suspect_identifier(world: World) -> None:
    case = _intake(world, date_of_birth=dt.date(1991, 3, 14))
    case_services.note_add(actor=world.actor("alpha.case_manager"), case=case, text=NOTE, privileged=False)
    case_services.note_add(
        actor=world.actor("alpha.case_manager"), case=case, text=NOTE + " privileged", privileged=True
    )
    _suspect(world, _investigation(world))

    dump = _every_row_as_text(world.task_forces["alpha"].pk)
    planted = [
        *PLANTED.values(),
        "Marigold",
        "5550177",
        "555-0177",
        "1991-03-14",
        "Brambleworth",
        *SUSPECT.values(),
        "Blackthorne",
        "7075550188",
        "555-0188",
        SUSPECT_PLATE,
        "nightjar_bookings",
    ]
    for text in planted:
        assert text.casefold() not in dump, text
    # ... and the application still reads them.
    identity = ClientIdentity.objects.get(client_id=case.client_id)
    assert (identity.first_name, identity.phone, identity.aliases) == (
        "Zephyrine",
        "(925) 555-0177",
        "Marigold Vexcombe",
    )
    assert str(identity.date_of_birth) == "1991-03-14"
    assert {n.text for n in CaseNote.objects.filter(case=case)} == {NOTE, NOTE + " privileged"}
    suspect = Suspect.objects.get(task_force=world.task_forces["alpha"])
    assert (suspect.full_name, suspect.phones, suspect.plates, suspect.handles) == (
        "Corvin Blackthorne",
        ["7075550188"],
        ["9QRT417"],
        ["nightjar_bookings"],
    )


def _raw(table: str, column: str, row_id: object, task_force_id: object) -> str:
    with task_force_scope(task_force_id), connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]


def test_stored_values_carry_the_key_id_and_format(world: World) -> None:
    case = _intake(world)
    identity = ClientIdentity.objects.get(client_id=case.client_id)
    stored = _raw("cases_clientidentity", "first_name", identity.pk, case.task_force_id)
    assert stored.startswith(f"v1:{current_key_id()}:")
    assert key_id_of(stored) == "dev1"


def test_a_ciphertext_moved_to_another_column_or_row_does_not_decrypt(world: World) -> None:
    tf = world.task_forces["alpha"].pk
    one = ClientIdentity.objects.get(client_id=_intake(world).client_id)
    two = ClientIdentity.objects.get(client_id=_intake(world, first_name="Other").client_id)
    first = _raw("cases_clientidentity", "first_name", one.pk, tf)
    with task_force_scope(tf), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_clientidentity SET last_name = %s WHERE id = %s", [first, one.pk])
        cursor.execute("UPDATE cases_clientidentity SET first_name = %s WHERE id = %s", [first, two.pk])
    with pytest.raises(FieldDecryptionError, match=r"cases_clientidentity\.last_name"):
        _ = ClientIdentity.objects.get(pk=one.pk).last_name
    with pytest.raises(FieldDecryptionError, match="moved from another column or row"):
        _ = ClientIdentity.objects.get(pk=two.pk).first_name
    assert ClientIdentity.objects.get(pk=one.pk).first_name == "Zephyrine"


def test_wrong_key_raises_a_clear_error_never_garbage(world: World) -> None:
    case = _intake(world)
    with override_settings(TASKFORCE_FIELD_KEYS=f"dev1:{_new_key()}"):
        identity = ClientIdentity.objects.get(client_id=case.client_id)
        with pytest.raises(FieldDecryptionError, match="wrong key"):
            _ = identity.first_name
    with override_settings(TASKFORCE_FIELD_KEYS=f"other:{_new_key()}"):
        identity = ClientIdentity.objects.get(client_id=case.client_id)
        with pytest.raises(FieldDecryptionError, match="'dev1', which TASKFORCE_FIELD_KEYS does not hold"):
            _ = identity.phone


def test_rotation_reencrypts_with_the_current_key_and_stays_readable(world: World) -> None:
    case = _intake(world)
    case_services.note_add(actor=world.actor("alpha.case_manager"), case=case, text=NOTE, privileged=False)
    _intake(world, key="beta.case_manager", first_name="Beta")
    suspect, _ = _suspect(world, _investigation(world))
    new = f"k2:{_new_key()}"
    identity = ClientIdentity.objects.get(client_id=case.client_id)
    with override_settings(TASKFORCE_FIELD_KEYS=f"{new},{DEVELOPMENT_FIELD_KEYS}"):
        call_command("rotate_field_keys", batch_size=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
        # Run twice: already rotated values are skipped (resumable), nothing breaks.
        call_command("rotate_field_keys", batch_size=2, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with override_settings(TASKFORCE_FIELD_KEYS=new):  # the old key is gone
        for column in ("first_name", "phone", "aliases"):
            assert key_id_of(_raw("cases_clientidentity", column, identity.pk, case.task_force_id)) == "k2"
        identity = ClientIdentity.objects.get(client_id=case.client_id)
        assert (identity.first_name, identity.phone) == ("Zephyrine", "(925) 555-0177")
        assert CaseNote.objects.get(case=case).text == NOTE
        assert Suspect.objects.get(pk=suspect.pk).phones == ["7075550188"]
        with in_scope(world.task_forces["beta"]):
            beta = ClientIdentity.objects.get(task_force=world.task_forces["beta"])
        assert beta.first_name == "Beta"


def test_encrypted_columns_refuse_sql_comparison(world: World) -> None:
    with pytest.raises(FieldEncryptionError, match="match through its blind index"):
        list(ClientIdentity.objects.filter(first_name="Zephyrine"))
    with pytest.raises(FieldEncryptionError):
        list(ClientIdentity.objects.filter(last_name__icontains="quill"))


def test_blind_index_of_the_same_name_differs_across_agencies(world: World) -> None:
    in_vs = _intake(world, key="alpha.case_manager")
    in_vs2 = _intake(world, key="alpha.other_agency_cm")
    in_beta = _intake(world, key="beta.case_manager")
    digests = {}
    for case in (in_vs, in_vs2, in_beta):
        with in_scope(case.task_force_id):  # each task force's index rows under its own scope
            rows = ClientIndexTerm.objects.filter(client_id=case.client_id).values_list("digest", flat=True)
            digests[case.pk] = set(rows)
    world.use("alpha")  # the beta intake above left beta in scope
    assert all(digests.values())
    assert not digests[in_vs.pk] & digests[in_vs2.pk]
    assert not digests[in_vs.pk] & digests[in_beta.pk]
    agencies = world.agencies
    assert identity_index.query_digests(agencies["alpha.vs"].pk, "Quillfeather") != (
        identity_index.query_digests(agencies["alpha.vs2"].pk, "Quillfeather")
    )
    # The lookup API for search: only the named agency's clients, by whole name, alias or phone.
    tf = world.task_forces["alpha"].pk
    for text in ("quillfeather", "Zephyrine QUILLFEATHER", "Marigold Vexcombe", "vexcombe", "925-555-0177"):
        found = set(
            identity_index.client_ids_matching(agencies["alpha.vs"], text).values_list("client_id", flat=True)
        )
        assert found == {in_vs.client_id}, text
        assert set(
            identity_index.client_ids_matching(agencies["alpha.vs"].pk, text, task_force_id=tf).values_list(
                "client_id", flat=True
            )
        ) == {in_vs.client_id}
    assert not identity_index.client_ids_matching(agencies["alpha.vs"], "quill").exists()


def test_duplicate_check_matches_inside_the_agency_only(world: World) -> None:
    born = dt.date(1991, 3, 14)
    _intake(world, key="alpha.case_manager", date_of_birth=born)
    _intake(world, key="alpha.other_agency_cm", date_of_birth=born)
    own = world.actor("alpha.vs_supervisor")
    assert (
        case_services.intake_duplicates(
            actor=own, first_name=" zéphyrine ", last_name="QUILLFEATHER", date_of_birth=None
        )
        == 1
    )
    assert (
        case_services.intake_duplicates(
            actor=own, first_name="Zephyrine", last_name="Quillfeather", date_of_birth=born
        )
        == 1
    )
    assert (
        case_services.intake_duplicates(
            actor=own, first_name="Zephyrine", last_name="Quillfeather", date_of_birth=dt.date(1990, 1, 1)
        )
        == 0
    )
    assert (
        case_services.intake_duplicates(
            actor=world.actor("beta.vs_supervisor"),
            first_name="Zephyrine",
            last_name="Quillfeather",
            date_of_birth=None,
        )
        == 0
    )
    assert (
        case_services.intake_duplicates(
            actor=world.actor("alpha.investigator"),
            first_name="Zephyrine",
            last_name="Quillfeather",
            date_of_birth=None,
        )
        == 0
    )


def test_deconfliction_still_matches_through_the_task_force_index(world: World) -> None:
    first = _investigation(world)
    second = le_services.investigation_create(
        actor=world.actor("alpha.detective"),
        data={"case_number": "ENC-2", "title": "Other", "opened_on": dt.date(2026, 1, 6)},
    )
    _suspect(world, first)
    _, messages = le_services.suspect_add(
        actor=world.actor("alpha.detective"),
        investigation=second,
        data={"full_name": "Someone Else", "phones": ["+1 707 555 0188"], "handles": ["NIGHTJAR_BOOKINGS"]},
    )
    assert len(messages) == 2  # phone and handle, named by the lead agency only
    alpha, beta = world.task_forces["alpha"].pk, world.task_forces["beta"].pk
    assert suspect_index.digest(alpha, "phone", "7075550188") != suspect_index.digest(
        beta, "phone", "7075550188"
    )


def test_rebuild_blind_indexes_restores_a_lost_index(world: World) -> None:
    case = _intake(world)
    before = set(ClientIndexTerm.objects.filter(client_id=case.client_id).values_list("kind", "digest"))
    ClientIndexTerm.objects.filter(client_id=case.client_id).delete()
    call_command("rebuild_blind_indexes", stdout=open(os.devnull, "w"))  # noqa: SIM115
    after = set(ClientIndexTerm.objects.filter(client_id=case.client_id).values_list("kind", "digest"))
    assert after == before


def _production_start(**env: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "taskforce.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://unused@localhost/unused",
        "REDIS_URL": "redis://127.0.0.1:6379/15",  # production needs it; the keys are checked here
    }
    code = "import django; django.setup()"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_real_keys() -> None:
    missing = _production_start()
    assert missing.returncode != 0
    assert "TASKFORCE_FIELD_KEYS" in missing.stderr
    development = _production_start(
        TASKFORCE_FIELD_KEYS=DEVELOPMENT_FIELD_KEYS, TASKFORCE_BLIND_INDEX_KEY=DEVELOPMENT_BLIND_INDEX_KEY
    )
    assert development.returncode != 0
    assert "development" in development.stderr
    malformed = _production_start(TASKFORCE_FIELD_KEYS="k1:short", TASKFORCE_BLIND_INDEX_KEY=_new_key())
    assert malformed.returncode != 0
    assert "base64" in malformed.stderr or "32 bytes" in malformed.stderr
    real = _production_start(TASKFORCE_FIELD_KEYS=f"k1:{_new_key()}", TASKFORCE_BLIND_INDEX_KEY=_new_key())
    assert real.returncode == 0, real.stderr


class _Editor:
    """What the migrations' RunPython functions use of a schema editor."""

    connection = connection


def test_migrations_encrypt_existing_plaintext_rows_and_index_them(world: World) -> None:
    case = _intake(world)
    identity = ClientIdentity.objects.get(client_id=case.client_id)
    suspect, _ = _suspect(world, _investigation(world))
    tf = case.task_force_id
    plain = {**PLANTED, "first_name": "Plainfirst", "date_of_birth": "1990-05-06"}
    with task_force_scope(tf), connection.cursor() as cursor:
        # The rows as they were before the migrations: plaintext in every column.
        assignments = ", ".join(f"{column} = %s" for column in plain)
        cursor.execute(
            f"UPDATE cases_clientidentity SET {assignments} WHERE id = %s", [*plain.values(), identity.pk]
        )
        cursor.execute(
            "UPDATE referrals_suspect SET full_name = 'Plain Suspect', aliases = '', date_of_birth = NULL,"
            " phones = '[\"7075550100\"]', plates = '[]', handles = '[]', name_key = 'plain suspect',"
            " phone_keys = '{}' WHERE id = %s",
            [suspect.pk],
        )
        cursor.execute("DELETE FROM cases_clientindexterm WHERE client_id = %s", [case.client_id])
    cases_migration = importlib.import_module("cases.migrations.0004_encrypt_identity")
    referrals_migration = importlib.import_module("referrals.migrations.0006_encrypt_identifiers")
    cases_migration.encrypt_existing(None, _Editor())
    referrals_migration.encrypt_existing(None, _Editor())
    world.use("alpha")  # the migrations visit each task force and leave none in scope

    dump = _every_row_as_text(tf)
    for text in ("Plainfirst", "Quillfeather", "555-0177", "1990-05-06", "Plain Suspect", "7075550100"):
        assert text.casefold() not in dump, text
    identity = ClientIdentity.objects.get(pk=identity.pk)
    assert (identity.first_name, identity.date_of_birth, identity.phone) == (
        "Plainfirst",
        dt.date(1990, 5, 6),
        "(925) 555-0177",
    )
    suspect = Suspect.objects.get(pk=suspect.pk)
    assert (suspect.full_name, suspect.phones, suspect.plates) == ("Plain Suspect", ["7075550100"], [])
    assert suspect.phone_keys == [suspect_index.digest(tf, "phone", "7075550100")]
    agency = world.agencies["alpha.vs"]
    assert set(
        identity_index.client_ids_matching(agency, "plainfirst").values_list("client_id", flat=True)
    ) == {case.client_id}
    actor = world.actor("alpha.case_manager")
    born = dt.date(1990, 5, 6)
    assert (
        case_services.intake_duplicates(
            actor=actor, first_name="Plainfirst", last_name="Quillfeather", date_of_birth=born
        )
        == 1
    )
