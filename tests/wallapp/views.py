import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework import mixins, serializers

from taskforce.api import ScopedViewSet
from taskforce.audit import audit_record
from taskforce.tenancy import tenant_view
from tests.wallapp.models import LeRecord, VsRecord
from tests.wallapp.policies import access_le_record, access_vs_record, visible_le_records, visible_vs_records


@tenant_view
@require_GET
def vs_record_detail(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    record = access_vs_record(request.actor, record_id)
    audit_record(action="vsrecord.viewed", actor=request.actor, target=record)
    return render(request, "wallapp/record.html", {"record": record})


@tenant_view
@require_GET
def le_record_detail(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    record = access_le_record(request.actor, record_id)
    return render(request, "wallapp/record.html", {"record": record})


@tenant_view
@require_GET
def vs_record_list(request: HttpRequest) -> HttpResponse:
    records = visible_vs_records(request.actor).order_by("-created_at")[:100]
    return render(request, "wallapp/records.html", {"records": records})


class VsRecordOut(serializers.ModelSerializer):
    class Meta:
        model = VsRecord
        fields = ("id", "secret")


class LeRecordOut(serializers.ModelSerializer):
    class Meta:
        model = LeRecord
        fields = ("id", "secret", "restricted")


class VsRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    visible = staticmethod(visible_vs_records)
    serializer_class = VsRecordOut


class LeRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    visible = staticmethod(visible_le_records)
    serializer_class = LeRecordOut
