from taskforce.api_router import TenantRouter

router = TenantRouter()

urlpatterns = router.urls
