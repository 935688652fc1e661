"""Input and output shapes of the reporting API: the monthly report, exports, training and
outreach logs.

Inputs name every accepted field explicitly; the task force, the recorder and the requester come
from the request's actor, never from the payload (unknown keys are ignored). Outputs carry counts,
codes and ids only: no figure ever comes with a name.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from reporting.models import DISCIPLINES, OutreachEvent, ReportExport, TrainingEvent
from taskforce.api import ScopedPrimaryKeyRelatedField
from taskforce.policies import visible_agencies
from taskforce.serializers import AgencyBrief

REPORTS = (("monthly", "Monthly report"),)
ATTENDEE_FIELDS = tuple(f"attendees_{code}" for code, _ in DISCIPLINES)


@extend_schema_field(OpenApiTypes.UUID)
class ScopedId(ScopedPrimaryKeyRelatedField):
    """An id among the actor's visible rows (documented as a UUID)."""


@extend_schema_field(
    {"type": "string", "enum": ReportExport.Status.values, "description": "An export's state."},
    component_name="ExportStatusEnum",
)
class ExportStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=ReportExport.Status.choices, **kwargs)


def _attendees() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=100000, required=False, default=0)


# --- the monthly report -----------------------------------------------------------------------


class MeasureOut(serializers.Serializer):
    code = serializers.CharField(help_text="A measure code of reporting.md, e.g. clients_served.")
    label = serializers.CharField()
    value = serializers.IntegerField(help_text="An exact count (grant figures).")


class PreparedOut(serializers.Serializer):
    locked_at = serializers.DateTimeField()


class ServiceChangeOut(serializers.Serializer):
    """A service of the month corrected or voided after the month was prepared (locked), as its
    own agency's victim-services staff read it."""

    change = serializers.ChoiceField(choices=[("corrected", "Corrected"), ("voided", "Voided")])
    fields = serializers.ListField(child=serializers.CharField(), help_text="Corrected field names.")
    service_type = serializers.CharField()
    delivered_on = serializers.DateField()
    previous_delivered_on = serializers.DateField()
    agency = serializers.CharField(help_text="The agency whose service it is.")
    changed_at = serializers.DateTimeField()
    changed_by = serializers.CharField(help_text="Who made the change.")
    service = serializers.UUIDField()
    case = serializers.UUIDField()
    reason = serializers.CharField()


class ServiceChangeCountOut(serializers.Serializer):
    """How many services of one agency's part of the month were corrected or voided since."""

    agency = serializers.CharField()
    corrected = serializers.IntegerField(help_text="Corrections made after the month was prepared.")
    voided = serializers.IntegerField(help_text="Services voided after the month was prepared.")


class MonthlyReportOut(serializers.Serializer):
    task_force = serializers.SlugField(help_text="The task force's slug.")
    month = serializers.CharField(help_text="YYYY-MM.")
    measures = MeasureOut(many=True)


class MonthlyChangesOut(serializers.Serializer):
    task_force = serializers.SlugField(help_text="The task force's slug.")
    month = serializers.CharField(help_text="YYYY-MM.")
    prepared = PreparedOut(allow_null=True, help_text="The month's lock, when it is prepared (locked).")
    changed_since_prepared = ServiceChangeOut(
        many=True,
        help_text="Services of the month corrected or voided after it was prepared, one by one: "
        "for the victim-services staff of the agency that made the change only.",
    )
    changed_since_prepared_by_agency = ServiceChangeCountOut(
        many=True, help_text="The same changes counted per agency (all who see the victim-services part)."
    )


class PeriodReportOut(serializers.Serializer):
    task_force = serializers.SlugField(help_text="The task force's slug.")
    months = serializers.IntegerField(help_text="1, 3, 6 or 12.")
    measures = MeasureOut(many=True)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        # "from" is a Python keyword: declared here so the output keeps the contract's names.
        fields["from"] = serializers.CharField(help_text="First month, YYYY-MM.")
        fields["to"] = serializers.CharField(help_text="Last month, YYYY-MM.")
        return fields


# --- exports ----------------------------------------------------------------------------------


class ExportIn(serializers.Serializer):
    report = serializers.ChoiceField(choices=REPORTS)
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$", max_length=7, help_text="YYYY-MM; a month that has started."
    )
    format = serializers.ChoiceField(choices=ReportExport.Format.choices)
    flavour = serializers.ChoiceField(
        choices=ReportExport.Flavour.choices,
        required=False,
        default=ReportExport.Flavour.GRANT,
        help_text="grant: exact counts; coalition: counts from 1 to 4 shown as <5.",
    )


class ExportOut(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", help_text="YYYY-MM.")
    status = ExportStatusField(read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to fetch the file once done.")

    class Meta:
        model = ReportExport
        fields = (
            "id",
            "status",
            "progress",
            "report",
            "month",
            "format",
            "flavour",
            "error",
            "created_at",
            "finished_at",
            "download",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download(self, export: ReportExport) -> str | None:
        if export.status != ReportExport.Status.DONE:
            return None
        request = self.context.get("request")
        actor = self.context.get("actor")
        if request is None or actor is None:
            return None
        return reverse(
            "api:export-download",
            kwargs={"task_force": actor.task_force_slug, "pk": export.pk},
            request=request,
        )


class ExportCreatedOut(serializers.Serializer):
    id = serializers.UUIDField()
    status = ExportStatusField()


# --- training and outreach --------------------------------------------------------------------


class TrainingIn(serializers.Serializer):
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    topics = serializers.CharField(max_length=300, required=False, allow_blank=True)
    delivering_agency = ScopedId(
        visible=visible_agencies, required=False, allow_null=True, help_text="Defaults to the caller's."
    )
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=200)
    attendees_law_enforcement = _attendees()
    attendees_prosecution = _attendees()
    attendees_victim_services = _attendees()
    attendees_health = _attendees()
    attendees_education = _attendees()
    attendees_child_welfare = _attendees()
    attendees_community = _attendees()
    attendees_other = _attendees()


class TrainingOut(serializers.ModelSerializer):
    delivering_agency = AgencyBrief(read_only=True)
    people_trained = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingEvent
        fields = (
            "id",
            "held_on",
            "title",
            "topics",
            "delivering_agency",
            "hours",
            *ATTENDEE_FIELDS,
            "people_trained",
            "created_at",
        )
        read_only_fields = fields


class OutreachIn(serializers.Serializer):
    held_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=OutreachEvent.Kind.choices)
    audience = serializers.ChoiceField(choices=OutreachEvent.Audience.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    people_reached = serializers.IntegerField(min_value=0, max_value=100000, required=False, default=0)
    materials_distributed = serializers.IntegerField(min_value=0, max_value=100000, required=False, default=0)
    language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    delivering_agency = ScopedId(
        visible=visible_agencies, required=False, allow_null=True, help_text="Defaults to the caller's."
    )


class OutreachOut(serializers.ModelSerializer):
    delivering_agency = AgencyBrief(read_only=True)

    class Meta:
        model = OutreachEvent
        fields = (
            "id",
            "held_on",
            "kind",
            "audience",
            "title",
            "people_reached",
            "materials_distributed",
            "language",
            "delivering_agency",
            "created_at",
        )
        read_only_fields = fields
