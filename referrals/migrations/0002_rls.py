from django.db import migrations

from taskforce.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [
        EnableRowLevelSecurity(name)
        for name in (
            "investigation",
            "investigationuserobjectpermission",
            "tip",
            "suspect",
            "identifiedvictim",
            "arrest",
            "prosecution",
            "defendant",
            "charge",
            "deconflictionalert",
            "referral",
            "certificationrequest",
        )
    ]
