from django.urls import path

from signin import views

# Under /tf/<slug>/ (HTML, tenant admins).
urlpatterns = [
    path("members/<uuid:membership_id>/unlock/", views.member_unlock_view, name="member-unlock"),
    path("members/<uuid:membership_id>/reset-mfa/", views.member_reset_mfa_view, name="member-reset-mfa"),
]
