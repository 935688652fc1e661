"""The certification requests API: ``certifications/`` (list, retrieve, create),
``certifications/<id>/status/`` (progress and the decision), ``.../investigation/`` (the
certifier links the investigation) and ``.../release/`` (victim services share the victim
reference under a release after the request went).

The contract of issue 8 holds unchanged (``case``, ``kind``, ``certifying_agency``, ``due_on`` in;
the envelope out; ``status`` and ``reference`` to move it); the round adds fields compatibly.
Outputs are cut per reader by ``referrals.policies``: ``case`` only for the requesting
victim-services side, ``victim`` only to readers of the victim reference (null otherwise),
``investigation`` only to law enforcement, and of a restricted one they may not see only its
lead agency. Reads are audited (``certification.listed``, ``certification.viewed``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.policies import visible_cases, visible_consents
from referrals import certifications, policies
from referrals.api.serializers import CertificationKindField, CertificationStatusField, ScopedId
from referrals.api.views import CONFLICT_409, _AuditedViewSet, _decide, _only, _valid
from referrals.models import CertificationRequest
from taskforce.access import VS_ROLES, Actor, get_or_not_found
from taskforce.audit import audit_record
from taskforce.policies import visible_agencies
from taskforce.serializers import AgencyBrief


class CertificationIn(serializers.Serializer):
    case = ScopedId(
        visible=visible_cases,
        required=False,
        help_text="Victim services: the case it is for (never shown to law enforcement).",
    )
    investigation = ScopedId(
        visible=policies.visible_investigations,
        required=False,
        help_text="Law enforcement: the investigation it is started from.",
    )
    kind = CertificationKindField()
    certifying_agency = ScopedId(visible=visible_agencies, help_text="A law-enforcement agency.")
    due_on = serializers.DateField(required=False, allow_null=True)
    requested_on = serializers.DateField(required=False, allow_null=True, help_text="Today if left out.")
    consent = ScopedId(
        visible=visible_consents,
        required=False,
        allow_null=True,
        help_text="From a case: the client's release naming the certifying agency and covering "
        "identity, under which the client's names and birth date travel. Without it they do not.",
    )
    victim = ScopedId(
        visible=policies.visible_identified_victims,
        required=False,
        help_text="From an investigation: the victim identified in it (required there).",
    )
    victim_date_of_birth = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("case")) == bool(attrs.get("investigation")):
            raise serializers.ValidationError(
                {"case": "Start from a case (victim services) or from an investigation (law enforcement)."}
            )
        origin = "case" if attrs.get("case") else "investigation"
        misplaced = ("victim", "victim_date_of_birth") if origin == "case" else ("consent",)
        wrong = [key for key in misplaced if attrs.get(key) is not None]
        if wrong:
            raise serializers.ValidationError({wrong[0]: f"Not used for a request from a {origin}."})
        return attrs


class CertificationStatusIn(serializers.Serializer):
    status = CertificationStatusField(
        help_text="under_review (LE roles of the certifying agency), signed or declined (its "
        "prosecutors and LE supervisors)."
    )
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Required to decline."
    )
    signer_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The caller when left out."
    )
    signer_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    decided_on = serializers.DateField(required=False, allow_null=True, help_text="Today when left out.")


class CertificationLinkIn(serializers.Serializer):
    investigation = ScopedId(visible=policies.visible_investigations)


class CertificationReleaseIn(serializers.Serializer):
    consent = ScopedId(visible=visible_consents)


VICTIM = inline_serializer(
    "CertificationVictim",
    {
        "name": serializers.CharField(),
        "other_names": serializers.CharField(),
        "date_of_birth": serializers.DateField(allow_null=True),
    },
)
INVESTIGATION = inline_serializer(
    "CertificationInvestigation",
    {
        "id": serializers.UUIDField(allow_null=True, help_text="Null when the caller may not see it."),
        "case_number": serializers.CharField(required=False),
        "title": serializers.CharField(required=False),
        "status": serializers.CharField(required=False),
        "restricted": serializers.BooleanField(),
        "lead_agency": serializers.CharField(),
    },
)
DEADLINE = inline_serializer(
    "CertificationDeadline",
    {"on": serializers.DateField(), "label": serializers.CharField()},
)


class CertificationOut(serializers.ModelSerializer):
    """The request as each reader may see it (see the module docstring)."""

    kind = CertificationKindField(read_only=True)
    status = CertificationStatusField(read_only=True)
    requesting_agency = AgencyBrief(read_only=True)
    certifying_agency = AgencyBrief(read_only=True)
    case = serializers.UUIDField(source="case_id", required=False, help_text="Requesting side only.")
    origin = serializers.SerializerMethodField(help_text="`case` or `investigation`.")
    victim = serializers.SerializerMethodField()
    investigation = serializers.SerializerMethodField(help_text="Law enforcement only.")
    deadline = serializers.SerializerMethodField(
        help_text="After a decision: the USCIS filing window of a signed U visa Supplement B, or the "
        "follow-up of a Continued Presence request."
    )

    class Meta:
        model = CertificationRequest
        fields = (
            "id",
            "kind",
            "origin",
            "requesting_agency",
            "certifying_agency",
            "status",
            "requested_on",
            "due_on",
            "decided_on",
            "reference",
            "case",
            "victim",
            "investigation",
            "decline_reason",
            "signer_name",
            "signer_title",
            "deadline",
            "signed_form",
            "created_at",
        )
        read_only_fields = fields

    def get_origin(self, request: CertificationRequest) -> str:
        return "case" if request.case_id else "investigation"

    @extend_schema_field(VICTIM)
    def get_victim(self, request: CertificationRequest) -> dict[str, Any] | None:
        readable = self.context.get("readable_victims")
        actor: Actor = self.context["actor"]
        if readable is None:
            readable = policies.readable_victim_references(actor, [request])
        if request.pk not in readable or not request.victim_name:
            return None
        return {
            "name": request.victim_name,
            "other_names": request.victim_other_names,
            "date_of_birth": request.victim_date_of_birth,
        }

    @extend_schema_field(INVESTIGATION)
    def get_investigation(self, request: CertificationRequest) -> dict[str, Any] | None:
        known = self.context.get("investigations")
        if known is None:
            known = policies.certification_investigations(self.context["actor"], [request])
        investigation, lead = known.get(request.pk, (None, ""))
        if investigation is not None:
            return {
                "id": investigation.pk,
                "case_number": investigation.case_number,
                "title": investigation.title,
                "status": investigation.status,
                "restricted": investigation.restricted,
                "lead_agency": lead,
            }
        if lead:
            return {"id": None, "restricted": True, "lead_agency": lead}
        return None

    @extend_schema_field(DEADLINE)
    def get_deadline(self, request: CertificationRequest) -> dict[str, Any] | None:
        if request.deadline_on is None:
            return None
        return {"on": request.deadline_on, "label": certifications.deadline_label(request)}

    def to_representation(self, request: CertificationRequest) -> dict[str, Any]:
        data = super().to_representation(request)
        actor: Actor = self.context["actor"]
        if actor.role not in VS_ROLES or actor.agency_id != request.requesting_agency_id:
            data.pop("case", None)
        if not policies.is_le(actor):
            data.pop("investigation", None)
        return data


def _sees_certifications(actor: Actor) -> bool:
    return policies.is_le(actor) or actor.role in VS_ROLES


@extend_schema_view(
    list=extend_schema(
        summary="Certification requests",
        description=(
            "Victim services: requests of the caller's agency on cases they see (with `case`); "
            "law enforcement: requests to the caller's agency and those it started from "
            "investigations the caller sees (never the case). `victim` only under the client's "
            "current release to the certifying agency (or when law enforcement started it). 404 "
            "for everyone else. Audited as certification.listed."
        ),
        responses=CertificationOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One certification request",
        description="Audited as certification.viewed.",
        responses=CertificationOut,
    ),
    create=extend_schema(
        summary="Ask an LE agency to certify",
        description=(
            "From a case (`case`): victim-services people who work on it; the client's names and "
            "birth date travel only under `consent`. From an investigation (`investigation` and "
            "`victim`): LE roles who work on it. Exactly one of `case` and `investigation` (400 "
            "otherwise); 403 when the caller may not work on it."
        ),
        request=CertificationIn,
        responses={201: CertificationOut},
    ),
)
class CertificationViewSet(_AuditedViewSet):
    visible = staticmethod(policies.visible_certifications)
    serializer_class = CertificationOut
    audit_noun = "certification"
    http_method_names: ClassVar = ["get", "post", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _sees_certifications)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        readable = policies.readable_victim_references(request.actor, page)
        investigations = policies.certification_investigations(request.actor, page)
        audit_record(
            action="certification.listed",
            actor=request.actor,
            target_type=CertificationRequest._meta.label_lower,
            detail={"count": len(page)},
        )
        data = CertificationOut(
            page,
            many=True,
            context={
                **self.get_serializer_context(),
                "readable_victims": readable,
                "investigations": investigations,
            },
        ).data
        return self.get_paginated_response(data)

    def _reread(self, certification: CertificationRequest, code: int = status.HTTP_200_OK) -> Response:
        # Read back through the policy: the answer shows exactly what the caller may see.
        certification = get_or_not_found(self.get_queryset(), certification.pk)
        return Response(self._out(certification), status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(CertificationIn, request, self.get_serializer_context())
        if data.get("case") is not None:
            for key in ("investigation", "victim", "victim_date_of_birth"):
                data.pop(key, None)
            certification = certifications.certification_request(actor=request.actor, **data)
        else:
            for key in ("case", "consent"):
                data.pop(key, None)
            create = certifications.certification_request_from_investigation
            certification = create(actor=request.actor, victim=data.pop("victim", None), **data)
        return self._reread(certification, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a request: under review, signed or declined",
        description=(
            "The certifying agency: LE roles mark it under review; prosecutors and LE supervisors "
            "sign or decline (403 otherwise). Declining needs `reason` (400). Signing records the "
            "signer (the caller unless `signer_name` says otherwise) and starts `deadline`; "
            "`signed_form` becomes `pending_upload` until the signed form is attached. 409 once "
            "signed or declined."
        ),
        request=CertificationStatusIn,
        responses={200: CertificationOut, **CONFLICT_409},
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        certification: CertificationRequest = self.get_object()
        data = _valid(CertificationStatusIn, request, self.get_serializer_context())
        certification = _decide(
            certifications.certification_set_status, actor=request.actor, request=certification, **data
        )
        return self._reread(certification)

    @extend_schema(
        summary="Link the investigation a request from victim services belongs to",
        description="The certifying agency's LE roles, with an investigation they see (400 otherwise).",
        request=CertificationLinkIn,
        responses={200: CertificationOut},
    )
    @action(detail=True, methods=["post"], url_path="investigation", url_name="investigation")
    def link_investigation(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        certification: CertificationRequest = self.get_object()
        if not policies.can_link_certification_investigation(request.actor, certification):
            raise PermissionDenied
        data = _valid(CertificationLinkIn, request, self.get_serializer_context())
        certifications.certification_link_investigation(actor=request.actor, request=certification, **data)
        return self._reread(certification)

    @extend_schema(
        summary="Share the victim reference under a release",
        description=(
            "The requesting victim-services people who work on the case: the client's names and "
            "birth date go to the certifying agency under a current release naming it and "
            "covering identity (400 otherwise)."
        ),
        request=CertificationReleaseIn,
        responses={200: CertificationOut},
    )
    @action(detail=True, methods=["post"], url_path="release", url_name="release")
    def share_release(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        certification: CertificationRequest = self.get_object()
        if not policies.can_share_certification_release(request.actor, certification):
            raise PermissionDenied
        data = _valid(CertificationReleaseIn, request, self.get_serializer_context())
        certifications.certification_share_release(actor=request.actor, request=certification, **data)
        return self._reread(certification)
