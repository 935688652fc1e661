"""The API's tenant edge: a base viewset whose scoping cannot be overridden, scoped related
fields, cursor pagination and an exception handler that turns bad input into 400, never 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from taskforce.access import Actor, NotFoundOrForbidden
from taskforce.audit import audit_denied
from taskforce.tenancy import resolve_actor


class HasActor(permissions.BasePermission):
    """Set by ``TenantAPIMixin.initial`` once the membership is resolved."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request, "actor", None) is not None


class TenantAPIMixin:
    """Resolves ``request.actor`` from the URL's task force after authentication.

    DRF authenticates inside the view, so this is the first point where the user behind a
    token is known. Unknown slug and non-member both answer the same 404.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        request.actor = resolve_actor(user=request.user, task_force_slug=kwargs["task_force"])
        # Django's request too: code below DRF (templates, audit) sees the same actor.
        request._request.actor = request.actor


class TenantAPIView(TenantAPIMixin, APIView):
    permission_classes: ClassVar = [permissions.IsAuthenticated]


class ScopedViewSet(TenantAPIMixin, viewsets.GenericViewSet):
    """Base of every tenant viewset. Rows come only from the record type's policy.

    Subclasses set ``visible`` (a ``visible_*`` policy) and must not override
    ``get_queryset`` or ``get_object``: the class refuses to be defined if they do.
    """

    visible: ClassVar[Callable[[Actor], QuerySet]]
    lookup_value_converter = "uuid"
    permission_classes: ClassVar = [permissions.IsAuthenticated]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "get_object"):
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} must not override {name}; change its policy instead")

    def get_queryset(self) -> QuerySet:
        actor = getattr(self.request, "actor", None)
        visible = getattr(type(self), "visible", None)
        if actor is None or visible is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has no actor or no visible policy")
        return visible(actor)

    def get_object(self) -> Any:
        """DRF's lookup, with the refusal of a well-formed id written to the audit log."""
        try:
            return super().get_object()
        except Http404:
            lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
            audit_denied(
                actor=getattr(self.request, "actor", None),
                target_type=self.get_queryset().model._meta.label_lower,
                target_id=lookup,
            )
            raise NotFoundOrForbidden(audited=True) from None

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": getattr(self.request, "actor", None)}


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related field whose choices are the actor's visible rows: a foreign id is 'does not exist'."""

    def __init__(self, *, visible: Callable[[Actor], QuerySet], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        actor = self.context.get("actor")
        if actor is None:
            raise ImproperlyConfigured("serializer used without an actor in its context")
        return self.visible(actor)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model validation errors as 400 with field errors."""
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is not None and isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        audit_denied(actor=actor, method=request.method, path=request.path)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
