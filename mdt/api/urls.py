from mdt.api.views import ActionItemViewSet, MeetingViewSet, ReviewViewSet, TeamViewSet
from taskforce.api_router import TenantRouter

router = TenantRouter()
router.register("teams", TeamViewSet, basename="mdt-team")
router.register("meetings", MeetingViewSet, basename="mdt-meeting")
router.register("reviews", ReviewViewSet, basename="mdt-review")
router.register("action-items", ActionItemViewSet, basename="mdt-action-item")

urlpatterns = router.urls
