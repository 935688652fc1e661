from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

        from signin import receivers  # noqa: F401  (connects the sign-in signal receivers)

        # django-otp and django-otp-webauthn register their devices on the admin site: their
        # secrets are no platform staff's business (the platform admin shows structure only).
        for model in (TOTPDevice, WebAuthnCredential, WebAuthnAttestation):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
