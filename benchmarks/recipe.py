"""What the benchmark data is made of: the sizes, the agencies and people of every task force,
and the set-based SQL that fills each table (``generate.py`` runs it). A change here changes the
generator's fingerprint, so every size is built again."""

from __future__ import annotations

from dataclasses import dataclass

YEARS_DAYS = 5 * 365


@dataclass(frozen=True)
class Size:
    name: str
    task_forces: int
    clients: int  # one case per client
    services: int
    tips: int
    investigations: int
    cases_per_case_manager: int  # the busiest case manager's caseload
    heavy_case_services: int  # one case of the largest task force has this long a history
    heavy_case_notes: int


SIZES = {
    "XS": Size("XS", 3, 300, 3_000, 600, 60, 40, 200, 60),
    "T": Size("T", 11, 10_000, 100_000, 20_000, 2_000, 400, 1_000, 100),
    "S": Size("S", 51, 100_000, 1_000_000, 200_000, 20_000, 1_600, 2_000, 200),
    "M": Size("M", 3_000, 1_000_000, 10_000_000, 2_000_000, 200_000, 1_600, 2_000, 200),
}
LARGEST_WEIGHT = 10.0
# The case-owning agencies of every task force and their share of its cases (k % 10).
VS_AGENCIES = ("vs0", "vs1", "vs2")
AGENCIES = (
    ("coord", "Task Force Office", "coordination"),
    ("da", "District Attorney", "law_enforcement"),
    ("pd", "Police Department", "law_enforcement"),
    ("vs0", "Shelter", "victim_services"),
    ("vs1", "Legal Aid", "victim_services"),
    ("vs2", "Counseling Center", "victim_services"),
)
# email local part -> (agency, role); case managers cm<n>.<vs agency> and sup.<vs agency> are added.
SINGLE_USERS = (
    ("coordinator", "coord", "coordinator"),
    ("analyst", "coord", "analyst"),
    ("admin", "coord", "tenant_admin"),
    ("investigator", "da", "le_investigator"),
    ("prosecutor", "da", "prosecutor"),
    ("lesup", "da", "le_supervisor"),
    ("detective", "pd", "le_investigator"),
)


# ------------------------------------------------------------------------------------ the SQL

CYCLES = {
    "trafficking": ["sex", "labor", "both", "unknown", "sex", "labor"],
    "referral_source": [
        "law_enforcement_local",
        "hotline",
        "service_provider",
        "health",
        "school",
        "self",
        "community",
        "other",
    ],
    "age": ["adult", "adult", "minor", "not_reported"],
    "gender": ["female", "female", "male", "transgender", "nonbinary", "not_reported"],
    "citizenship": ["us_citizen", "lpr", "foreign_national", "not_reported"],
    "race": ["hispanic_latino", "white", "black", "asian", "multiple", "not_reported"],
    "service": [
        "case_management",
        "crisis_intervention",
        "emergency_shelter",
        "transitional_housing",
        "basic_needs",
        "medical",
        "dental",
        "mental_health",
        "substance_use",
        "legal_immigration",
        "legal_criminal",
        "legal_civil",
        "interpretation",
        "transportation",
        "education_employment",
        "financial_assistance",
        "safety_planning",
        "family_reunification",
        "child_care",
        "advocacy_accompaniment",
        "life_skills",
        "repatriation",
        "other",
    ],
    "first": [
        "Ana",
        "Maria",
        "Li",
        "Rosa",
        "Amal",
        "Jin",
        "Sofia",
        "Nadia",
        "Elena",
        "Grace",
        "Yuki",
        "Ines",
    ],
    "last": ["Garcia", "Nguyen", "Smith", "Lopez", "Kim", "Patel", "Okafor", "Silva", "Chen", "Haddad"],
    "tip_source": [
        "hotline",
        "public",
        "law_enforcement",
        "service_provider",
        "school",
        "health",
        "anonymous",
    ],
    "channel": ["phone", "email", "web_form", "in_person", "referral", "other"],
    "venue": ["residence", "hotel_motel", "massage_spa", "online", "street", "agriculture", "unknown"],
    "city": ["Riverton", "Lakeside", "Fairview", "Harbor City", "Millbrook"],
    "close_reason": ["no_indicators", "insufficient", "referred_out", "duplicate", "other"],
}


def cyc(name: str, expr: str) -> str:
    values = CYCLES[name]
    literal = "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"
    return f"({literal})[1 + (({expr}) % {len(values)})]"


def statements(size: Size) -> list[tuple[str, str]]:
    """(label, SQL) in order. Parameters: %(now0)s (midnight UTC today), %(today)s."""
    span = f"{YEARS_DAYS} * 86400.0"
    return [
        (
            "task forces",
            """
            INSERT INTO taskforce_taskforce (id, slug, name, jurisdiction, time_zone, fiscal_year_start_month,
                public_tip_form_enabled, consent_max_days, created_at, triage_target_business_days,
                triage_target_immediate_minutes, trafficking_statutes, investigation_number_pattern)
            SELECT id, slug, 'Bench Task Force ' || idx, '', 'America/Los_Angeles', 10, false, 365,
                %(now0)s - interval '6 years', 2, 60,
                ARRAY['PC 236.1', 'PC 266h', 'PC 266i', '18 U.S.C. 1581-1592', '18 U.S.C. 1594'],
                'HT-{year}-{seq:03d}'
            FROM g_tf
            """,
        ),
        (
            "agencies",
            """
            INSERT INTO taskforce_agency (id, created_at, updated_at, name, side, task_force_id)
            SELECT md5('agency:' || t.idx || ':' || a.kind)::uuid, %(now0)s, %(now0)s, a.name, a.side, t.id
            FROM g_tf t CROSS JOIN g_agency_kind a
            """,
        ),
        (
            "case plan",
            f"""
            CREATE TEMP TABLE g_case AS
            SELECT s.idx, s.tf_id, s.k, s.n, s.kind,
                md5('case:' || s.idx || ':' || s.k)::uuid AS case_id,
                md5('client:' || s.idx || ':' || s.k)::uuid AS client_id,
                md5('agency:' || s.idx || ':' || s.kind)::uuid AS agency_id,
                (row_number() OVER (PARTITION BY s.idx, s.kind ORDER BY s.k) - 1)
                    / {size.cases_per_case_manager} AS cm_no,
                %(now0)s - make_interval(secs => {span} * (s.n - s.k) / s.n) AS created_at
            FROM (
                SELECT t.idx, t.id AS tf_id, g.k, t.clients AS n,
                    CASE WHEN g.k % 10 < 6 THEN 'vs0' WHEN g.k % 10 < 9 THEN 'vs1' ELSE 'vs2' END AS kind
                FROM g_tf t CROSS JOIN LATERAL generate_series(0, t.clients - 1) AS g(k)
            ) s;
            ALTER TABLE g_case ADD COLUMN cm_user_id uuid, ADD COLUMN opened_on date, ADD COLUMN closed_on date,
                ADD COLUMN status text;
            UPDATE g_case SET
                cm_user_id = md5('user:cm' || cm_no || '.' || kind || '@tf' || lpad(idx::text, 4, '0')
                    || '.bench')::uuid,
                opened_on = created_at::date,
                status = CASE WHEN k = 0 THEN 'open'
                    WHEN created_at < %(now0)s - interval '365 days' AND k % 4 <> 0 THEN 'closed'
                    WHEN k % 5 = 0 THEN 'intake' ELSE 'open' END;
            UPDATE g_case SET closed_on = LEAST(opened_on + 120, %(today)s::date) WHERE status = 'closed';
            CREATE UNIQUE INDEX ON g_case (idx, k);
            ANALYZE g_case
            """,
        ),
        (
            "users and memberships",
            """
            CREATE TEMP TABLE g_user AS
            SELECT t.idx, t.id AS tf_id, u.local || '@' || t.slug || '.bench' AS email, u.kind, u.role
            FROM g_tf t CROSS JOIN g_single_user u
            UNION ALL
            SELECT t.idx, t.id, 'sup.' || v.kind || '@' || t.slug || '.bench', v.kind, 'vs_supervisor'
            FROM g_tf t CROSS JOIN (VALUES ('vs0'), ('vs1'), ('vs2')) v(kind)
            UNION ALL
            SELECT t.idx, t.id, 'cm' || c.cm_no || '.' || v.kind || '@' || t.slug || '.bench', v.kind,
                'vs_case_manager'
            FROM g_tf t CROSS JOIN (VALUES ('vs0'), ('vs1'), ('vs2')) v(kind)
            CROSS JOIN LATERAL generate_series(0, COALESCE(
                (SELECT max(cm_no) FROM g_case c WHERE c.idx = t.idx AND c.kind = v.kind), 0)) AS c(cm_no);
            INSERT INTO taskforce_user (id, password, is_superuser, email, full_name, is_active, is_staff,
                date_joined, sessions_valid_after)
            SELECT md5('user:' || email)::uuid, '!bench', false, email, split_part(email, '@', 1), true, false,
                %(now0)s - interval '6 years', %(now0)s - interval '6 years'
            FROM g_user;
            INSERT INTO taskforce_membership (id, created_at, updated_at, role, is_active, agency_id, user_id,
                task_force_id)
            SELECT md5('membership:' || email)::uuid, %(now0)s, %(now0)s, role, true,
                md5('agency:' || idx || ':' || kind)::uuid, md5('user:' || email)::uuid, tf_id
            FROM g_user
            """,
        ),
        (
            "clients, identities, cases, assignments",
            f"""
            INSERT INTO cases_client (id, created_at, updated_at, age_group_at_intake, gender, citizenship,
                race_ethnicity, agency_id, task_force_id)
            SELECT client_id, created_at, created_at, {cyc("age", "k")}, {cyc("gender", "k / 3")},
                {cyc("citizenship", "k / 5")}, {cyc("race", "k / 7")}, agency_id, tf_id
            FROM g_case;
            INSERT INTO cases_clientidentity (id, created_at, updated_at, first_name, last_name, preferred_name,
                aliases, phone, email, address, preferred_language, immigration_status, safe_contact,
                unsafe_channels, address_confidential, client_id, task_force_id)
            SELECT md5('identity:' || idx || ':' || k)::uuid, created_at, created_at, {cyc("first", "k")},
                {cyc("last", "k / 12")} || '-' || k, '', '', '', '', '', 'English', '', '', '{{}}', k % 50 = 0,
                client_id, tf_id
            FROM g_case;
            INSERT INTO cases_case (id, created_at, updated_at, status, closure_reason, trafficking_type,
                referral_source, minor_at_intake, opened_on, closed_on, last_contact_on, agency_id,
                task_force_id, client_id)
            SELECT case_id, created_at, created_at, status,
                CASE WHEN status = 'closed' THEN 'goals_met' ELSE '' END, {cyc("trafficking", "k")},
                {cyc("referral_source", "k / 2")}, k % 4 = 2, opened_on, closed_on,
                LEAST(opened_on + 60, %(today)s::date), agency_id, tf_id, client_id
            FROM g_case;
            INSERT INTO cases_caseuserobjectpermission (content_object_id, permission_id, task_force_id, user_id)
            SELECT case_id, (SELECT id FROM g_perm WHERE codename = 'view_case'), tf_id, cm_user_id
            FROM g_case;
            -- The control arm of performance.md: the same assignments in guardian's generic table.
            INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id)
            SELECT case_id::text, (SELECT content_type_id FROM g_perm WHERE codename = 'view_case'),
                (SELECT id FROM g_perm WHERE codename = 'view_case'), cm_user_id
            FROM g_case
            """,
        ),
        (
            "service deliveries",
            f"""
            INSERT INTO cases_servicedelivery (id, created_at, updated_at, delivered_on, service_type, units,
                note, agency_id, case_id, client_id, providing_agency_id, recorded_by_id, task_force_id,
                void_reason)
            SELECT md5('service:' || s.idx || ':' || s.j)::uuid, d.day + time '17:00', d.day + time '17:00',
                d.day, {cyc("service", "s.j")}, 1, '', c.agency_id, c.case_id, c.client_id, c.agency_id,
                c.cm_user_id, c.tf_id, ''
            FROM (
                SELECT t.idx, g.j, CASE
                    WHEN t.idx = 0 AND g.j < {size.heavy_case_services} THEN 0
                    WHEN t.clients > 1 THEN 1 + g.j % (t.clients - 1) ELSE 0 END AS k
                FROM g_tf t CROSS JOIN LATERAL generate_series(0, t.services - 1) AS g(j)
            ) s
            JOIN g_case c ON c.idx = s.idx AND c.k = s.k
            CROSS JOIN LATERAL (SELECT c.opened_on + (s.j * 37) % GREATEST(1,
                COALESCE(c.closed_on, %(today)s::date) - c.opened_on + 1) AS day) d
            """,
        ),
        (
            "case notes",
            f"""
            INSERT INTO cases_casenote (id, created_at, updated_at, text, privileged, agency_id, author_id,
                case_id, task_force_id)
            SELECT md5('note:' || c.idx || ':' || c.k || ':' || g.n)::uuid,
                c.created_at + make_interval(hours => g.n), c.created_at + make_interval(hours => g.n),
                'Synthetic progress note ' || g.n, (c.k + g.n) % 10 = 0, c.agency_id, c.cm_user_id, c.case_id,
                c.tf_id
            FROM g_case c
            CROSS JOIN LATERAL generate_series(0, CASE WHEN c.idx = 0 AND c.k = 0
                THEN {size.heavy_case_notes - 1} ELSE 0 END) AS g(n)
            """,
        ),
        (
            "tips",
            f"""
            INSERT INTO referrals_tip (id, created_at, updated_at, received_at, channel, source, trafficking_type,
                city, venue_type, narrative, potential_victims, minors_involved, urgency, status, close_reason,
                via_public_form, assigned_to_id, entered_by_id, task_force_id,
                phones, handles, urls, plates, addresses, names)
            SELECT md5('tip:' || s.idx || ':' || s.t)::uuid, s.at, s.at, s.at, {cyc("channel", "s.t")},
                {cyc("tip_source", "s.t / 2")}, {cyc("trafficking", "s.t / 3")}, {cyc("city", "s.t")},
                {cyc("venue", "s.t / 5")}, 'Synthetic tip ' || s.t, s.t % 4, s.t % 9 = 0,
                CASE WHEN s.t % 50 = 0 THEN 'immediate' WHEN s.t % 5 = 0 THEN 'high'
                    WHEN s.t % 7 = 0 THEN 'low' ELSE 'normal' END,
                s.status, CASE WHEN s.status = 'closed' THEN {cyc("close_reason", "s.t")} ELSE '' END, false,
                CASE WHEN s.status = 'assigned' THEN md5('user:investigator@' || s.slug || '.bench')::uuid END,
                md5('user:coordinator@' || s.slug || '.bench')::uuid, s.tf_id,
                '', '', '', '', '', ''
            FROM (
                SELECT t.idx, t.id AS tf_id, t.slug, g.t, x.at,
                    CASE WHEN x.at > %(now0)s - interval '21 days'
                        THEN (ARRAY['new', 'triaged', 'assigned'])[1 + g.t % 3] ELSE 'closed' END AS status
                FROM g_tf t CROSS JOIN LATERAL generate_series(0, t.tips - 1) AS g(t)
                CROSS JOIN LATERAL (SELECT %(now0)s - make_interval(secs => {span} * (t.tips - g.t) / t.tips)
                    + interval '1 hour' AS at) x
            ) s
            """,
        ),
        (
            "investigations and teams",
            f"""
            INSERT INTO referrals_investigation (id, created_at, updated_at, case_number, title, trafficking_type,
                status, restricted, opened_on, closed_on, summary, created_by_id, lead_agency_id, task_force_id)
            SELECT md5('investigation:' || s.idx || ':' || s.i)::uuid, s.opened + time '10:00',
                s.opened + time '10:00', 'B-' || lpad(s.i::text, 7, '0'), 'Operation ' || s.i,
                {cyc("trafficking", "s.i")}, s.status, s.i % 20 = 0, s.opened,
                CASE WHEN s.status = 'closed' THEN LEAST(s.opened + 200, %(today)s::date) END, '',
                md5('user:investigator@' || s.slug || '.bench')::uuid,
                md5('agency:' || s.idx || ':' || CASE WHEN s.i % 2 = 0 THEN 'da' ELSE 'pd' END)::uuid, s.tf_id
            FROM (
                SELECT t.idx, t.id AS tf_id, t.slug, g.i, x.opened,
                    CASE WHEN x.opened < %(today)s::date - 365 AND g.i % 3 <> 0 THEN 'closed' ELSE 'open' END
                        AS status
                FROM g_tf t CROSS JOIN LATERAL generate_series(0, t.investigations - 1) AS g(i)
                CROSS JOIN LATERAL (SELECT %(today)s::date
                    - ({YEARS_DAYS} * (t.investigations - g.i) / t.investigations) AS opened) x
            ) s;
            INSERT INTO referrals_investigationuserobjectpermission (content_object_id, permission_id,
                task_force_id, user_id)
            SELECT md5('investigation:' || t.idx || ':' || g.i)::uuid,
                (SELECT id FROM g_perm WHERE codename = 'view_investigation'), t.id,
                md5('user:' || CASE WHEN g.i % 40 = 0 THEN 'investigator' ELSE 'detective' END || '@'
                    || t.slug || '.bench')::uuid
            FROM g_tf t CROSS JOIN LATERAL generate_series(0, t.investigations - 1) AS g(i)
            WHERE g.i % 20 = 0
            """,
        ),
    ]
