from django.db import migrations

from taskforce.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        EnableRowLevelSecurity(name)
        for name in (
            "client",
            "clientidentity",
            "familymember",
            "case",
            "caseuserobjectpermission",
            "casestatuschange",
            "screening",
            "planitem",
            "servicedelivery",
            "casenote",
            "consent",
        )
    ]
