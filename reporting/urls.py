from django.urls import path

from reporting import views

urlpatterns = [
    path("reports/", views.dashboard, name="report-dashboard"),
    path("reports/lock/", views.lock_view, name="report-lock"),
    path("reports/reopen/", views.reopen_view, name="report-reopen"),
    path("reports/exports/", views.export_list, name="export-list"),
    path("reports/exports/<uuid:export_id>/", views.export_detail, name="export-detail"),
    path("reports/exports/<uuid:export_id>/download/", views.export_download, name="export-download"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_create, name="training-create"),
    path("outreach/", views.outreach_list, name="outreach-list"),
    path("outreach/new/", views.outreach_create, name="outreach-create"),
]
