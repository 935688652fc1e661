"""Sign-in API: the token endpoint with lockout and second factor, MFA enrolment under me/mfa/,
the person's own sessions under me/sessions/, and the task force's members for its admins."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from signin import mfa
from signin.accounts import may_manage_account
from signin.audit import audit_member_event
from signin.lockout import record_failure, unlock
from signin.models import SignInFailure
from signin.sessions import active_sign_ins, end_all_sessions, end_sign_in
from taskforce.access import Actor, Role
from taskforce.api import ScopedViewSet
from taskforce.models import ApiToken, Membership
from taskforce.policies import visible_memberships
from taskforce.serializers import AgencyBrief, TokenIn
from taskforce.throttles import AuthAccountThrottle
from taskforce.tokens import token_issue

SHARED_ACCOUNT = (
    "This account is shared with another task force or the platform: the platform admin acts on it."
)

INVALID_CREDENTIALS = {"non_field_errors": ["Unable to sign in with the given credentials."]}


class TokenOut(serializers.Serializer):
    token = serializers.CharField()
    mfa_enrolment_required = serializers.BooleanField(required=False)


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
        # A locked account fails here like a wrong password (signin.backends).
        user = authenticate(
            request._request,
            username=data.validated_data["username"].lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            return Response(INVALID_CREDENTIALS, status=status.HTTP_400_BAD_REQUEST)
        if mfa.is_enrolled(user):
            if mfa.verify_second_factor(user, data.validated_data.get("otp", "")) is None:
                audit_member_event(
                    action="auth.login_failed", user_id=user.pk, outcome="failure", detail={"factor": "otp"}
                )
                record_failure(user_id=user.pk, channel=SignInFailure.Channel.TOKEN)
                return Response(INVALID_CREDENTIALS, status=status.HTTP_400_BAD_REQUEST)
        elif settings.TASKFORCE_REQUIRE_MFA:
            token = token_issue(user=user, mfa_pending=True)
            audit_member_event(action="auth.token_issued", user_id=user.pk, detail={"mfa_pending": True})
            return Response({"token": token, "mfa_enrolment_required": True})
        token = token_issue(user=user)
        audit_member_event(action="auth.token_issued", user_id=user.pk)
        return Response({"token": token})


class TotpOut(serializers.Serializer):
    secret = serializers.CharField()
    otpauth_uri = serializers.CharField()


class OtpIn(serializers.Serializer):
    otp = serializers.CharField(max_length=16, trim_whitespace=True)


class RecoveryCodesOut(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField())


class MfaTotpView(APIView):
    """Start enrolment: a new authenticator-app secret (unconfirmed until a code confirms it)."""

    @extend_schema(request=None, responses={201: TotpOut})
    def post(self, request: Request) -> Response:
        if mfa.is_enrolled(request.user):
            return Response(
                {"detail": "An authenticator app is already set up; an admin can reset it."},
                status=status.HTTP_409_CONFLICT,
            )
        device = mfa.start_totp(request.user)
        return Response(
            {"secret": mfa.secret_of(device), "otpauth_uri": device.config_url},
            status=status.HTTP_201_CREATED,
        )


class MfaTotpConfirmView(APIView):
    """Finish enrolment with a code from the app: answers the ten recovery codes, once."""

    @extend_schema(request=OtpIn, responses={200: RecoveryCodesOut})
    def post(self, request: Request) -> Response:
        data = OtpIn(data=request.data)
        data.is_valid(raise_exception=True)
        device = mfa.pending_totp(request.user)
        if device is None:
            return Response({"detail": "Start with POST me/mfa/totp/."}, status=status.HTTP_409_CONFLICT)
        codes = mfa.confirm_totp(request.user, device, data.validated_data["otp"])
        if codes is None:
            return Response({"otp": ["That code is not valid."]}, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(request.auth, ApiToken) and request.auth.mfa_pending:
            # Password and a fresh code from the new device: the token is now a full one.
            ApiToken.objects.filter(pk=request.auth.pk).update(mfa_pending=False)
        if request.auth is None:  # a browser session: its second factor is now given
            from signin.middleware import MFA_OK_KEY

            # A new session key with the new privilege, as the HTML path does: a key planted or
            # seen before the second factor must not carry it.
            request.session.cycle_key()
            request.session[MFA_OK_KEY] = True
        return Response({"recovery_codes": codes})


class SignInOut(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="`browser` (a signed-in browser) or `token` (an API token).")
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    source_ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    current = serializers.BooleanField()


def _current_ids(request: Request) -> dict[str, object]:
    from signin.middleware import SESSION_ID_KEY

    token = request.auth if isinstance(request.auth, ApiToken) else None
    session = getattr(request._request, "session", None)
    return {
        "current_session_id": session.get(SESSION_ID_KEY) if session is not None and token is None else None,
        "current_token_id": token.pk if token else None,
    }


class MySessionsView(APIView):
    """The caller's active sign-ins: browser sessions and API tokens."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "SignInPage",
                {"results": SignInOut(many=True), "next": serializers.CharField(allow_null=True)},
            )
        }
    )
    def get(self, request: Request) -> Response:
        rows = active_sign_ins(request.user, **_current_ids(request))
        return Response({"results": SignInOut(rows, many=True).data, "next": None})


class MySessionEndView(APIView):
    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, sign_in_id: object) -> Response:
        if not end_sign_in(request.user, sign_in_id):
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        audit_member_event(action="auth.session_ended", user_id=request.user.pk)
        return Response({"ended": 1})


class SignOutEverywhereView(APIView):
    """Ends every session and token of the caller, this one included."""

    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request) -> Response:
        end_all_sessions(request.user)
        audit_member_event(action="auth.signed_out_everywhere", user_id=request.user.pk)
        return Response({"signed_out": True})


class MemberOut(serializers.ModelSerializer):
    username = serializers.EmailField(source="user.email", read_only=True)
    agency = AgencyBrief(read_only=True)
    locked = serializers.SerializerMethodField()
    mfa_enrolled = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ("id", "username", "role", "agency", "locked", "mfa_enrolled", "is_active")

    def get_locked(self, membership: Membership) -> bool:
        return membership.user.locked_at is not None

    def get_mfa_enrolled(self, membership: Membership) -> bool:
        annotated = getattr(membership, "has_confirmed_totp", None)
        return mfa.is_enrolled(membership.user) if annotated is None else annotated


def visible_members(actor: Actor) -> QuerySet[Membership]:
    """The memberships policy, with what the members list shows read in the same query (one
    query whatever the page size, not one per member for the second factor)."""
    confirmed = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return (
        visible_memberships(actor)
        .select_related("user", "agency")
        .annotate(has_confirmed_totp=Exists(confirmed))
    )


class MemberViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The task force's members with their sign-in state: tenant admins only."""

    visible = staticmethod(visible_members)
    serializer_class = MemberOut

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        if request.actor.role != Role.TENANT_ADMIN:
            raise PermissionDenied

    @extend_schema(request=None, responses={200: MemberOut})
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, *args: object, **kwargs: object) -> Response:
        membership = self.get_object()
        if not may_manage_account(request.actor, membership.user):
            raise PermissionDenied(
                "This account belongs to more than this task force: the platform admin unlocks it."
            )
        unlock(user=membership.user, by_user_id=request.user.pk)
        return Response(MemberOut(membership).data)

    @extend_schema(request=None, responses={200: MemberOut})
    @action(detail=True, methods=["post"], url_path="reset-mfa")
    def reset_mfa(self, request: Request, *args: object, **kwargs: object) -> Response:
        membership = self.get_object()
        if membership.user_id == request.user.pk:
            raise ValidationError("Another administrator must reset your own second factor.")
        if not may_manage_account(request.actor, membership.user):
            raise PermissionDenied(
                "This account belongs to more than this task force: the platform admin resets it."
            )
        mfa.reset_mfa(user=membership.user, by_user_id=request.user.pk)
        return Response(MemberOut(membership).data)
