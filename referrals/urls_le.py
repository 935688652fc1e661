"""HTML routes of the law-enforcement side, under ``tf/<slug:task_force>/``."""

from django.urls import path

from referrals import views_connections
from referrals import views_le as views

INVESTIGATION = "investigations/<uuid:investigation_id>/"
PROSECUTION = "prosecutions/<uuid:prosecution_id>/"
DEFENDANT = PROSECUTION + "defendants/<uuid:defendant_id>/"

urlpatterns = [
    path("tips/", views.tip_list_view, name="tip-list"),
    path("tips/new/", views.tip_create_view, name="tip-create"),
    path("tips/<uuid:tip_id>/", views.tip_detail_view, name="tip-detail"),
    path("tips/<uuid:tip_id>/identifiers/", views_connections.tip_identifiers_view, name="tip-identifiers"),
    path("tips/<uuid:tip_id>/triage/", views.tip_triage_view, name="tip-triage"),
    path("tips/<uuid:tip_id>/assign/", views.tip_assign_view, name="tip-assign"),
    path("tips/<uuid:tip_id>/close/", views.tip_close_view, name="tip-close"),
    path("tips/<uuid:tip_id>/merge/", views.tip_merge_view, name="tip-merge"),
    path("tips/<uuid:tip_id>/convert/", views.tip_convert_view, name="tip-convert"),
    path("investigations/", views.investigation_list_view, name="investigation-list"),
    path("investigations/new/", views.investigation_create_view, name="investigation-create"),
    path(INVESTIGATION, views.investigation_detail_view, name="investigation-detail"),
    path(INVESTIGATION + "edit/", views.investigation_edit_view, name="investigation-edit"),
    path(INVESTIGATION + "team/add/", views.investigation_team_add_view, name="investigation-team-add"),
    path(
        INVESTIGATION + "team/remove/", views.investigation_team_remove_view, name="investigation-team-remove"
    ),
    path(INVESTIGATION + "suspects/new/", views.suspect_add_view, name="suspect-add"),
    path(INVESTIGATION + "victims/new/", views.victim_add_view, name="victim-add"),
    path(INVESTIGATION + "arrests/new/", views.arrest_add_view, name="arrest-add"),
    path(INVESTIGATION + "prosecutions/new/", views.prosecution_create_view, name="prosecution-create"),
    path("prosecutions/", views.prosecution_list_view, name="prosecution-list"),
    path(PROSECUTION, views.prosecution_detail_view, name="prosecution-detail"),
    path(PROSECUTION + "edit/", views.prosecution_edit_view, name="prosecution-edit"),
    path(PROSECUTION + "defendants/new/", views.defendant_add_view, name="defendant-add"),
    path(DEFENDANT + "charges/new/", views.charge_add_view, name="charge-add"),
    path(DEFENDANT + "disposition/", views.defendant_dispose_view, name="defendant-dispose"),
]
