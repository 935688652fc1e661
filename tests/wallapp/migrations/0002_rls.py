from django.db import migrations

from taskforce.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("wallapp", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("vsrecord"),
        EnableRowLevelSecurity("lerecord"),
        EnableRowLevelSecurity("vsrecorduserobjectpermission"),
        EnableRowLevelSecurity("lerecorduserobjectpermission"),
    ]
