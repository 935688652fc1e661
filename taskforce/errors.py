"""Error pages. The 404 is the same page for 'missing', 'other task force' and 'other side'."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from taskforce.listing import ListInputError


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    # Only our own list errors say why: other 400s (a bad Host header, say) may echo hostile input.
    context = {}
    if isinstance(exception, ListInputError):
        context = {"message": exception.public_message, "back_url": exception.back_url}
    return render(request, "400.html", context, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    # Deliberately no context from the request: the page must not differ by reason.
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    try:
        # Inside the normal layout, so the person keeps their navigation.
        return render(request, "500.html", status=500)
    except Exception:  # whatever broke the page (the database, say) may break the layout too
        return HttpResponse(loader.render_to_string("500_plain.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a stale or missing token: say what happened and that nothing was saved."""
    if _wants_json(request):
        return JsonResponse({"detail": "CSRF check failed: reload the page and send it again."}, status=403)
    return render(request, "403_csrf.html", status=403)
