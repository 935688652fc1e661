from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from taskforce.rls import platform_bypass


class PlatformAdminSite(admin.AdminSite):
    """Platform staff manage structure across task forces: each admin request runs under the
    audited row-level security bypass. Content models are never registered on this site.
    """

    site_header = "Task force platform: structure"
    site_title = "Platform admin"
    index_title = "Task forces, agencies, memberships, users"

    def admin_view(
        self, view: Callable[..., HttpResponse], cacheable: bool = False
    ) -> Callable[..., HttpResponse]:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if user.is_active and user.is_staff:
                with platform_bypass(
                    reason=f"platform admin {request.method} {request.path}"[:200], user_id=user.pk
                ):
                    response = inner(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    return response
            return inner(request, *args, **kwargs)

        return wrapper
