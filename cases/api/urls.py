from cases.api.views import CaseViewSet, ConsentViewSet
from taskforce.api_router import TenantRouter

router = TenantRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("consents", ConsentViewSet, basename="consent")

urlpatterns = router.urls
