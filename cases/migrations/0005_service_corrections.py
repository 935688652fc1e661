import uuid

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import taskforce.crypto
from taskforce.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_encrypt_identity"),
        ("taskforce", "0005_investigation_number_pattern"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NoteAddendum",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("text", taskforce.crypto.EncryptedTextField(max_length=20000)),
            ],
            options={
                "verbose_name_plural": "note addenda",
            },
        ),
        migrations.CreateModel(
            name="ServiceCorrection",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("corrected", "Corrected"), ("voided", "Voided")], max_length=10
                    ),
                ),
                (
                    "fields",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=30), blank=True, default=list, size=None
                    ),
                ),
                ("previous", taskforce.crypto.EncryptedTextField(blank=True)),
                ("reason", taskforce.crypto.EncryptedCharField(max_length=300)),
                ("delivered_on", models.DateField()),
                ("previous_delivered_on", models.DateField()),
            ],
        ),
        migrations.RemoveIndex(
            model_name="servicedelivery",
            name="service_tf_month_idx",
        ),
        migrations.AddField(
            model_name="servicedelivery",
            name="corrected_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="servicedelivery",
            name="void_reason",
            field=taskforce.crypto.EncryptedCharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="servicedelivery",
            name="voided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="servicedelivery",
            name="voided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="servicedelivery",
            index=models.Index(
                condition=models.Q(("voided_at__isnull", True)),
                fields=["task_force", "delivered_on", "agency", "client"],
                name="service_tf_month_idx",
            ),
        ),
        migrations.AddField(
            model_name="noteaddendum",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="taskforce.agency"
            ),
        ),
        migrations.AddField(
            model_name="noteaddendum",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="noteaddendum",
            name="note",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="addenda", to="cases.casenote"
            ),
        ),
        migrations.AddField(
            model_name="noteaddendum",
            name="task_force",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="taskforce.taskforce"
            ),
        ),
        migrations.AddField(
            model_name="servicecorrection",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="taskforce.agency"
            ),
        ),
        migrations.AddField(
            model_name="servicecorrection",
            name="changed_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="servicecorrection",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="corrections",
                to="cases.servicedelivery",
            ),
        ),
        migrations.AddField(
            model_name="servicecorrection",
            name="task_force",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="taskforce.taskforce"
            ),
        ),
        migrations.AddIndex(
            model_name="noteaddendum",
            index=models.Index(fields=["task_force", "note", "created_at"], name="noteaddendum_tf_note_idx"),
        ),
        migrations.AddIndex(
            model_name="servicecorrection",
            index=models.Index(
                fields=["task_force", "service", "-created_at"], name="servicecorr_tf_service_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="servicecorrection",
            index=models.Index(fields=["task_force", "-created_at"], name="servicecorr_tf_created_idx"),
        ),
        # New victim-services tables: the same fail-closed task force policy as 0002_rls.
        EnableRowLevelSecurity("servicecorrection"),
        EnableRowLevelSecurity("noteaddendum"),
    ]
