from django.urls import path

from mdt import views

MEETING = "meetings/<uuid:meeting_id>/"
TEAM = "teams/<uuid:team_id>/"
ROW = f"{TEAM}roster/<uuid:row_id>/"

urlpatterns = [
    path("", views.team_list_view, name="mdt-teams"),
    path("teams/new/", views.team_create_view, name="mdt-team-create"),
    path(TEAM, views.team_detail_view, name="mdt-team"),
    path(f"{TEAM}roster/add/", views.roster_add_view, name="mdt-roster-add"),
    path(f"{ROW}remove/", views.roster_remove_view, name="mdt-roster-remove"),
    path(f"{ROW}agreement/", views.agreement_sign_view, name="mdt-agreement-sign"),
    path(f"{TEAM}meetings/new/", views.meeting_create_view, name="mdt-meeting-create"),
    path("meetings/", views.meeting_list_view, name="mdt-meetings"),
    path(MEETING, views.meeting_detail_view, name="mdt-meeting"),
    path(f"{MEETING}edit/", views.meeting_edit_view, name="mdt-meeting-edit"),
    path(f"{MEETING}status/", views.meeting_status_view, name="mdt-meeting-status"),
    path(f"{MEETING}print/", views.meeting_print_view, name="mdt-meeting-print"),
    path(f"{MEETING}attendance/", views.attendance_view, name="mdt-attendance"),
    path(f"{MEETING}record/", views.meeting_record_view, name="mdt-meeting-record"),
    path(f"{MEETING}guests/", views.guest_add_view, name="mdt-guest-add"),
    path(f"{MEETING}reviews/new/", views.review_add_view, name="mdt-review-add"),
    path(f"{MEETING}actions/new/", views.action_add_view, name="mdt-action-add"),
    path("reviews/<uuid:review_id>/", views.review_detail_view, name="mdt-review"),
    path("reviews/<uuid:review_id>/edit/", views.review_edit_view, name="mdt-review-edit"),
    path("actions/<uuid:item_id>/status/", views.action_status_view, name="mdt-action-status"),
    path("my-items/", views.my_items_view, name="mdt-my-items"),
    path("overdue/", views.overdue_view, name="mdt-overdue"),
]
