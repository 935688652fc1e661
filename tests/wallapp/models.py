from django.db import models

from taskforce.access import Compartment, TaskForceOwned
from taskforce.permissions import TaskForceUserObjectPermission


class VsRecord(TaskForceOwned):
    """Stands for a victim-services case: owned by one VS agency."""

    compartment = Compartment.VICTIM_SERVICES

    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    secret = models.CharField(max_length=100)

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "agency", "-created_at"], name="vsrecord_tf_agency_idx")
        ]

    def __str__(self) -> str:
        return str(self.id)


class LeRecord(TaskForceOwned):
    """Stands for an investigation: LE-wide unless restricted to its team."""

    compartment = Compartment.LAW_ENFORCEMENT

    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    restricted = models.BooleanField(default=False)
    secret = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["task_force", "-created_at"], name="lerecord_tf_created_idx")]

    def __str__(self) -> str:
        return str(self.id)


class VsRecordUserObjectPermission(TaskForceUserObjectPermission):
    content_object = models.ForeignKey(VsRecord, on_delete=models.CASCADE)


class LeRecordUserObjectPermission(TaskForceUserObjectPermission):
    content_object = models.ForeignKey(LeRecord, on_delete=models.CASCADE)
