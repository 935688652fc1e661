from django.urls import path

from signin import api

# Under /api/v1/ (namespace "api").
urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("me/mfa/totp/", api.MfaTotpView.as_view(), name="me-mfa-totp"),
    path("me/mfa/totp/confirm/", api.MfaTotpConfirmView.as_view(), name="me-mfa-totp-confirm"),
    path("me/sessions/", api.MySessionsView.as_view(), name="me-sessions"),
    path("me/sessions/<uuid:sign_in_id>/sign-out/", api.MySessionEndView.as_view(), name="me-session-end"),
    path(
        "me/sessions/sign-out-everywhere/", api.SignOutEverywhereView.as_view(), name="me-sign-out-everywhere"
    ),
]
