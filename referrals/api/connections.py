"""Tips' identifiers in the API (fields added to the tip's input and output) and
``GET tips/<id>/connections/``: the tips and investigations sharing an identifier with a tip.

Connections are for LE roles only; everyone else gets 404, as for any collection their role
may never see (the coordinator too, who works tips but not investigations' suspects). A
restricted investigation the caller is not on comes back as its lead agency only. Audited as
``tip.connections_viewed`` (the tip and a count)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from referrals import connections, policies
from taskforce.access import NotFoundOrForbidden
from taskforce.api import TenantAPIView
from taskforce.audit import audit_record


def _list_in(max_length: int, help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length),
        required=False,
        max_length=connections.MAX_PER_FIELD,
        help_text=help_text,
    )


def _list_out() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), read_only=True)


class TipIdentifiersIn(serializers.Serializer):
    """What a tip names. Sending a list replaces the tip's list (``[]`` empties it)."""

    phones = _list_in(40, "Phone numbers as given.")
    handles = _list_in(100, "Online handles, with or without @.")
    urls = _list_in(300, "Addresses of ads or profiles.")
    plates = _list_in(20, "Vehicle plates.")
    addresses = _list_in(200, "Street addresses.")
    names = _list_in(200, "Names or nicknames of the people the tip is about.")


class TipIdentifiersOut(serializers.Serializer):
    phones = _list_out()
    handles = _list_out()
    urls = _list_out()
    plates = _list_out()
    addresses = _list_out()
    names = _list_out()


class SharedOut(serializers.Serializer):
    kind = serializers.CharField(help_text="phone, handle, url, plate, address or name.")
    label = serializers.CharField()
    values = serializers.ListField(
        child=serializers.CharField(),
        help_text="The shared values as this tip holds them; empty for a restricted investigation.",
    )


class ConnectionOut(serializers.Serializer):
    type = serializers.CharField(help_text="tip, investigation or restricted_investigation.")
    id = serializers.UUIDField(allow_null=True, help_text="Null for a restricted investigation.")
    title = serializers.CharField()
    detail = serializers.CharField()
    lead_agency = serializers.CharField(help_text="Investigations: the agency to contact.")
    url = serializers.CharField(help_text="The record's page; empty for a restricted investigation.")
    shares = SharedOut(many=True)


class ConnectionsOut(serializers.Serializer):
    results = ConnectionOut(many=True)
    next = serializers.CharField(allow_null=True, help_text="Always null: the list is bounded.")
    more = serializers.BooleanField(help_text="More records share a very common identifier.")


class TipConnectionsView(TenantAPIView):
    @extend_schema(
        summary="Tips and investigations connected to a tip",
        description=(
            "Records of the task force sharing a phone, handle, ad URL, plate, address or name "
            "with the tip, and what they share. LE roles only (404 for everyone else). A "
            "restricted investigation the caller is not on shows only its lead agency. Audited "
            "as tip.connections_viewed."
        ),
        responses=ConnectionsOut,
    )
    def get(self, request: Request, *args: Any, tip_id: Any, **kwargs: Any) -> Response:
        actor = request.actor
        if not connections.may_see_connections(actor):
            raise NotFoundOrForbidden
        tip = policies.access_tip(actor, tip_id)
        found = connections.connections_for_tip(actor, tip)
        audit_record(action="tip.connections_viewed", actor=actor, target=tip, detail={"count": len(found)})
        return Response(ConnectionsOut({"results": found.connections, "next": None, "more": found.more}).data)
