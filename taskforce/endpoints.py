"""Core API endpoints: me, agencies, memberships, audit events (the token: signin.api)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from signin.mfa import status as mfa_status
from taskforce import search
from taskforce.access import NotFoundOrForbidden, Role
from taskforce.api import ScopedViewSet, TenantAPIView
from taskforce.audit import audit_record
from taskforce.models import User
from taskforce.pagination import SafeCursorPagination
from taskforce.policies import visible_agencies, visible_audit_events, visible_memberships
from taskforce.serializers import (
    AgencyOut,
    AuditEventOut,
    MembershipOut,
    MeOut,
)
from taskforce.tenancy import user_memberships


class MeView(APIView):
    @extend_schema(responses={200: MeOut})
    def get(self, request: Request) -> Response:
        user: User = request.user
        memberships = user_memberships(user)
        return Response(
            MeOut(
                {
                    "username": user.email,
                    "full_name": user.full_name,
                    "memberships": memberships,
                    "mfa": mfa_status(user),
                }
            ).data
        )


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The task force's agencies. Every member may list them."""

    visible = staticmethod(visible_agencies)
    serializer_class = AgencyOut


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The task force's members. Every member may list them."""

    visible = staticmethod(visible_memberships)
    serializer_class = MembershipOut


class AuditPagination(SafeCursorPagination):
    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data: list) -> Response:
        return Response({"results": data, "next": self.get_next_link(), "previous": self.get_previous_link()})


class AuditEventViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Audit metadata (who, when, what action on which record id): tenant admins only."""

    visible = staticmethod(visible_audit_events)
    serializer_class = AuditEventOut
    pagination_class = AuditPagination

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        if request.actor.role != Role.TENANT_ADMIN:
            raise NotFoundOrForbidden
        # Reading the audit log is itself written down (who looked, not what they saw).
        audit_record(action="audit.read", actor=request.actor, target_type="taskforce.auditevent")
        return super().list(request, *args, **kwargs)


class SearchHitOut(serializers.Serializer):
    type = serializers.CharField(help_text="case, tip, investigation, prosecution, referral, mdt_review")
    id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page in the web application.")


class SearchOut(serializers.Serializer):
    results = SearchHitOut(many=True)


class SearchView(TenantAPIView):
    """One search over every record type the caller may see, through each type's own policy."""

    @extend_schema(
        summary="Search what you may see",
        description=(
            "Cases (own agency only) by a whole first name, last name, alias or a phone number; "
            "tips by their words and place; investigations by number, title and suspect "
            "identifiers; prosecutions by docket and defendant; referrals; MDT review codes. At most "
            f"{search.PER_TYPE} results a type. `q` missing or shorter than {search.MIN_LENGTH} "
            "characters: 400. Audited as search.performed (counts, never the terms)."
        ),
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={200: SearchOut, 400: OpenApiResponse(description="No or too short a text.")},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        try:
            query = search.Query.parse(request.query_params.get("q"))
        except search.BadQuery as error:
            return Response({"q": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        groups = search.search(request.actor, query)
        results = [
            {"type": hit.type, "id": hit.id, "title": hit.title, "url": hit.url}
            for group in groups
            for hit in group.hits
        ]
        return Response({"results": results})
