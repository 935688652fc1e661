"""The certification round (issue 12, item 6): a request started from a case or from an
investigation, the victim reference it carries under a release, the decision (signer, reason),
the USCIS deadline after it, and the seam for the signed form (documents land in issue 13).

Requests decided before this had no reason and no form: the declined ones get a placeholder
reason so the new rule (declined needs a reason) holds for every row, and the signed ones wait
for their form like new ones. Row-level security binds the owner too, so each task force's rows
are visited under its own scope.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import taskforce.crypto

LEGACY_REASON = "Declined before reasons were recorded."


def backfill(apps, schema_editor):
    TaskForce = apps.get_model("taskforce", "TaskForce")
    Request = apps.get_model("referrals", "CertificationRequest")
    connection = schema_editor.connection
    db = connection.alias
    for task_force in TaskForce.objects.using(db).all():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.task_force_id', %s, true)", [str(task_force.pk)])
        requests = Request.objects.using(db).filter(task_force_id=task_force.pk)
        requests.filter(status="declined", decline_reason="").update(decline_reason=LEGACY_REASON)
        requests.filter(status="signed").update(signed_form="pending_upload")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.task_force_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_first_contact_on"),
        ("referrals", "0009_list_order_indexes"),
        ("taskforce", "0007_rls_without_bypass"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="certificationrequest",
            name="consent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.consent",
            ),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="deadline_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="deadline_reminded_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="decline_reason",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="investigation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referrals.investigation",
            ),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="signed_form",
            field=models.CharField(
                choices=[
                    ("none", "No signed form"),
                    ("pending_upload", "Signed form to be attached"),
                    ("attached", "Signed form attached"),
                ],
                default="none",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="signer_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="signer_title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="victim_date_of_birth",
            field=taskforce.crypto.EncryptedDateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="victim_name",
            field=taskforce.crypto.EncryptedCharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="certificationrequest",
            name="victim_other_names",
            field=taskforce.crypto.EncryptedCharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name="certificationrequest",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.case",
            ),
        ),
        migrations.AddIndex(
            model_name="certificationrequest",
            index=models.Index(fields=["task_force", "investigation"], name="cert_tf_inv_idx"),
        ),
        migrations.AddIndex(
            model_name="certificationrequest",
            index=models.Index(fields=["task_force", "status", "deadline_on"], name="cert_tf_deadline_idx"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="certificationrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("case__isnull", False), ("investigation__isnull", False), _connector="OR"
                ),
                name="cert_from_case_or_investigation",
            ),
        ),
        migrations.AddConstraint(
            model_name="certificationrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "declined"), _negated=True),
                    models.Q(("decline_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="cert_declined_with_reason",
            ),
        ),
    ]
