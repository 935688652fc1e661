from __future__ import annotations

from rest_framework import serializers

from taskforce.models import Agency, AuditEvent, Membership


class TokenIn(serializers.Serializer):
    username = serializers.CharField(max_length=254, trim_whitespace=True)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    # An app code (6 digits) or a recovery code (16 characters, hyphens optional).
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True)


class TokenOut(serializers.Serializer):
    token = serializers.CharField()


class AgencyOut(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ("id", "name", "side", "mou_signed_on", "mou_expires_on")


class AgencyBrief(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ("id", "name", "side")


class MeMembershipOut(serializers.ModelSerializer):
    task_force = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    task_force_name = serializers.CharField(source="task_force.name", read_only=True)
    agency = AgencyBrief(read_only=True)

    class Meta:
        model = Membership
        fields = ("task_force", "task_force_name", "agency", "role")


class MfaStatusOut(serializers.Serializer):
    required = serializers.BooleanField()
    enrolled = serializers.BooleanField()


class MeOut(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    memberships = MeMembershipOut(many=True)
    mfa = MfaStatusOut()


class MembershipOut(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    agency = AgencyBrief(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "email", "full_name", "agency", "role", "is_active")


class AuditEventOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "occurred_at",
            "user_id",
            "agency_id",
            "role",
            "action",
            "target_type",
            "target_id",
            "outcome",
            "source_ip",
        )
