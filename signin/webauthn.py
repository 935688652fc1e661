"""Security keys and passkeys (django-otp-webauthn) as an extra second factor.

A person first sets up the authenticator app (and so holds recovery codes); then they may add
security keys on /accounts/security-keys/ and use one instead of a code at sign-in. Keys never
replace the password: passwordless login is off (``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN``)
and our authentication backends include no WebAuthn backend.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from signin import mfa
from signin.audit import audit_member_event
from signin.middleware import MFA_OK_KEY


class AfterTheAppMixin:
    def check_can_register(self) -> None:
        # A key is added to an account that already has the app and recovery codes, from a
        # session whose second factor was given (the package checks is_verified()).
        if not mfa.is_enrolled(self.request.user):
            raise webauthn_views.exceptions.NotVerified()


class SecondFactorOnlyMixin:
    def check_can_authenticate(self) -> None:
        # Second factor only: someone must already have given the password in this session.
        if not self.request.user.is_authenticated:
            raise webauthn_views.exceptions.PasswordlessLoginDisabled()
        super().check_can_authenticate()


class CompleteRegistrationView(AfterTheAppMixin, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            audit_member_event(
                action="mfa.enrolled", user_id=self.request.user.pk, detail={"device": "webauthn"}
            )
        return response


class BeginRegistrationView(AfterTheAppMixin, webauthn_views.BeginCredentialRegistrationView):
    pass


class CompleteAuthenticationView(SecondFactorOnlyMixin, webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device: WebAuthnCredential) -> None:
        super().complete_auth(device)
        self.request.session.cycle_key()
        self.request.session[MFA_OK_KEY] = True
        audit_member_event(
            action="auth.mfa_verified", user_id=self.request.user.pk, detail={"device": "webauthn"}
        )


class BeginAuthenticationView(SecondFactorOnlyMixin, webauthn_views.BeginCredentialAuthenticationView):
    pass


# Namespace "otp_webauthn" (the package's script configuration reverses these names).
urlpatterns = [
    path("registration/begin/", BeginRegistrationView.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/", CompleteRegistrationView.as_view(), name="credential-registration-complete"
    ),
    path("authentication/begin/", BeginAuthenticationView.as_view(), name="credential-authentication-begin"),
    path(
        "authentication/complete/",
        CompleteAuthenticationView.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]


@login_required
@require_GET
def security_keys_view(request: HttpRequest) -> HttpResponse:
    keys = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).order_by("created_at")
    return render(
        request,
        "signin/security_keys.html",
        {"keys": keys, "can_add": mfa.is_enrolled(request.user)},
    )
