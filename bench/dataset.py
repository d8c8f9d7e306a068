"""The benchmark data set, shared by the benchmarks: built with generate_series on PostgreSQL.

`build` empties the app's tables in the database DATABASE_URL names and fills them with teams,
gestures, customers, two years of interactions and their deliveries; `STALE` keeps each row's
levels as logged before any gesture or omission was applied, so a benchmark can reset to it.
"""

import contextlib
import time

TEAMS = 5
STALE = "bench_stale"
REFERENCE = "bench_reference"


def setup_django():
    import django

    django.setup()


def sql(statement, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        if cursor.description:
            return cursor.fetchall()
    return None


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


@contextlib.contextmanager
def indexes_set_aside(*tables):
    """Bulk loading into tables without their secondary indexes and constraints (the primary keys
    stay), then building each index once: at 10M rows, keeping eight indexes up to date row by row
    is most of the build. The definitions are read from the catalogue, so they are the migrations'
    own; foreign keys are checked once, when they are added back."""
    names = ", ".join(f"'{t}'::regclass" for t in tables)
    constraints = sql(
        f"""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid IN ({names}) AND contype IN ('u', 'f') ORDER BY contype DESC"""
    )
    indexes = sql(
        f"""SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid IN ({names}) AND NOT indisprimary
              AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype = 'u')"""
    )
    for table, name, _ in constraints:
        sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        sql(f"DROP INDEX {name}")
    try:
        yield
    finally:
        sql("SET maintenance_work_mem = '1GB'")
        sql("SET max_parallel_maintenance_workers = 2")
        for _, definition in indexes:
            sql(definition)
        for table, name, definition in reversed(constraints):
            sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        sql("RESET maintenance_work_mem")
        sql("RESET max_parallel_maintenance_workers")


def team_weights(teams: int, skewed: bool) -> list[float]:
    """Each team's share of the customers (and so of the interactions). Skewed: one team holds 40%,
    the others share the rest in a decaying series, so the last twenty or so hold under 0.1% each."""
    if not skewed or teams < 2:
        return [1 / teams] * teams
    rest = [0.85**k for k in range(1, teams)]
    return [0.40] + [0.60 * w / sum(rest) for w in rest]


def build(*, interactions: int, customers: int, gestures: int, seed: float, teams: int = TEAMS, skewed: bool = False):
    from decimal import Decimal

    from django.core.management import call_command

    from accounts.models import Team
    from interactions.models import Gesture

    call_command("migrate", verbosity=0)
    sql(
        "TRUNCATE interactions_levelchange, interactions_gesturedelivery, interactions_interaction, "
        "interactions_gesturedrift, interactions_jobrun, drift_joblock, "
        "recovery_caseevent, recovery_recoverycase, interactions_customer, interactions_gesture "
        "RESTART IDENTITY CASCADE"
    )
    sql(f"DROP TABLE IF EXISTS {STALE}; DROP TABLE IF EXISTS {REFERENCE}")
    Team.objects.filter(name__startswith="Bench ").delete()
    count = teams
    teams = [Team.objects.create(name=f"Bench {k}", timezone="UTC", drift_share=Decimal("0.5")) for k in range(count)]
    per_team = max(3, gestures // count)  # two recurring ones and at least one other
    for k, team in enumerate(teams):
        for j in range(per_team):
            from interactions.levels import Channel

            # Recurring gestures are offered on every channel, so omission counts everywhere, as the
            # reference SQL (which knows no channels) computes it.
            Gesture.objects.create(
                team=team, name=f"G{k}-{j}", base_level=6 if j % 2 else 5, recurring=j < 2, cost=Decimal("3"),
                channels=[c.value for c in Channel] if j < 2 else [],
            )
    team_ids = "ARRAY[" + ",".join(str(t.id) for t in teams) + "]"
    if skewed:
        cumulative, total = [], 0.0
        for weight in team_weights(count, True):
            total += weight
            cumulative.append(min(total, 1.0))
        cumulative[-1] = 1.000001
        # A fixed spread of customers over teams by their id (the same data set each build).
        team_index = (
            f"(SELECT k FROM unnest(ARRAY[{','.join(f'{c:.9f}' for c in cumulative)}]::float8[]) WITH ORDINALITY u(c, k) "
            "WHERE u.c > mod(g::bigint * 7919, 1000003) / 1000003.0 ORDER BY u.c LIMIT 1)"
        )
    else:
        team_index = f"1 + mod(g, {count})"
    sql("SELECT setseed(%s)", [seed])
    sql(
        f"""INSERT INTO interactions_customer (id, team_id, name, email, phone, preferred_channel, preferences,
                special_dates, language, created_at, contact_opt_out, unsubscribe_nonce)
            SELECT g, ({team_ids})[{team_index}], 'Customer ' || g, 'c' || g || '@example.com', '', 'email', '',
                   '[]'::jsonb, 'en', now() - interval '800 days', false, ''
            FROM generate_series(1, %s) g""",
        [customers],
    )
    with indexes_set_aside("interactions_interaction", "interactions_gesturedelivery"):
        # Interactions over two years; level = steps 1-3 only (stale: no gestures, no omissions applied).
        sql(
            """INSERT INTO interactions_interaction (id, team_id, customer_id, channel, occurred_at, summary, promise_kept,
                    issues, matched_preference, assessed_level, customer_level, level, omitted_gestures, customer_comment,
                    created_at, feedback_nonce, feedback_digest, reason)
                SELECT g, (SELECT team_id FROM interactions_customer WHERE id = c), c, 'phone', at, '', kept, issues, matched, step3, rated,
                       COALESCE(rated, step3), '[]'::jsonb, '', at, md5(g::text), md5(g::text) || md5((-g)::text), ''
                FROM (
                    SELECT g, 1 + floor(random() * %s)::int AS c,
                           now() - interval '730 days' * random() AS at,
                           random() > 0.05 AS kept, random() < 0.10 AS late, random() < 0.30 AS matched,
                           CASE WHEN random() < 0.02 THEN 1 + floor(random() * 6)::int END AS rated
                    FROM generate_series(1, %s) g
                ) x
                CROSS JOIN LATERAL (SELECT CASE WHEN late THEN '["late"]'::jsonb ELSE '[]'::jsonb END AS issues,
                                           CASE WHEN NOT kept THEN 1 WHEN late THEN 2 WHEN matched THEN 4 ELSE 3 END AS step3) s""",
            [customers, interactions],
        )
        # About 40% of interactions give a gesture (half of them one of the team's two recurring ones), 5% two.
        sql(
            f"""INSERT INTO interactions_gesturedelivery (interaction_id, gesture_id, customer_id, delivered_at)
                SELECT i.id, (i.team_id - {teams[0].id}) * {per_team} + 1 + p.pick, i.customer_id, i.occurred_at
                FROM interactions_interaction i
                CROSS JOIN LATERAL (SELECT random() + 0 * i.id AS r, random() + 0 * i.id AS r2) r
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN r.r2 < 0.5 THEN floor(r.r2 * 4)::int ELSE 2 + floor((r.r2 - 0.5) * 2 * ({per_team} - 2))::int END AS pick
                    WHERE r.r < 0.40
                    UNION ALL
                    SELECT mod(CASE WHEN r.r2 < 0.5 THEN floor(r.r2 * 4)::int ELSE 2 + floor((r.r2 - 0.5) * 2 * ({per_team} - 2))::int END + 1, {per_team})
                    WHERE r.r < 0.05
                ) p"""
        )
    for table in ("interactions_customer", "interactions_interaction", "interactions_gesturedelivery"):
        sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    sql("VACUUM ANALYZE")
    sql(f"CREATE TABLE {STALE} AS SELECT id, assessed_level, level, omitted_gestures FROM interactions_interaction")
    sql(f"ALTER TABLE {STALE} ADD PRIMARY KEY (id)")


def open_cases_as_logging_did():
    """Criminal and Basic interactions got their recovery case when they were logged: create those in
    one INSERT … SELECT, so the timed runs measure re-scoring, not a one-off backlog of case openings.

    Each case gets working customer links: the nonce is random and the digest is worked out in SQL
    the way `interactions.links` does it (HMAC-SHA256 of the nonce under the purpose's derived key,
    the first 32 hex characters as the token, the SHA-256 of the token stored), with the HMAC's
    inner and outer padded keys computed here; so a 10M set's 1.5M cases take seconds, not a
    Python loop. The columns not set per row take the model's own defaults."""
    from django.conf import settings
    from django.db import connection

    from interactions.links import _link_key
    from recovery.models import RecoveryCase
    from recovery.services.links import RECOVERED, STATUS

    def pads(purpose):
        key = _link_key(purpose, settings.SECRET_KEY).ljust(64, b"\0")
        return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)

    def digest_sql(nonce, inner, outer):
        token = f"left(encode(sha256({outer} || sha256({inner} || convert_to({nonce}, 'UTF8'))), 'hex'), 32)"
        return f"encode(sha256(convert_to({token}, 'UTF8')), 'hex')"

    per_row = {
        "interaction_id": "i.id", "customer_id": "i.customer_id", "team_id": "i.team_id", "severity": "i.level",
        "opened_at": "i.occurred_at",
        "fix_due": "i.occurred_at + CASE WHEN i.level = 1 THEN interval '4 hours' ELSE interval '24 hours' END",
        "status_nonce": "n.status_nonce", "status_digest": digest_sql("n.status_nonce", "%s", "%s"),
        "recovered_nonce": "n.recovered_nonce", "recovered_digest": digest_sql("n.recovered_nonce", "%s", "%s"),
    }
    template = RecoveryCase()
    constant = [f for f in RecoveryCase._meta.concrete_fields if not f.primary_key and f.attname not in per_row]
    columns = list(per_row) + [f.column for f in constant]
    status_inner, status_outer = pads(STATUS)
    recovered_inner, recovered_outer = pads(RECOVERED)
    params = [status_outer, status_inner, recovered_outer, recovered_inner]  # in the order the SQL names them
    params += [f.get_db_prep_save(getattr(template, f.attname), connection) for f in constant]
    sql(
        # The cases that exist are read once, before the insert (a probe of the table being filled can
        # be planned as a scan per row of a table the statement keeps growing), and joined as an anti-join
        # (NOT IN over a set larger than work_mem is a linear search per row).
        f"""WITH existing AS MATERIALIZED (SELECT interaction_id FROM recovery_recoverycase WHERE interaction_id IS NOT NULL)
            INSERT INTO recovery_recoverycase ({", ".join(columns)})
            SELECT {", ".join(per_row.values())}, {", ".join(["%s"] * len(constant))}
            FROM interactions_interaction i
            CROSS JOIN LATERAL (SELECT md5(random()::text || i.id) AS status_nonce,
                                       md5(random()::text || -i.id) AS recovered_nonce) n
            WHERE i.level IN (1, 2) AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.interaction_id = i.id)""",
        params,
    )


def clear_history():
    """Between rounds the benchmark forgets the level history. The app never can: the audit trigger
    refuses DELETE on it, and TRUNCATE (a benchmark-only reset) is not a row operation."""
    sql("TRUNCATE interactions_levelchange")


def restore_stale(where: str = "TRUE"):
    sql(
        f"""UPDATE interactions_interaction i SET assessed_level = s.assessed_level, level = s.level,
                   omitted_gestures = s.omitted_gestures
            FROM {STALE} s WHERE i.id = s.id AND ({where})
              AND (i.assessed_level, i.level, i.omitted_gestures) IS DISTINCT FROM (s.assessed_level, s.level, s.omitted_gestures)"""
    )


def mismatches() -> int:
    return sql(
        f"""SELECT count(*) FROM interactions_interaction i JOIN {REFERENCE} r ON r.id = i.id
            WHERE (i.assessed_level, i.level, i.omitted_gestures) IS DISTINCT FROM (r.assessed_level, r.level, r.omitted_gestures)"""
    )[0][0]
