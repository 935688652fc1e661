from django.db import migrations

from taskforce.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [
        EnableRowLevelSecurity(name)
        for name in ("trainingevent", "outreachevent", "monthlock", "reportexport")
    ]
