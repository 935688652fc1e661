"""Row-level security on the core's task-force-owned tables, and the audit log's guarantees:
append-only (UPDATE and DELETE refused by a trigger) and hash-chained (computed by a trigger,
so no application code can forge or skip it).
"""

from django.db import migrations

from taskforce.rls import EnableRowLevelSecurity

# The policies as they were written then (0004 replaces them all, without the bypass).
_BYPASS = "current_setting('app.bypass_rls', true) = 'on'"
_SAME_TASK_FORCE = "task_force_id = NULLIF(current_setting('app.task_force_id', true), '')::uuid"
_SAME_USER = "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid"
TENANT_POLICY = f"({_BYPASS} OR {_SAME_TASK_FORCE})"
MEMBERSHIP_READ_POLICY = f"({_BYPASS} OR {_SAME_TASK_FORCE} OR {_SAME_USER})"
AGENCY_READ_POLICY = (
    f"({_BYPASS} OR {_SAME_TASK_FORCE} OR id IN (SELECT agency_id FROM taskforce_membership"
    " WHERE is_active AND user_id = NULLIF(current_setting('app.user_id', true), '')::uuid))"
)

AUDIT_SQL = f"""
CREATE FUNCTION taskforce_audit_digest(prev text, e taskforce_auditevent) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws('|',
        prev,
        e.seq::text,
        e.public_id::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(e.task_force_id::text, '-'),
        coalesce(e.user_id::text, '-'),
        coalesce(e.agency_id::text, '-'),
        e.role, e.action, e.target_type, e.target_id, e.outcome,
        coalesce(host(e.source_ip), '-'),
        e.detail::text
    ), 'UTF8')), 'hex')
$$;

CREATE FUNCTION taskforce_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head text;
BEGIN
    NEW.chain_key := coalesce(NEW.task_force_id::text, 'platform');
    INSERT INTO taskforce_auditchainhead (chain_key, last_seq, last_hash)
        VALUES (NEW.chain_key, 0, '') ON CONFLICT (chain_key) DO NOTHING;
    -- The row lock orders concurrent appends to one chain; other chains are not blocked.
    SELECT last_hash INTO head FROM taskforce_auditchainhead WHERE chain_key = NEW.chain_key FOR UPDATE;
    NEW.prev_hash := head;
    NEW.row_hash := taskforce_audit_digest(head, NEW);
    UPDATE taskforce_auditchainhead SET last_hash = NEW.row_hash, last_seq = NEW.seq
        WHERE chain_key = NEW.chain_key;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chain BEFORE INSERT ON taskforce_auditevent
    FOR EACH ROW EXECUTE FUNCTION taskforce_audit_chain();

CREATE FUNCTION taskforce_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Statement level: it fires even when row-level security leaves no row to touch, so every
-- attempt fails loudly instead of silently changing nothing.
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON taskforce_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION taskforce_audit_refuse_change();

ALTER TABLE taskforce_auditevent ENABLE ROW LEVEL SECURITY;
ALTER TABLE taskforce_auditevent FORCE ROW LEVEL SECURITY;
-- Anyone may append (sign-in events have no task force yet); only a task force's own
-- scope, or the platform bypass, may read.
CREATE POLICY audit_append ON taskforce_auditevent FOR INSERT
    WITH CHECK ({_BYPASS} OR task_force_id IS NULL OR {_SAME_TASK_FORCE});
CREATE POLICY audit_read ON taskforce_auditevent FOR SELECT USING ({_BYPASS} OR {_SAME_TASK_FORCE});
"""

AUDIT_REVERSE_SQL = """
DROP POLICY IF EXISTS audit_read ON taskforce_auditevent;
DROP POLICY IF EXISTS audit_append ON taskforce_auditevent;
ALTER TABLE taskforce_auditevent NO FORCE ROW LEVEL SECURITY;
ALTER TABLE taskforce_auditevent DISABLE ROW LEVEL SECURITY;
DROP TRIGGER IF EXISTS audit_append_only ON taskforce_auditevent;
DROP FUNCTION IF EXISTS taskforce_audit_refuse_change();
DROP TRIGGER IF EXISTS audit_chain ON taskforce_auditevent;
DROP FUNCTION IF EXISTS taskforce_audit_chain();
DROP FUNCTION IF EXISTS taskforce_audit_digest(text, taskforce_auditevent);
"""


class Migration(migrations.Migration):
    dependencies = [("taskforce", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("agency", using=AGENCY_READ_POLICY, check=TENANT_POLICY),
        EnableRowLevelSecurity("membership", using=MEMBERSHIP_READ_POLICY, check=TENANT_POLICY),
        migrations.RunSQL(AUDIT_SQL, AUDIT_REVERSE_SQL),
    ]
