"""Row-level security without a bypass, and an audit log that holds against its own role.

Every task force policy is dropped and recreated as the plain equality with the transaction's
task force (no ``app.bypass_rls``, no OR'ed escape); the one OR left lets a user read their own
memberships and those agencies (the task force switcher), which opens no content table.

The audit log: TRUNCATE is refused by a trigger too; the chain trigger runs as the owner
(SECURITY DEFINER), so the running role needs no write right on the chain heads and cannot wind
a head back to hide rows removed from the end of a chain.
"""

from django.db import migrations

# Frozen copies of taskforce.rls's policies as of this migration.
_SAME_TASK_FORCE = "task_force_id = NULLIF(current_setting('app.task_force_id', true), '')::uuid"
_SAME_USER = "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid"
TENANT_POLICY = f"({_SAME_TASK_FORCE})"
SPECIAL_READ = {
    "taskforce_membership": f"({_SAME_TASK_FORCE} OR {_SAME_USER})",
    "taskforce_agency": (
        f"({_SAME_TASK_FORCE} OR id IN (SELECT agency_id FROM taskforce_membership"
        " WHERE is_active AND user_id = NULLIF(current_setting('app.user_id', true), '')::uuid))"
    ),
}

AUDIT_SQL = f"""
DROP POLICY IF EXISTS audit_append ON taskforce_auditevent;
DROP POLICY IF EXISTS audit_read ON taskforce_auditevent;
-- Platform rows (sign-ins, platform jobs: no task force) are metadata of no tenant; a task
-- force's own rows need its scope.
CREATE POLICY audit_append ON taskforce_auditevent FOR INSERT
    WITH CHECK (task_force_id IS NULL OR {_SAME_TASK_FORCE});
CREATE POLICY audit_read ON taskforce_auditevent FOR SELECT
    USING (task_force_id IS NULL OR {_SAME_TASK_FORCE});

CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON taskforce_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION taskforce_audit_refuse_change();
CREATE TRIGGER audit_head_kept BEFORE DELETE OR TRUNCATE ON taskforce_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION taskforce_audit_refuse_change();

ALTER FUNCTION taskforce_audit_chain() SECURITY DEFINER;
ALTER FUNCTION taskforce_audit_chain() SET search_path FROM CURRENT;

-- Called by `migrate` as the owner (taskforce.dbroles.grant_app_role): the running role's rights.
-- DML only; the audit log INSERT and SELECT; the chain heads and migration history SELECT.
CREATE FUNCTION taskforce_grant_app_role(app_role name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s text := current_schema();
    t text;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, app_role);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %I', s, app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, app_role);
    EXECUTE format('REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA %I FROM %I', s, app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, app_role);
    EXECUTE format('REVOKE ALL ON taskforce_auditevent FROM %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT ON taskforce_auditevent TO %I', app_role);
    FOREACH t IN ARRAY ARRAY['taskforce_auditchainhead', 'django_migrations'] LOOP
        EXECUTE format('REVOKE ALL ON %I FROM %I', t, app_role);
        EXECUTE format('GRANT SELECT ON %I TO %I', t, app_role);
    END LOOP;
    -- Tables a later migration creates get the same DML rights without another step.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        s, app_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', s, app_role);
END
$$;
REVOKE ALL ON FUNCTION taskforce_grant_app_role(name) FROM PUBLIC;
"""

AUDIT_REVERSE_SQL = """
DROP FUNCTION IF EXISTS taskforce_grant_app_role(name);
ALTER FUNCTION taskforce_audit_chain() RESET search_path;
ALTER FUNCTION taskforce_audit_chain() SECURITY INVOKER;
DROP TRIGGER IF EXISTS audit_head_kept ON taskforce_auditchainhead;
DROP TRIGGER IF EXISTS audit_no_truncate ON taskforce_auditevent;
"""


def recreate_policies(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema()"
            " AND policyname = 'task_force_isolation' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
    for table in tables:
        quoted = schema_editor.quote_name(table)
        using = SPECIAL_READ.get(table, TENANT_POLICY)
        schema_editor.execute(f"DROP POLICY task_force_isolation ON {quoted}")
        schema_editor.execute(
            f"CREATE POLICY task_force_isolation ON {quoted} USING {using} WITH CHECK {TENANT_POLICY}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("taskforce", "0006_user_locked_at_apitoken_mfa_pending"),
        ("cases", "0004_encrypt_identity"),
        ("referrals", "0008_charge_statute_codes"),
        ("signin", "0001_initial"),
        ("mdt", "0002_rls"),
        ("reporting", "0002_rls"),
    ]

    operations = [
        # No reverse: the bypass is not coming back.
        migrations.RunPython(recreate_policies, migrations.RunPython.noop),
        migrations.RunSQL(AUDIT_SQL, AUDIT_REVERSE_SQL),
    ]
