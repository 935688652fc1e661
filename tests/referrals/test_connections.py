"""Connections between tips (issue 12, item 10): tips and investigations sharing a phone, an
online handle or ad URL, a plate, an address or a name are linked, inside the law-enforcement
compartment only, through keyed blind indexes written with the tip or suspect. A restricted
investigation the asker is not on says only which agency to contact."""

from __future__ import annotations

import importlib
import io
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from referrals import connections, services
from referrals.connections import Kind, connections_for_tip, normalize
from referrals.models import IdentifierKey, Investigation, Tip
from taskforce.access import NotFoundOrForbidden
from tests.world import World, audit_events_since, everywhere, last_audit_seq

pytestmark = pytest.mark.django_db


def tip(world: World, key: str = "alpha.investigator", **identifiers: Any) -> Tip:
    return services.tip_create(
        actor=world.actor(key), data={"source": "hotline", "narrative": "Seen at a motel", **identifiers}
    )


def investigation(world: World, key: str, **data: Any) -> Investigation:
    return services.investigation_create(actor=world.actor(key), data={"title": "Operation Lark", **data})


def suspect(world: World, key: str, inv: Investigation, **data: Any) -> None:
    services.suspect_add(actor=world.actor(key), investigation=inv, data={"full_name": "Unknown", **data})


def shared(found: connections.Connections) -> dict[Any, dict[str, tuple[str, ...]]]:
    return {c.id or c.lead_agency: {s.kind: s.values for s in c.shares} for c in found.connections}


# ------------------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        (Kind.PHONE, "+1 (925) 555-0101", "925.555.0101"),
        (Kind.HANDLE, "@Sunny_Days", "sunny_days"),
        (Kind.URL, "https://www.Ads.example.com/listing/123/?ref=x#top", "ads.example.com/listing/123"),
        (Kind.PLATE, "7abc-123", "7ABC123"),
        (Kind.ADDRESS, "12 North Main Street, Apt. #4", "12 n main st apt 4"),
        (Kind.NAME, "José  O'Neil", "jose oneil"),
    ],
)
def test_each_kind_normalises_what_people_type_alike(kind: str, a: str, b: str) -> None:
    assert normalize(kind, a) == normalize(kind, b) != ""


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        (Kind.PHONE, "925 555 0101", "925 555 0102"),
        (Kind.URL, "ads.example.com/listing/123", "ads.example.com/listing/124"),
        (Kind.ADDRESS, "12 Main St", "14 Main St"),
    ],
)
def test_different_identifiers_stay_different(kind: str, a: str, b: str) -> None:
    assert normalize(kind, a) != normalize(kind, b)


@pytest.mark.parametrize(
    ("kind", "value"),
    [(Kind.PHONE, "12-34"), (Kind.URL, "not a url"), (Kind.URL, "http://[::1"), (Kind.PLATE, "-")],
)
def test_a_value_that_cannot_be_of_its_kind_is_refused(world: World, kind: str, value: str) -> None:
    field = {v: k for k, v in connections.TIP_IDENTIFIER_FIELDS.items()}[kind]
    with pytest.raises(ValidationError) as raised:
        tip(world, **{field: [value]})
    assert field in raised.value.message_dict


# ---------------------------------------------------------------------------------- indexing


def test_the_index_holds_keyed_digests_never_the_values(world: World) -> None:
    t = tip(world, phones=["(925) 555-0101"], names=["Marco Polo"], urls=["ads.example.com/x/9"])
    rows = list(IdentifierKey.objects.filter(tip=t).values_list("kind", "digest"))
    assert sorted(kind for kind, _ in rows) == ["name", "phone", "url"]
    for _, digest in rows:
        assert len(digest) == 64
        assert "5550101" not in digest
    # The tip's own columns are ciphertext at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT phones, names FROM referrals_tip WHERE id = %s", [t.pk])
        phones, names = cursor.fetchone()
    assert phones.startswith("v1:")
    assert "555" not in phones
    assert "Marco" not in names
    # Another task force's key makes another digest of the same value.
    beta_digest = connections.digest(world.task_forces["beta"].pk, Kind.PHONE, "9255550101")
    assert beta_digest not in {d for _, d in rows}


def test_tips_sharing_an_identifier_are_linked_on_create(world: World) -> None:
    first = tip(world, phones=["+1 (925) 555-0101"], handles=["@Sunny_Days"])
    second = tip(world, phones=["925.555.0101"])
    third = tip(world, handles=["sunny_days"], plates=["7ABC123"])
    tip(world, phones=["925 555 0199"])  # no connection
    found = connections_for_tip(world.actor("alpha.investigator"), first)
    assert shared(found) == {
        second.pk: {"phone": ("+1 (925) 555-0101",)},
        third.pk: {"handle": ("@Sunny_Days",)},
    }
    back = connections_for_tip(world.actor("alpha.investigator"), third)
    assert shared(back) == {first.pk: {"handle": ("sunny_days",)}}


def test_linking_follows_an_edit(world: World) -> None:
    first = tip(world, addresses=["12 North Main Street"])
    second = tip(world)
    actor = world.actor("alpha.investigator")
    assert connections_for_tip(actor, first).connections == []
    services.tip_update(actor=actor, tip=second, data={"addresses": ["12 N Main St"]})
    assert shared(connections_for_tip(actor, first)) == {second.pk: {"address": ("12 North Main Street",)}}
    services.tip_update(actor=actor, tip=second, data={"addresses": []})
    assert connections_for_tip(actor, first).connections == []
    assert not IdentifierKey.objects.filter(tip=second).exists()


def test_suspects_link_tips_to_investigations(world: World) -> None:
    inv = investigation(world, "alpha.investigator")
    suspect(
        world, "alpha.investigator", inv, full_name="Marco Polo", phones=["925-555-0101"], plates=["7abc123"]
    )
    t = tip(world, names=["marco  polo"], plates=["7ABC-123"], phones=["(925) 555 0101"])
    found = connections_for_tip(world.actor("alpha.investigator"), t)
    [item] = found.connections
    assert item.type == "investigation"
    assert item.id == inv.pk
    assert inv.case_number in item.title
    assert item.lead_agency == "District Attorney"
    assert {s.kind for s in item.shares} == {"name", "phone", "plate"}


def test_a_restricted_investigation_says_only_whom_to_contact(world: World) -> None:
    secret = investigation(world, "alpha.detective", restricted=True, title="Operation Heron")
    suspect(world, "alpha.detective", secret, full_name="Hidden Person", phones=["925-555-0177"])
    t = tip(world, phones=["9255550177"])
    found = connections_for_tip(world.actor("alpha.investigator"), t)
    [item] = found.connections
    assert item.type == "restricted_investigation"
    assert item.id is None
    assert item.url == ""
    assert item.title == "Matches a restricted investigation — contact City Police"
    assert [(s.kind, s.values) for s in item.shares] == [("phone", ())]
    assert "Heron" not in repr(found)
    assert secret.case_number not in repr(found)
    # Its team and the LE supervisors see it named.
    for key in ("alpha.detective", "alpha.le_supervisor"):
        [named] = connections_for_tip(world.actor(key), t).connections
        assert named.type == "investigation"
        assert named.id == secret.pk
        assert "Heron" in named.title


def test_nothing_connects_across_task_forces(world: World) -> None:
    alpha_tip = tip(world, phones=["925-555-0101"], names=["Marco Polo"])
    beta_tip = tip(world, "beta.investigator", phones=["925-555-0101"], names=["Marco Polo"])
    assert connections_for_tip(world.actor("beta.investigator"), beta_tip).connections == []
    assert connections_for_tip(world.actor("alpha.investigator"), alpha_tip).connections == []
    with pytest.raises(NotFoundOrForbidden):
        connections_for_tip(world.actor("beta.investigator"), alpha_tip)


@pytest.mark.parametrize(
    "key", ["alpha.coordinator", "alpha.case_manager", "alpha.vs_supervisor", "alpha.analyst"]
)
def test_outside_law_enforcement_there_are_no_connections(world: World, key: str) -> None:
    t = tip(world, phones=["925-555-0101"])
    tip(world, phones=["925-555-0101"])
    with pytest.raises(NotFoundOrForbidden):
        connections_for_tip(world.actor(key), t)
    assert connections.connection_counts(world.actor(key), [t.pk]) == {}


def test_one_query_however_many_match(world: World, django_assert_max_num_queries: Any) -> None:
    t = tip(world, phones=["925-555-0101"], handles=["sunny"], names=["Marco Polo"])
    tip(world, phones=["925-555-0101"])
    actor = world.actor("alpha.investigator")
    t = Tip.objects.get(pk=t.pk)
    with django_assert_max_num_queries(1):
        assert len(connections_for_tip(actor, t)) == 1
    for n in range(6):
        tip(world, phones=["925-555-0101"], handles=["sunny"])
        inv = investigation(world, "alpha.detective", restricted=n % 2 == 0, title=f"Op {n}")
        suspect(world, "alpha.detective", inv, full_name="Marco Polo", handles=["@sunny"])
    actor = world.actor("alpha.investigator")
    t = Tip.objects.get(pk=t.pk)
    with django_assert_max_num_queries(1):
        found = connections_for_tip(actor, t)
    # 7 tips, 3 open investigations, and the restricted ones as one "contact City Police".
    assert sorted(c.type for c in found.connections).count("tip") == 7
    assert sorted(c.type for c in found.connections).count("investigation") == 3
    assert [c.lead_agency for c in found.connections if c.type == "restricted_investigation"] == [
        "City Police"
    ]


# ------------------------------------------------------------------------------------- HTML


def _tip_url(t: Tip, name: str = "tip-detail") -> str:
    return reverse(name, kwargs={"task_force": "alpha", "tip_id": t.pk})


def test_the_tip_page_shows_connections_to_law_enforcement(world: World) -> None:
    first = tip(world, phones=["925-555-0101"])
    second = tip(world, phones=["925 555 0101"])
    secret = investigation(world, "alpha.detective", restricted=True, title="Operation Heron")
    suspect(world, "alpha.detective", secret, full_name="Hidden Person", phones=["925-555-0101"])
    page = world.client("alpha.investigator").get(_tip_url(first))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Connected tips and investigations" in html
    assert _tip_url(second) in html
    assert "phone number (925-555-0101)" in html
    assert "Matches a restricted investigation — contact City Police" in html
    assert "Heron" not in html
    assert secret.case_number not in html


def test_the_coordinator_sees_the_identifiers_but_no_connections(world: World) -> None:
    first = tip(world, "alpha.coordinator", phones=["925-555-0101"])
    tip(world, phones=["925 555 0101"])
    html = world.client("alpha.coordinator").get(_tip_url(first)).content.decode()
    assert "925-555-0101" in html
    assert "Connected tips and investigations" not in html
    assert "h-connections" not in html


@pytest.mark.parametrize("key", ["alpha.case_manager", "alpha.analyst", "beta.investigator"])
def test_the_tip_page_is_not_there_for_others(world: World, key: str) -> None:
    first = tip(world, phones=["925-555-0101"], names=["Marco Polo"])
    response = world.client(key).get(_tip_url(first))
    assert response.status_code == 404
    assert b"Marco" not in response.content


def test_the_inbox_counts_connections(world: World, django_assert_max_num_queries: Any) -> None:
    first = tip(world, phones=["925-555-0101"])
    tip(world, phones=["925 555 0101"], names=["Marco Polo"])
    tip(world, names=["marco polo"])
    client = world.client("alpha.investigator")
    url = reverse("tip-list", kwargs={"task_force": "alpha"})
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        html = client.get(url).content.decode()
    assert html.count(" connected<") == 3
    assert f"{_tip_url(first)}#h-connections" in html
    for _ in range(10):
        tip(world, phones=["925-555-0101"], names=["Marco Polo"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
    assert " connected<" not in world.client("alpha.coordinator").get(url).content.decode()


def test_identifiers_are_corrected_on_their_own_page(world: World) -> None:
    first = tip(world, plates=["7ABC123"])
    second = tip(world)
    client = world.client("alpha.investigator")
    url = _tip_url(second, "tip-identifiers")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"phones": "12"})
    assert bad.status_code == 400
    assert "not a usable phone number" in bad.content.decode()
    response = client.post(url, {"plates": "7abc-123\n", "names": "Marco Polo, Jr."})
    assert response.status_code == 302
    world.actor("alpha.investigator")
    assert Tip.objects.get(pk=second.pk).names == ["Marco Polo, Jr."]
    assert shared(connections_for_tip(world.actor("alpha.investigator"), first)) == {
        second.pk: {"plate": ("7ABC123",)}
    }
    assert world.client("alpha.case_manager").get(url).status_code == 404


def test_the_tip_form_takes_identifiers(world: World) -> None:
    client = world.client("alpha.coordinator")
    response = client.post(
        reverse("tip-create", kwargs={"task_force": "alpha"}),
        {
            "received_at": "2026-01-05 10:00",
            "channel": "phone",
            "source": "hotline",
            "trafficking_type": "unknown",
            "venue_type": "unknown",
            "narrative": "Ad posted twice",
            "potential_victims": "0",
            "urgency": "normal",
            "urls": "https://ads.example.com/a/1\nhttp://www.ads.example.com/a/1/",
        },
    )
    assert response.status_code == 302
    world.use("alpha")
    t = Tip.objects.get(narrative="Ad posted twice")
    assert t.urls == ["https://ads.example.com/a/1"]  # the same ad once
    assert IdentifierKey.objects.filter(tip=t, kind="url").count() == 1


# -------------------------------------------------------------------------------------- API


def _api_url(t: Tip, slug: str = "alpha") -> str:
    return reverse("api:tip-connections", kwargs={"task_force": slug, "tip_id": t.pk})


def test_the_api_lists_connections_and_audits_the_read(world: World) -> None:
    api = world.api("alpha.investigator")
    created = api.post(
        reverse("api:tip-list", kwargs={"task_force": "alpha"}),
        {"narrative": "x", "source": "hotline", "handles": ["@Sunny"], "phones": ["925-555-0101"]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["handles"] == ["@Sunny"]
    other = tip(world, handles=["sunny"])
    secret = investigation(world, "alpha.detective", restricted=True, title="Operation Heron")
    suspect(world, "alpha.detective", secret, phones=["9255550101"])
    first = Tip.objects.get(pk=created.json()["id"])
    seq = last_audit_seq()
    response = api.get(_api_url(first))
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["more"] is False
    by_type = {row["type"]: row for row in body["results"]}
    assert by_type["tip"]["id"] == str(other.pk)
    assert by_type["tip"]["shares"] == [{"kind": "handle", "label": "Online handle", "values": ["@Sunny"]}]
    restricted = by_type["restricted_investigation"]
    assert restricted["id"] is None
    assert restricted["lead_agency"] == "City Police"
    assert "Heron" not in response.content.decode()
    [event] = [e for e in audit_events_since(seq) if e.action == "tip.connections_viewed"]
    assert event.detail == {"count": 2}


def test_the_api_patch_relinks(world: World) -> None:
    first = tip(world, names=["Marco Polo"])
    second = tip(world)
    api = world.api("alpha.investigator")
    url = reverse("api:tip-detail", kwargs={"task_force": "alpha", "pk": second.pk})
    assert api.patch(url, {"names": ["MARCO POLO"]}, format="json").status_code == 200
    assert [r["id"] for r in api.get(_api_url(first)).json()["results"]] == [str(second.pk)]
    assert api.patch(url, {"phones": ["1"]}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("alpha.coordinator", "alpha"),
        ("alpha.case_manager", "alpha"),
        ("alpha.vs_supervisor", "alpha"),
        ("alpha.analyst", "alpha"),
        ("alpha.tenant_admin", "alpha"),
        ("beta.investigator", "beta"),
        ("beta.investigator", "alpha"),
    ],
)
def test_the_api_answers_404_outside_law_enforcement(world: World, key: str, slug: str) -> None:
    first = tip(world, phones=["925-555-0101"])
    tip(world, phones=["925-555-0101"])
    response = world.api(key).get(_api_url(first, slug))
    assert response.status_code == 404
    assert b"925" not in response.content


# --------------------------------------------------------------------------------- backfill


def _keys() -> set[tuple[Any, Any, str, str]]:
    return set(IdentifierKey.objects.values_list("tip_id", "suspect_id", "kind", "digest"))


def test_the_migration_indexes_suspects_recorded_before_it(world: World) -> None:
    inv = investigation(world, "alpha.investigator")
    suspect(
        world, "alpha.investigator", inv, full_name="Marco Polo", aliases="Polo, M.", phones=["9255550101"]
    )
    suspect(world, "beta.investigator", investigation(world, "beta.investigator"), plates=["7ABC123"])
    before = everywhere(_keys)
    for _ in world.each_task_force():
        IdentifierKey.objects.all().delete()
    migration = importlib.import_module("referrals.migrations.0011_tip_connections")
    with connection.schema_editor() as editor:
        migration.index_existing_suspects(django_apps, editor)
    after = everywhere(_keys)
    assert after == before
    assert {kind for _, _, kind, _ in after[0]} == {"name", "phone"}  # alpha: name, 2 aliases, phone
    assert len(after[0]) == 4
    assert len(after[1]) == 2  # beta: the name "Unknown" and the plate


def test_the_rebuild_command_repairs_the_index(world: World) -> None:
    t = tip(world, handles=["@sunny"], urls=["ads.example.com/a/1"])
    inv = investigation(world, "alpha.investigator")
    suspect(world, "alpha.investigator", inv, handles=["sunny"])
    before = everywhere(_keys)
    world.use("alpha")
    IdentifierKey.objects.filter(tip=t).delete()
    call_command("rebuild_connection_index", stdout=io.StringIO())
    assert everywhere(_keys) == before
    assert len(connections_for_tip(world.actor("alpha.investigator"), t)) == 1


def test_the_search_box_finds_a_tip_by_an_identifier(world: World) -> None:
    t = tip(world, phones=["(925) 555-0101"], urls=["https://ads.example.com/a/77?ref=1"])
    tip(world, phones=["925 555 0199"])
    for q in ("925.555.0101", "ads.example.com/a/77"):
        response = world.api("alpha.investigator").get("/api/v1/tf/alpha/search/", {"q": q})
        assert response.status_code == 200
        assert [hit["id"] for hit in response.json()["results"] if hit["type"] == "tip"] == [str(t.pk)]
    malformed = world.api("alpha.investigator").get("/api/v1/tf/alpha/search/", {"q": "http://[x"})
    assert malformed.status_code == 200
    beta = world.api("beta.investigator").get("/api/v1/tf/beta/search/", {"q": "925.555.0101"})
    assert [hit for hit in beta.json()["results"] if hit["type"] == "tip"] == []


def test_rebuilding_the_blind_indexes_rebuilds_the_connections_too(world: World) -> None:
    """One command after a key change: rebuild_blind_indexes ends with the connections index."""
    t = tip(world, phones=["9255550199"])
    before = everywhere(_keys)
    world.use("alpha")
    IdentifierKey.objects.filter(tip=t).delete()
    call_command("rebuild_blind_indexes", stdout=io.StringIO())
    assert everywhere(_keys) == before
