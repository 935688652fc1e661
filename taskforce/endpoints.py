"""Core API endpoints: token, me, agencies, memberships, audit events."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from taskforce.access import NotFoundOrForbidden, Role
from taskforce.api import ScopedViewSet
from taskforce.audit import audit_record
from taskforce.models import User
from taskforce.pagination import SafeCursorPagination
from taskforce.policies import visible_agencies, visible_audit_events, visible_memberships
from taskforce.serializers import (
    AgencyOut,
    AuditEventOut,
    MembershipOut,
    MeOut,
    TokenIn,
    TokenOut,
)
from taskforce.tenancy import user_memberships
from taskforce.throttles import AuthAccountThrottle
from taskforce.tokens import token_issue

INVALID_CREDENTIALS = {"non_field_errors": ["Unable to sign in with the given credentials."]}


class TokenView(APIView):
    authentication_classes: ClassVar = []
    permission_classes: ClassVar = [permissions.AllowAny]
    throttle_classes: ClassVar = [ScopedRateThrottle, AuthAccountThrottle]
    throttle_scope = "auth"
    throttle_account_scope = "auth_account"

    @extend_schema(request=TokenIn, responses={200: TokenOut}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"].lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            # Failed attempts are audited by the user_login_failed signal; one answer for all.
            return Response(INVALID_CREDENTIALS, status=status.HTTP_400_BAD_REQUEST)
        token = token_issue(user=user)
        audit_record(action="auth.token_issued", user_id=user.pk)
        return Response({"token": token})


class MeView(APIView):
    @extend_schema(responses={200: MeOut})
    def get(self, request: Request) -> Response:
        user: User = request.user
        memberships = user_memberships(user)
        return Response(
            MeOut({"username": user.email, "full_name": user.full_name, "memberships": memberships}).data
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
