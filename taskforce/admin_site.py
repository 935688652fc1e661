from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse

from taskforce.audit import audit_record
from taskforce.models import TaskForce
from taskforce.rls import task_force_scope

SCOPE_SESSION_KEY = "platform_admin_task_force"


class PlatformAdminSite(admin.AdminSite):
    """Platform staff manage structure one task force at a time: each admin request runs inside
    the task force chosen on the admin's index (kept in the session) and is audited in that task
    force's chain. There is no scope that sees two task forces, so there is none to grant here.
    Task forces and user accounts are not tenant-owned and are listed whatever the choice.
    Content models are never registered on this site.
    """

    site_header = "Task force platform: structure"
    site_title = "Platform admin"
    index_title = "Task forces, agencies, memberships, users"
    index_template = "admin/platform_index.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path("scope/<slug:slug>/", self.admin_view(self.choose_task_force), name="choose_task_force"),
            *super().get_urls(),
        ]

    def choose_task_force(self, request: HttpRequest, slug: str) -> HttpResponse:
        task_force = TaskForce.objects.filter(slug=slug).first()
        if task_force is None:
            request.session.pop(SCOPE_SESSION_KEY, None)
        else:
            request.session[SCOPE_SESSION_KEY] = str(task_force.pk)
        return HttpResponseRedirect(reverse(f"{self.name}:index"))

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        context["platform_task_forces"] = list(TaskForce.objects.order_by("name"))
        context["platform_scope"] = request.session.get(SCOPE_SESSION_KEY, "")
        return context

    def admin_view(
        self, view: Callable[..., HttpResponse], cacheable: bool = False
    ) -> Callable[..., HttpResponse]:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if user.is_active and user.is_staff:
                task_force_id = _chosen_task_force(request)
                with task_force_scope(task_force_id, user_id=user.pk):
                    audit_record(
                        action="platform.admin_request",
                        user_id=user.pk,
                        task_force_id=task_force_id,
                        detail={"method": request.method, "path": request.path[:200]},
                    )
                    response = inner(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    return response
            return inner(request, *args, **kwargs)

        return wrapper


def _chosen_task_force(request: HttpRequest) -> uuid.UUID | None:
    value = request.session.get(SCOPE_SESSION_KEY)
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
