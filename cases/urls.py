"""HTML routes of victim-service case management, under ``tf/<slug:task_force>/cases/``."""

from django.urls import path

from cases import correction_views, views

urlpatterns = [
    path("", views.case_list_view, name="case-list"),
    path("intake/", views.intake_view, name="case-intake"),
    path("<uuid:case_id>/", views.case_detail_view, name="case-detail"),
    path("<uuid:case_id>/services/new/", views.service_add_view, name="case-service-add"),
    path("<uuid:case_id>/notes/new/", views.note_add_view, name="case-note-add"),
    path("<uuid:case_id>/consents/new/", views.consent_add_view, name="case-consent-add"),
    path(
        "<uuid:case_id>/consents/<uuid:consent_id>/revoke/",
        views.consent_revoke_view,
        name="consent-revoke",
    ),
    path("<uuid:case_id>/assign/", views.case_assign_view, name="case-assign"),
    path("<uuid:case_id>/unassign/", views.case_unassign_view, name="case-unassign"),
    path("<uuid:case_id>/close/", views.case_close_view, name="case-close"),
    path("<uuid:case_id>/reopen/", views.case_reopen_view, name="case-reopen"),
    path("<uuid:case_id>/screenings/new/", views.screening_add_view, name="case-screening-add"),
    path("<uuid:case_id>/plan/new/", views.plan_add_view, name="case-plan-add"),
    path("<uuid:case_id>/plan/<uuid:item_id>/status/", views.plan_item_status_view, name="plan-item-status"),
    path("<uuid:case_id>/family/new/", views.family_add_view, name="case-family-add"),
    path("<uuid:case_id>/client/edit/", correction_views.client_edit_view, name="case-client-edit"),
    path(
        "<uuid:case_id>/services/<uuid:service_id>/correct/",
        correction_views.service_correct_view,
        name="case-service-correct",
    ),
    path(
        "<uuid:case_id>/services/<uuid:service_id>/void/",
        correction_views.service_void_view,
        name="case-service-void",
    ),
    path(
        "<uuid:case_id>/notes/<uuid:note_id>/addenda/",
        correction_views.note_addendum_view,
        name="case-note-addendum",
    ),
]
