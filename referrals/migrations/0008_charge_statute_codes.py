"""Charges as canonical statute codes, recounted as trafficking charges by each task force's
list (issue 12, item 9): "PC 236.1(a)" was not "PC 236.1" when the text had to match exactly.

Row-level security binds the table owner too, so each task force's charges are visited under
that task force's own scope (a transaction-local setting), one task force at a time.
"""

from django.db import migrations

from taskforce.statutes import canonical, is_trafficking


def recount(apps, schema_editor):
    TaskForce = apps.get_model("taskforce", "TaskForce")
    Charge = apps.get_model("referrals", "Charge")
    connection = schema_editor.connection
    db = connection.alias  # the owner's connection: the running role has no rights yet
    for task_force in TaskForce.objects.using(db).all():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.task_force_id', %s, true)", [str(task_force.pk)])
        for charge in Charge.objects.using(db).filter(task_force_id=task_force.pk):
            statute = canonical(charge.statute)
            trafficking = is_trafficking(statute, task_force.trafficking_statutes)
            if (statute, trafficking) != (charge.statute, charge.is_trafficking):
                Charge.objects.using(db).filter(pk=charge.pk).update(
                    statute=statute, is_trafficking=trafficking
                )
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.task_force_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_search_index"),
        ("taskforce", "0004_trafficking_statutes"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
