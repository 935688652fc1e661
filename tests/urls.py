"""Test URLconf: the project's routes plus the reference records of tests.wallapp."""

from django.urls import include, path

from taskforce.api_router import TenantRouter
from taskforce.urls import handler400, handler403, handler404, handler500  # noqa: F401
from taskforce.urls import urlpatterns as project_urlpatterns
from tests.wallapp import views

router = TenantRouter()
router.register("wall/vs-records", views.VsRecordViewSet, basename="wall-vs-record")
router.register("wall/le-records", views.LeRecordViewSet, basename="wall-le-record")

wall_html = [
    path("vs/", views.vs_record_list, name="wall-vs-list"),
    path("vs/<uuid:record_id>/", views.vs_record_detail, name="wall-vs-detail"),
    path("le/<uuid:record_id>/", views.le_record_detail, name="wall-le-detail"),
]

urlpatterns = [
    path("tf/<slug:task_force>/wall/", include(wall_html)),
    path("api/v1/tf/<slug:task_force>/", include((router.urls, "wall-api"))),
    *project_urlpatterns,
]
