"""Bridge screens: referrals and certification requests (included under ``tf/<slug:task_force>/``)."""

from django.urls import path

from referrals import views_bridge as views
from referrals import views_certifications as certs

CERTIFICATION = "certifications/<uuid:request_id>/"

urlpatterns = [
    path("referrals/", views.referral_inbox_view, name="referral-inbox"),
    path("referrals/sent/", views.referral_outbox_view, name="referral-outbox"),
    path("referrals/new/", views.referral_new_view, name="referral-new"),
    path("referrals/<uuid:referral_id>/", views.referral_detail_view, name="referral-detail"),
    path("referrals/<uuid:referral_id>/accept/", views.referral_accept_view, name="referral-accept"),
    path("referrals/<uuid:referral_id>/decline/", views.referral_decline_view, name="referral-decline"),
    path("referrals/<uuid:referral_id>/withdraw/", views.referral_withdraw_view, name="referral-withdraw"),
    path("referrals/<uuid:referral_id>/complete/", views.referral_complete_view, name="referral-complete"),
    path("cases/<uuid:case_id>/refer/", views.case_referral_new_view, name="case-referral-new"),
    path("certifications/", certs.certification_list_view, name="certification-list"),
    path(CERTIFICATION, certs.certification_detail_view, name="certification-detail"),
    path(CERTIFICATION + "status/", certs.certification_status_view, name="certification-status"),
    path(CERTIFICATION + "investigation/", certs.certification_link_view, name="certification-link"),
    path(CERTIFICATION + "release/", certs.certification_release_view, name="certification-release"),
    path(
        "cases/<uuid:case_id>/certifications/new/",
        certs.case_certification_new_view,
        name="case-certification-new",
    ),
    path(
        "investigations/<uuid:investigation_id>/certifications/new/",
        certs.investigation_certification_new_view,
        name="investigation-certification-new",
    ),
]
