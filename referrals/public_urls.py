"""Public routes (no sign-in), under ``public/``. The slug is not a tenant route's
``task_force``: these pages never resolve an actor."""

from django.urls import path

from referrals import public

urlpatterns = [
    path("<slug:task_force_slug>/tip/", public.public_tip_view, name="public-tip"),
]
