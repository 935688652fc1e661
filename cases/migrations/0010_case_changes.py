"""The case page's field-change history in its own table (``CaseChange``), carried over from the
audit log's rows of the same changes. The audit rows stay as they are."""

import uuid

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from taskforce.migrations._fieldcrypto import each_task_force
from taskforce.rls import EnableRowLevelSecurity

# One task force's change rows of the audit log, as the case page read them before: the case
# named in the detail (a client or service change) or as the target (a case change), of the
# case's own agency; field names only. A case that no longer exists is skipped.
BACKFILL_SQL = """
INSERT INTO cases_casechange
    (id, task_force_id, created_at, updated_at, case_id, agency_id, changed_at, changed_by_id, kind, fields)
SELECT gen_random_uuid(), e.task_force_id, now(), now(), c.id, c.agency_id, e.occurred_at, u.id, e.action,
    CASE WHEN jsonb_typeof(e.detail -> 'fields') = 'array'
        THEN ARRAY(SELECT left(f, 40) FROM jsonb_array_elements_text(e.detail -> 'fields') AS f)
        ELSE '{}'::varchar(40)[] END
FROM taskforce_auditevent e
JOIN cases_case c ON c.task_force_id = e.task_force_id AND c.agency_id = e.agency_id
    AND c.id::text = CASE WHEN e.action = 'case.changed' AND e.target_type = 'cases.case'
        THEN e.target_id ELSE e.detail ->> 'case' END
LEFT JOIN taskforce_user u ON u.id = e.user_id
WHERE e.task_force_id = %s
    AND e.action IN ('client.changed', 'case.changed', 'service.corrected', 'service.voided')
ORDER BY e.seq
"""


def copy_from_audit_log(apps, schema_editor):
    # Row-level security is forced on both tables: one task force at a time, in its scope.
    for cursor, tf_id in each_task_force(schema_editor):
        cursor.execute(BACKFILL_SQL, [tf_id])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_list_sort_indexes"),
        ("taskforce", "0007_rls_without_bypass"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseChange",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("client.changed", "client details corrected"),
                            ("case.changed", "case changed"),
                            ("service.corrected", "service corrected"),
                            ("service.voided", "service voided"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "fields",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=40), blank=True, default=list, size=None
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="taskforce.agency"
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.case"
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "task_force",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="taskforce.taskforce",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["task_force", "case", "-changed_at"], name="casechange_tf_case_idx")
                ],
            },
        ),
        # A new victim-services table: the same fail-closed task force policy as 0002_rls.
        EnableRowLevelSecurity("casechange"),
        migrations.RunPython(copy_from_audit_log, migrations.RunPython.noop, elidable=True),
    ]
