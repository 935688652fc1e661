from django.urls import include, path

urlpatterns = [
    path("", include("referrals.urls_le")),
    path("", include("referrals.urls_bridge")),
]
