"""Connections between tips and investigations: records of one task force that share a phone,
an online handle, an ad URL, a plate, an address or a name.

Inside the law-enforcement compartment only. Each identifier of a tip or of a suspect is kept
as a keyed blind index (``IdentifierKey``: HMAC of the normalised value under the task force's
key, the same key as deconfliction's), written in the transaction that records or corrects the
tip or suspect. Nothing matches across task forces (another key, another scope), and the index
holds no value in clear.

Who sees connections: LE roles (investigators, prosecutors, LE supervisors). The coordinator,
who works tips, does not: connections reach into investigations and suspects, which are LE
records (access.md). A restricted investigation the asker is not on is never named: the match
says only which agency leads it, as deconfliction does.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from referrals import policies, suspect_index
from referrals.models import IdentifierKey, Investigation, Suspect, Tip
from taskforce import clock
from taskforce.access import Actor, NotFoundOrForbidden
from taskforce.crypto import normalise_phone, normalise_text
from taskforce.web import tf_url

Kind = IdentifierKey.Kind

# A tip's identifier fields and the kind of each.
TIP_IDENTIFIER_FIELDS: dict[str, str] = {
    "phones": Kind.PHONE,
    "handles": Kind.HANDLE,
    "urls": Kind.URL,
    "plates": Kind.PLATE,
    "addresses": Kind.ADDRESS,
    "names": Kind.NAME,
}
MAX_PER_FIELD = 20
MAX_LENGTH = {"phones": 40, "handles": 100, "urls": 300, "plates": 20, "addresses": 200, "names": 200}
# A common name may link to many records: the page shows the first ones and says there are more.
MAX_KEY_ROWS = 200
MAX_INBOX_KEY_ROWS = 5000
KIND_ORDER = {kind: rank for rank, kind in enumerate(Kind.values)}


# -------------------------------------------------------------------------------- normalising

# Words of an address written in more than one way; both sides of a match are reduced to one.
_ADDRESS_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "highway": "hwy",
    "parkway": "pkwy",
    "apartment": "apt",
    "suite": "ste",
    "unit": "apt",
    "number": "",
    "no": "",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


def normalize_phone(value: str) -> str:
    """The last ten digits; fewer than seven digits is not a phone number."""
    digits = normalise_phone(value)
    return digits if len(digits) >= 7 else ""


def normalize_handle(value: str) -> str:
    return suspect_index.normalize_handle(value)


def normalize_url(value: str) -> str:
    """Host and path, lowercase, without scheme, ``www.``, port, query, fragment or a trailing
    slash: the same ad posted as http or https, with tracking parameters, is the same ad."""
    text = value.strip().lower()
    if not text:
        return ""
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:  # a malformed address ("http://[x"), typed or searched for
        return ""
    if not host or "." not in host:
        return ""
    path = re.sub(r"/+", "/", parts.path).rstrip("/")
    return host + path


def normalize_plate(value: str) -> str:
    plate = suspect_index.normalize_plate(value)
    return plate if len(plate) >= 2 else ""


def normalize_address(value: str) -> str:
    """Words as ``normalise_text`` makes them (case, accents, punctuation), each street word in
    one spelling: '12 North Main Street, Apt. 4' == '12 N Main St Apt 4'."""
    words = (_ADDRESS_WORDS.get(word, word) for word in normalise_text(value.replace("#", " ")).split())
    return " ".join(word for word in words if word)


def normalize_name(value: str) -> str:
    return suspect_index.normalize_name(value)


NORMALIZERS = {
    Kind.PHONE: normalize_phone,
    Kind.HANDLE: normalize_handle,
    Kind.URL: normalize_url,
    Kind.PLATE: normalize_plate,
    Kind.ADDRESS: normalize_address,
    Kind.NAME: normalize_name,
}


def normalize(kind: str, value: str) -> str:
    """The comparable form of an identifier, or "" when the value cannot be one of its kind."""
    return NORMALIZERS[Kind(kind)](value)


def digest(task_force_id: uuid.UUID | str, kind: str, value: str) -> str:
    """The keyed blind index of a value ("" when it normalises to nothing)."""
    normalised = normalize(kind, value)
    return suspect_index.digest(task_force_id, kind, normalised) if normalised else ""


# ----------------------------------------------------------------------------------- indexing


def tidy_tip_identifiers(data: dict[str, Any]) -> dict[str, Any]:
    """The identifier lists of a tip's data as the tip keeps them: each value trimmed, blanks and
    repeats (the same identifier written twice) left out. ValidationError (a 400 at the edges)
    for a value that cannot be of its kind, too long a value, or too many."""
    tidied = dict(data)
    for name, kind in TIP_IDENTIFIER_FIELDS.items():
        values = data.get(name)
        if values is None:
            continue
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise ValidationError({name: "Give a list, one identifier an entry."})
        kept: list[str] = []
        seen: set[str] = set()
        for raw in values:
            value = " ".join(str(raw).split())
            if not value:
                continue
            if len(value) > MAX_LENGTH[name]:
                raise ValidationError({name: f"Each entry is at most {MAX_LENGTH[name]} characters."})
            normalised = normalize(kind, value)
            if not normalised:
                raise ValidationError({name: f"“{value}” is not a usable {Kind(kind).label.lower()}."})
            if normalised not in seen:
                seen.add(normalised)
                kept.append(value)
        if len(kept) > MAX_PER_FIELD:
            raise ValidationError({name: f"At most {MAX_PER_FIELD} entries."})
        tidied[name] = kept
    return tidied


def tip_digests(tip: Tip) -> dict[tuple[str, str], str]:
    """(kind, digest) -> the tip's own value, for every identifier of the tip."""
    found: dict[tuple[str, str], str] = {}
    for name, kind in TIP_IDENTIFIER_FIELDS.items():
        for value in getattr(tip, name) or []:
            if key := digest(tip.task_force_id, kind, value):
                found.setdefault((kind, key), value)
    return found


def index_tip(tip: Tip, *, fresh: bool = False) -> None:
    """Write the tip's blind indexes (call inside the transaction that saves the tip)."""
    if not fresh:
        IdentifierKey.objects.filter(task_force_id=tip.task_force_id, tip_id=tip.pk).delete()
    IdentifierKey.objects.bulk_create(
        IdentifierKey(task_force_id=tip.task_force_id, tip_id=tip.pk, kind=kind, digest=key)
        for kind, key in tip_digests(tip)
    )


def suspect_digests(suspect: Suspect) -> set[tuple[str, str]]:
    """The suspect's name (and each alias), phones, plates and handles as (kind, digest)."""
    values = [
        (Kind.NAME, suspect.full_name),
        *((Kind.NAME, alias) for alias in (suspect.aliases or "").split(",")),
        *((Kind.PHONE, phone) for phone in suspect.phones or []),
        *((Kind.PLATE, plate) for plate in suspect.plates or []),
        *((Kind.HANDLE, handle) for handle in suspect.handles or []),
    ]
    return {(kind, key) for kind, value in values if (key := digest(suspect.task_force_id, kind, value))}


def index_suspect(suspect: Suspect, *, fresh: bool = False) -> None:
    """Write the suspect's blind indexes (inside the transaction that saves the suspect)."""
    if not fresh:
        IdentifierKey.objects.filter(task_force_id=suspect.task_force_id, suspect_id=suspect.pk).delete()
    IdentifierKey.objects.bulk_create(
        IdentifierKey(
            task_force_id=suspect.task_force_id,
            suspect_id=suspect.pk,
            investigation_id=suspect.investigation_id,
            kind=kind,
            digest=key,
        )
        for kind, key in sorted(suspect_digests(suspect))
    )


# ------------------------------------------------------------------------------------ reading


def may_see_connections(actor: Actor) -> bool:
    """LE roles only; the coordinator works tips but not investigations' suspects."""
    return policies.is_le(actor)


@dataclass(frozen=True)
class Shared:
    kind: str
    label: str
    # The shared values as the asker's own tip holds them; empty when the other record is closed
    # to the asker (a restricted investigation).
    values: tuple[str, ...] = ()


@dataclass
class Connection:
    type: str  # "tip", "investigation" or "restricted_investigation"
    id: uuid.UUID | None
    title: str
    detail: str
    lead_agency: str
    url: str
    shares: list[Shared] = field(default_factory=list)


@dataclass
class Connections:
    connections: list[Connection]
    more: bool = False

    def __len__(self) -> int:
        return len(self.connections)


def _match(keys: Iterable[tuple[str, str]]) -> Q:
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, key in keys:
        by_kind[kind].add(key)
    # One (kind, digest IN ...) term per kind: each reads the (task_force, kind, digest) index.
    return reduce(or_, (Q(kind=kind, digest__in=sorted(keys)) for kind, keys in sorted(by_kind.items())))


def _candidates(actor: Actor, keys: Iterable[tuple[str, str]]) -> Any:
    """Index rows sharing one of ``keys``: tips the actor sees, and every suspect's (restricted
    investigations included, to be told as "contact the lead agency")."""
    return (
        IdentifierKey.objects.for_actor(actor)
        .filter(_match(keys))
        .filter(Q(suspect__isnull=False) | Q(tip_id__in=policies.visible_tips(actor).values("pk")))
    )


def connections_for_tip(actor: Actor, tip: Tip) -> Connections:
    """The tips and investigations that share an identifier with ``tip``, with what they share.
    One query, however many match. Who may: LE roles, on a tip they see (the caller got it from
    ``access_tip``); everyone else NotFoundOrForbidden. An investigation the actor may not open
    comes back as its lead agency only: neither its number nor its title leaves the query.
    Logged by the caller (the page's or endpoint's read)."""
    if not may_see_connections(actor) or tip.task_force_id != actor.task_force_id:
        raise NotFoundOrForbidden
    mine = tip_digests(tip)
    if not mine:
        return Connections([])
    opens = Exists(policies.visible_investigations(actor).filter(pk=OuterRef("investigation_id")))

    def if_open(column: str) -> Case:
        return Case(When(opens, then=F(column)), default=Value(""), output_field=CharField())

    rows = list(
        _candidates(actor, mine)
        .exclude(tip_id=tip.pk)
        .annotate(
            opens=opens,
            case_number=if_open("investigation__case_number"),
            inv_title=if_open("investigation__title"),
            inv_status=if_open("investigation__status"),
        )
        .values(
            "kind",
            "digest",
            "tip_id",
            "tip__received_at",
            "tip__status",
            "tip__city",
            "tip__urgency",
            "investigation_id",
            "investigation__lead_agency__name",
            "opens",
            "case_number",
            "inv_title",
            "inv_status",
        )
        .order_by("-tip__received_at", "case_number", "investigation__lead_agency__name", "kind")[
            : MAX_KEY_ROWS + 1
        ]
    )
    more = len(rows) > MAX_KEY_ROWS
    found: dict[tuple[str, Any], Connection] = {}
    shared: dict[tuple[str, Any], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows[:MAX_KEY_ROWS]:
        key, connection = _connection(actor, row)
        found.setdefault(key, connection)
        values = shared[key][row["kind"]]
        if connection.type != "restricted_investigation":
            values.add(mine[(row["kind"], row["digest"])])
    for key, connection in found.items():
        connection.shares = [
            Shared(kind=kind, label=Kind(kind).label, values=tuple(sorted(values)))
            for kind, values in sorted(shared[key].items(), key=lambda item: KIND_ORDER[item[0]])
        ]
    return Connections(list(found.values()), more=more)


def _connection(actor: Actor, row: dict[str, Any]) -> tuple[tuple[str, Any], Connection]:
    if row["tip_id"] is not None:
        tip = Tip(status=row["tip__status"], urgency=row["tip__urgency"], received_at=row["tip__received_at"])
        received = f"{timezone.localtime(row['tip__received_at'], clock.zone(actor.time_zone)):%Y-%m-%d}"
        return ("tip", row["tip_id"]), Connection(
            type="tip",
            id=row["tip_id"],
            title=f"Tip received {received}" + (f" · {row['tip__city']}" if row["tip__city"] else ""),
            detail=f"{tip.get_status_display()} · {tip.get_urgency_display()}",
            lead_agency="",
            url=tf_url(actor, "tip-detail", tip_id=row["tip_id"]),
        )
    agency = row["investigation__lead_agency__name"]
    if not row["opens"]:
        # Like deconfliction: only who to contact, one entry per lead agency.
        return ("restricted", agency), Connection(
            type="restricted_investigation",
            id=None,
            title=f"Matches a restricted investigation — contact {agency}",
            detail="",
            lead_agency=agency,
            url="",
        )
    status = Investigation.Status(row["inv_status"]).label if row["inv_status"] else ""
    return ("investigation", row["investigation_id"]), Connection(
        type="investigation",
        id=row["investigation_id"],
        title=f"{row['case_number']} · {row['inv_title']}",
        detail=status,
        lead_agency=agency,
        url=tf_url(actor, "investigation-detail", investigation_id=row["investigation_id"]),
    )


def tip_ids_matching(actor: Actor, text: str) -> Any:
    """Ids of tips naming ``text`` as an identifier of any kind, for the search box. LE roles
    only, like the rest of the index (the coordinator finds tips by their words and place)."""
    keys = {(kind, key) for kind in Kind.values if (key := digest(actor.task_force_id, kind, text))}
    if not keys or not may_see_connections(actor):
        return IdentifierKey.objects.none().values("tip_id")
    return IdentifierKey.objects.for_actor(actor).filter(_match(keys), tip__isnull=False).values("tip_id")


def connection_counts(actor: Actor, tip_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """For the inbox: how many tips and investigations each tip connects to. Two queries for a
    whole page; {} for anyone who may not see connections."""
    tip_ids = list(tip_ids)
    if not may_see_connections(actor) or not tip_ids:
        return {}
    keys = list(
        IdentifierKey.objects.for_actor(actor)
        .filter(tip_id__in=tip_ids)
        .values_list("tip_id", "kind", "digest")
    )
    if not keys:
        return {}
    owners: dict[tuple[str, str], set[tuple[str, Any]]] = defaultdict(set)
    rows = (
        _candidates(actor, {(kind, key) for _, kind, key in keys})
        .values_list("kind", "digest", "tip_id", "investigation_id")
        .distinct()
        .order_by()[:MAX_INBOX_KEY_ROWS]
    )
    for kind, key, other_tip, investigation in rows:
        owners[(kind, key)].add(("tip", other_tip) if other_tip else ("investigation", investigation))
    linked: dict[uuid.UUID, set[tuple[str, Any]]] = defaultdict(set)
    for tip_id, kind, key in keys:
        linked[tip_id] |= owners[(kind, key)] - {("tip", tip_id)}
    return {tip_id: len(others) for tip_id, others in linked.items() if others}
