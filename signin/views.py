"""HTML sign-in: the password form (throttled like the token endpoint), the second factor
(verification or first-time enrolment with a QR code), and the person's sessions page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp_webauthn.models import WebAuthnCredential
from rest_framework.throttling import ScopedRateThrottle

from signin import mfa
from signin.accounts import may_manage_account
from signin.audit import audit_member_event
from signin.forms import EnrolForm, OtpForm
from signin.lockout import record_failure, unlock
from signin.middleware import MFA_OK_KEY, SESSION_ID_KEY
from signin.models import SignInFailure
from signin.sessions import active_sign_ins, end_all_sessions, end_sign_in
from taskforce.forms import LoginForm
from taskforce.policies import access_membership, can_manage_structure
from taskforce.tenancy import tenant_view
from taskforce.throttles import AuthAccountThrottle

ENROL_DEVICE_KEY = "signin_enrol_device"


class _SignInThrottleScope:
    # The token endpoint's scopes: both doors share one count per address (and per account).
    throttle_scope = "auth"
    throttle_account_scope = "auth_account"


def sign_in_throttled(request: HttpRequest) -> bool:
    scope = _SignInThrottleScope()
    return any(
        not throttle().allow_request(request, scope) for throttle in (ScopedRateThrottle, AuthAccountThrottle)
    )


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if sign_in_throttled(request):
            context = self.get_context_data(form=LoginForm(request), throttled=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Second step of a sign-in: the code, or (first time) set up the app and get recovery codes."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.session.get(MFA_OK_KEY):
        return redirect(_next_url(request))
    if mfa.is_enrolled(user):
        return _verify(request)
    return _enrol(request)


def _verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = OtpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_second_factor(user, form.cleaned_data["otp"])
        if device is not None:
            request.session.cycle_key()
            request.session[MFA_OK_KEY] = True
            otp_login(request, device)
            audit_member_event(action="auth.mfa_verified", user_id=user.pk)
            return redirect(_next_url(request))
        audit_member_event(
            action="auth.login_failed", user_id=user.pk, outcome="failure", detail={"factor": "otp"}
        )
        if record_failure(user_id=user.pk, channel=SignInFailure.Channel.HTML):
            request.session.flush()
            return redirect("login")
        form.add_error("otp", "That code is not valid.")
    return render(
        request,
        "signin/mfa_verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "has_keys": WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
        },
        status=400 if form.errors else 200,
    )


def _enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = mfa.pending_totp(user, request.session.get(ENROL_DEVICE_KEY))
    if device is None:
        device = mfa.start_totp(user)
        request.session[ENROL_DEVICE_KEY] = device.pk
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_totp(user, device, form.cleaned_data["otp"])
        if codes is not None:
            request.session.cycle_key()
            request.session.pop(ENROL_DEVICE_KEY, None)
            request.session[MFA_OK_KEY] = True
            otp_login(request, device)
            # Shown once, on this answer only (no-store): never stored in plain text.
            return render(request, "signin/mfa_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("otp", "That code is not valid. Check the time on your phone and try the next code.")
    uri = device.config_url
    return render(
        request,
        "signin/mfa_enrol.html",
        {
            "form": form,
            # Our own SVG drawing of the otpauth URI (no user text in it).
            "qr_svg": mark_safe(mfa.qr_svg(uri)),  # noqa: S308
            "secret": mfa.secret_of(device),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def sessions_view(request: HttpRequest) -> HttpResponse:
    rows = active_sign_ins(request.user, current_session_id=request.session.get(SESSION_ID_KEY))
    return render(request, "signin/sessions.html", {"sign_ins": rows})


@login_required
@require_POST
def session_end_view(request: HttpRequest, sign_in_id: uuid.UUID) -> HttpResponse:
    if end_sign_in(request.user, sign_in_id):
        audit_member_event(action="auth.session_ended", user_id=request.user.pk)
        messages.success(request, "Signed out that session.")
    return redirect("signin-sessions")


@login_required
@require_POST
def sign_out_everywhere_view(request: HttpRequest) -> HttpResponse:
    end_all_sessions(request.user)
    audit_member_event(action="auth.signed_out_everywhere", user_id=request.user.pk)
    request.session.flush()
    return redirect("login")


@tenant_view
@require_POST
def member_unlock_view(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    membership = access_membership(request.actor, membership_id)
    if not can_manage_structure(request.actor) or not may_manage_account(request.actor, membership.user):
        raise PermissionDenied
    if unlock(user=membership.user, by_user_id=request.user.pk):
        messages.success(request, f"Unlocked {membership.user.email}.")
    return redirect("membership-list", task_force=request.actor.task_force_slug)


@tenant_view
@require_POST
def member_reset_mfa_view(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    membership = access_membership(request.actor, membership_id)
    if not can_manage_structure(request.actor) or membership.user_id == request.user.pk:
        raise PermissionDenied
    if not may_manage_account(request.actor, membership.user):
        raise PermissionDenied
    mfa.reset_mfa(user=membership.user, by_user_id=request.user.pk)
    messages.success(
        request, f"Reset the second factor of {membership.user.email}; they set it up again at sign-in."
    )
    return redirect("membership-list", task_force=request.actor.task_force_slug)
