from django.urls import path

from reporting.api.views import (
    ExportViewSet,
    MonthlyChangesView,
    MonthlyReportView,
    OutreachEventViewSet,
    PeriodReportView,
    TrainingEventViewSet,
)
from taskforce.api_router import TenantRouter

router = TenantRouter()
router.register("exports", ExportViewSet, basename="export")
router.register("training-events", TrainingEventViewSet, basename="training-event")
router.register("outreach-events", OutreachEventViewSet, basename="outreach-event")

urlpatterns = [
    path("reports/monthly/", MonthlyReportView.as_view(), name="report-monthly"),
    path("reports/monthly/changes/", MonthlyChangesView.as_view(), name="report-monthly-changes"),
    path("reports/period/", PeriodReportView.as_view(), name="report-period"),
    *router.urls,
]
