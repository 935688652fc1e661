from django.db import migrations

from taskforce.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("mdt", "0001_initial")]

    operations = [
        EnableRowLevelSecurity(name)
        for name in (
            "mdtteam",
            "rostermember",
            "agreement",
            "mdtmeeting",
            "attendance",
            "casereview",
            "actionitem",
        )
    ]
