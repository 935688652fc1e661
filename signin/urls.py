from django.urls import include, path

from signin import views, webauthn

# Under /accounts/.
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("mfa/", views.mfa_view, name="signin-mfa"),
    path("sessions/", views.sessions_view, name="signin-sessions"),
    path("sessions/<uuid:sign_in_id>/sign-out/", views.session_end_view, name="signin-session-end"),
    path("security-keys/", webauthn.security_keys_view, name="signin-security-keys"),
    path("webauthn/", include((webauthn.urlpatterns, "otp_webauthn"))),
    path("sessions/sign-out-everywhere/", views.sign_out_everywhere_view, name="signin-sign-out-everywhere"),
]
