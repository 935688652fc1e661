from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from signin import api as signin_api
from taskforce import endpoints, views
from taskforce.api_router import TenantRouter

router = TenantRouter()
router.register("agencies", endpoints.AgencyViewSet, basename="agency")
router.register("memberships", endpoints.MembershipViewSet, basename="membership")
router.register("audit-events", endpoints.AuditEventViewSet, basename="audit-event")
router.register("members", signin_api.MemberViewSet, basename="member")

tenant_html = [
    path("", views.home, name="tf-home"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/new/", views.agency_create_view, name="agency-create"),
    path("agencies/<uuid:agency_id>/edit/", views.agency_edit_view, name="agency-edit"),
    path("members/", views.membership_list, name="membership-list"),
    path("members/new/", views.membership_add_view, name="membership-add"),
    path("members/<uuid:membership_id>/edit/", views.membership_edit_view, name="membership-edit"),
    path(
        "members/<uuid:membership_id>/deactivate/",
        views.membership_deactivate_view,
        name="membership-deactivate",
    ),
    path(
        "members/<uuid:membership_id>/reactivate/",
        views.membership_reactivate_view,
        name="membership-reactivate",
    ),
    path("audit/", views.audit_list, name="audit-list"),
    path("settings/", views.task_force_settings_view, name="task-force-settings"),
    path("search/", views.search_view, name="search"),
]

# Namespaced "api": HTML and API routes of one resource share plain names (agency-list).
api = [
    path("", include("signin.api_urls")),  # auth/token/, me/mfa/..., me/sessions/...
    path("me/", endpoints.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger's setup code as a script file: no inline script under the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("tf/<slug:task_force>/search/", endpoints.SearchView.as_view(), name="search"),
    path("tf/<slug:task_force>/", include(router.urls)),
    path("tf/<slug:task_force>/", include("cases.api.urls")),
    path("tf/<slug:task_force>/", include("referrals.api.urls")),
    path("tf/<slug:task_force>/mdt/", include("mdt.api.urls")),
    path("tf/<slug:task_force>/", include("reporting.api.urls")),
]

urlpatterns = [
    path("", views.root, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("public/", include("referrals.public_urls")),
    path("accounts/", include("signin.urls")),  # login, second factor, sessions
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tf/<slug:task_force>/", include(tenant_html)),
    path("tf/<slug:task_force>/", include("signin.tenant_urls")),
    path("tf/<slug:task_force>/cases/", include("cases.urls")),
    path("tf/<slug:task_force>/", include("referrals.urls")),
    path("tf/<slug:task_force>/", include("reporting.urls")),
    path("tf/<slug:task_force>/mdt/", include("mdt.urls")),
    path("api/v1/", include((api, "api"))),
    path("platform-admin/", admin.site.urls),
]

handler400 = "taskforce.errors.bad_request"
handler403 = "taskforce.errors.permission_denied"
handler404 = "taskforce.errors.page_not_found"
handler500 = "taskforce.errors.server_error"
