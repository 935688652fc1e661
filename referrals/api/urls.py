from referrals.api.certifications import CertificationViewSet
from referrals.api.views import (
    InvestigationViewSet,
    ProsecutionViewSet,
    ReferralViewSet,
    TipViewSet,
)
from taskforce.api_router import TenantRouter

router = TenantRouter()
router.register("tips", TipViewSet, basename="tip")
router.register("investigations", InvestigationViewSet, basename="investigation")
router.register("prosecutions", ProsecutionViewSet, basename="prosecution")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("certifications", CertificationViewSet, basename="certification")

urlpatterns = router.urls
