#!/usr/bin/env python
"""Benchmark of the re-score job (drift/services.py) on PostgreSQL.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cx_bench \\
        python bench/rescore.py --interactions 1000000 --customers 50000 --gestures 40

Builds the data with generate_series (seconds), then times in the same run:

1. the hand-written reference: one SQL statement doing the same computation (levels as of each
   occurred_at with window-function delivery counts, drift, omission caps, customer ratings), writing
   the changed rows and their history;
2. the full re-score job (drift + levels), from the same stale state; its result must
   equal the reference's row for row;
3. an incremental run with nothing to do;
4. an incremental run with 5% of the customers touched (late facts);
5. the naive ORM loop (rubric_facts + save per interaction) on a sample, extrapolated.

It prints a Markdown table (and --write-docs puts it into docs/performance.md). The database named
by DATABASE_URL is emptied first: never point it at data you want to keep.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxportal.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")

from bench.dataset import (  # noqa: E402,F401
    REFERENCE,
    STALE,
    TEAMS,
    build,
    clear_history,
    mismatches,
    open_cases_as_logging_did,
    restore_stale,
    setup_django,
    sql,
    timed,
)

REFERENCE_SQL = """
WITH gs AS (
    SELECT id, base_level, (recurring AND active) AS rec FROM interactions_gesture
), received AS (
    -- recurring gestures each customer ever received: only those can cap a level by omission
    SELECT DISTINCT d.customer_id, d.gesture_id FROM interactions_gesturedelivery d JOIN gs ON gs.id = d.gesture_id AND gs.rec
), probes AS (
    -- every (interaction, gesture) pair the rubric reads: the gestures given in it, and the recurring
    -- gestures its customer received before and did not get this time
    SELECT d.interaction_id AS iid, d.customer_id, d.gesture_id, d.delivered_at AS at, true AS given
    FROM interactions_gesturedelivery d
    UNION ALL
    SELECT i.id, i.customer_id, r.gesture_id, i.occurred_at, false
    FROM interactions_interaction i JOIN received r ON r.customer_id = i.customer_id
    WHERE NOT EXISTS (SELECT 1 FROM interactions_gesturedelivery d WHERE d.interaction_id = i.id AND d.gesture_id = r.gesture_id)
), counted AS (
    -- deliveries of that gesture to that customer in the window strictly before the interaction
    SELECT iid, gesture_id, given, at,
           count(*) FILTER (WHERE given) OVER (
               PARTITION BY customer_id, gesture_id ORDER BY at
               RANGE BETWEEN INTERVAL '365 days' PRECEDING AND CURRENT ROW EXCLUDE GROUP
           ) AS prior
    FROM probes
), rated AS (
    SELECT c.iid, c.gesture_id, c.given, c.prior,
           GREATEST(3, gs.base_level + COALESCE(dr."offset", 0)) AS base
    FROM counted c JOIN gs ON gs.id = c.gesture_id
    LEFT JOIN interactions_gesturedrift dr ON dr.gesture_id = c.gesture_id AND dr.effective_from <= c.at
), per_interaction AS (
    SELECT iid,
           max(GREATEST(2, base - prior)) FILTER (WHERE given) AS lift,
           min(GREATEST(2, base - (prior - 1)) - 1) FILTER (WHERE NOT given AND prior >= 1 AND GREATEST(2, base - (prior - 1)) <= 3) AS cap,
           COALESCE(jsonb_agg(gesture_id ORDER BY gesture_id) FILTER (WHERE NOT given AND prior >= 1 AND GREATEST(2, base - (prior - 1)) <= 3), '[]'::jsonb) AS omitted
    FROM rated GROUP BY iid
), scored AS (
    SELECT i.id, i.level AS old_level, i.customer_level,
           GREATEST(1, LEAST(6, LEAST(
               CASE WHEN s.step3 >= 3 THEN GREATEST(s.step3, COALESCE(p.lift, 0)) ELSE s.step3 END,
               COALESCE(p.cap, 6)))) AS assessed,
           COALESCE(p.omitted, '[]'::jsonb) AS omitted
    FROM interactions_interaction i
    CROSS JOIN LATERAL (SELECT CASE WHEN NOT i.promise_kept THEN 1 WHEN jsonb_array_length(i.issues) > 0 THEN 2
                                    WHEN i.matched_preference THEN 4 ELSE 3 END AS step3) s
    LEFT JOIN per_interaction p ON p.iid = i.id
), changed AS (
    UPDATE interactions_interaction i
    SET assessed_level = s.assessed, level = COALESCE(s.customer_level, s.assessed), omitted_gestures = s.omitted
    FROM scored s
    WHERE i.id = s.id AND (i.assessed_level, i.level, i.omitted_gestures)
          IS DISTINCT FROM (s.assessed, COALESCE(s.customer_level, s.assessed), s.omitted)
    RETURNING i.id, s.old_level, i.level
)
INSERT INTO interactions_levelchange (interaction_id, old_level, new_level, cause, reason, changed_at)
SELECT id, old_level, level, 'rescore', 'reference', now() FROM changed WHERE old_level <> level
"""


def naive_loop(sample: int) -> float:
    """What a first version would do: the rubric's selectors and a save per interaction."""
    from django.db import transaction

    from interactions import scoring
    from interactions.models import Interaction, LevelChange
    from interactions.selectors import rubric_facts

    class Rollback(Exception):
        pass

    ids = [row[0] for row in sql("SELECT id FROM interactions_interaction ORDER BY id LIMIT %s", [sample])]
    restore_stale(f"i.id <= {ids[-1]}")
    start = time.perf_counter()
    try:
        with transaction.atomic():
            for interaction in Interaction.objects.filter(id__lte=ids[-1]).select_related("team").iterator(chunk_size=500):
                facts = rubric_facts(team=interaction.team, customer_id=interaction.customer_id, at=interaction.occurred_at)
                a = facts.assess(
                    channel=interaction.channel, promise_kept=interaction.promise_kept, issues=interaction.issues,
                    matched_preference=interaction.matched_preference,
                    gestures=interaction.deliveries.values_list("gesture_id", flat=True),
                )
                level = scoring.final_level(a.level, interaction.customer_level)
                if (a.level, level, list(a.omitted)) != (interaction.assessed_level, interaction.level, interaction.omitted_gestures):
                    old = interaction.level
                    interaction.assessed_level, interaction.level, interaction.omitted_gestures = a.level, level, list(a.omitted)
                    interaction.save(update_fields=["assessed_level", "level", "omitted_gestures"])
                    if old != level:
                        LevelChange.objects.create(interaction=interaction, old_level=old, new_level=level, cause="rescore", reason=a.reason.encode())
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--gestures", type=int, default=40)
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the naive ORM loop")
    parser.add_argument("--touched", type=float, default=0.05, help="share of customers with late facts")
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--teams", type=int, default=TEAMS, help="teams in the data set")
    parser.add_argument("--skewed", action="store_true",
                        help="teams of very different sizes: one holds 40%% of the rows, the smallest under 0.1%% each")
    parser.add_argument("--repeat", type=int, default=2, help="best of N for the reference and the full job")
    parser.add_argument("--write-docs", action="store_true", help="replace the re-score section of docs/performance.md")
    parser.add_argument("--build-only", action="store_true",
                        help="build the data set as logging and the job leave it (for bench/load.py), time nothing")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="with --build-only: open the cases on the levels as built and stop there; no reference, "
                             "no full run (a 10M set on a busy machine: the levels keep no reasons until re-scored)")
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.db import connection

    from drift import services
    from interactions.models import JobRun, LevelChange

    assert connection.vendor == "postgresql", "the benchmark runs on PostgreSQL"
    figures = {}
    print(f"building {args.interactions:,} interactions, {args.customers:,} customers, {args.gestures} gestures ...", flush=True)
    figures["build"], _ = timed(lambda: build(
        interactions=args.interactions, customers=args.customers, gestures=args.gestures, seed=args.seed,
        teams=args.teams, skewed=args.skewed,
    ))
    deliveries = sql("SELECT count(*) FROM interactions_gesturedelivery")[0][0]
    print(f"  built in {figures['build']:.1f} s ({deliveries:,} deliveries)", flush=True)

    if args.build_only and args.no_warm_up:
        open_cases_as_logging_did()
        sql("VACUUM ANALYZE")
        print("  built, cases opened; no warm-up, nothing timed (--build-only --no-warm-up)", flush=True)
        return
    # Warm-up (not timed): the levels as logging gave them and their recovery cases, then drift, every
    # level's reason written once, as a deployed system has them. Back to stale
    # levels after it, the reasons stay: the timed job rewrites the rows whose level or omissions
    # differ, the rows the reference rewrites.
    sql(REFERENCE_SQL)
    open_cases_as_logging_did()
    services.rescore_run(full=True)
    if args.build_only:
        sql("VACUUM ANALYZE")
        print("  built; nothing timed (--build-only)", flush=True)
        return
    restore_stale()
    clear_history()
    JobRun.objects.all().delete()
    sql("VACUUM ANALYZE interactions_interaction")

    phases = {}
    for name in ("chunks_run_here",):
        original = getattr(services, name)

        def wrapper(*a, _original=original, _name=name, **kw):
            start = time.perf_counter()
            try:
                return _original(*a, **kw)
            finally:
                phases[_name] = phases.get(_name, 0) + time.perf_counter() - start

        setattr(services, name, wrapper)

    # The machine is shared: reference and job take turns, and each keeps its best of --repeat.
    figures["reference"] = figures["full"] = float("inf")
    for attempt in range(args.repeat):
        seconds, _ = timed(lambda: sql(REFERENCE_SQL))
        figures["reference"] = min(figures["reference"], seconds)
        reference_changes = LevelChange.objects.count()
        if attempt == 0:
            sql(f"CREATE TABLE {REFERENCE} AS SELECT id, assessed_level, level, omitted_gestures FROM interactions_interaction")
        print(f"  reference SQL: {seconds:.2f} s, {reference_changes:,} level changes", flush=True)
        restore_stale()
        clear_history()
        sql("VACUUM ANALYZE interactions_interaction, interactions_levelchange")

        phases.clear()
        seconds, full_run = timed(lambda: services.rescore_run(full=True))
        if seconds < figures["full"]:
            figures["full"] = seconds
            figures["full_levels"] = phases.get("chunks_run_here", 0)
        figures["rss_full"] = peak_rss_mb()
        wrong = mismatches()
        print(
            f"  full job: {seconds:.2f} s (levels {phases.get('chunks_run_here', 0):.2f} s), "
            f"{full_run.rows_changed:,} level changes, {wrong} rows differing "
            f"from the reference, peak RSS {figures['rss_full']:.0f} MB",
            flush=True,
        )
        assert wrong == 0 and full_run.rows_changed == reference_changes, "the job and the reference disagree"
        if attempt + 1 < args.repeat:
            restore_stale()
            clear_history()
            sql("VACUUM ANALYZE interactions_interaction, interactions_levelchange")

    phases.clear()
    figures["nothing"], nothing_run = timed(lambda: services.rescore_run())
    print(f"  nothing to do: {figures['nothing']:.2f} s ({nothing_run.rows_examined} rows examined)", flush=True)

    sql(
        """UPDATE interactions_customer c SET rescore_from = m.first FROM (
                SELECT customer_id, min(occurred_at) AS first FROM interactions_interaction
                WHERE mod(customer_id, %s) = 0 GROUP BY customer_id) m
            WHERE c.id = m.customer_id""",
        [round(1 / args.touched)],
    )
    restore_stale(f"mod(i.customer_id, {round(1 / args.touched)}) = 0")
    phases.clear()
    figures["incremental"], inc_run = timed(lambda: services.rescore_run())
    figures["rss_incremental"] = peak_rss_mb()
    wrong = mismatches()
    print(
        f"  5% incremental: {figures['incremental']:.2f} s, {inc_run.rows_examined:,} rows examined, "
        f"{inc_run.rows_changed:,} changed, {wrong} rows differing from the reference",
        flush=True,
    )
    assert wrong == 0

    sample = min(args.sample, args.interactions)
    figures["naive_sample"] = naive_loop(sample)
    figures["naive"] = figures["naive_sample"] * args.interactions / sample
    print(f"  naive ORM loop: {figures['naive_sample']:.1f} s for {sample:,} rows, {figures['naive']:.0f} s extrapolated", flush=True)

    full = figures["full"]
    rows = [
        ("hand-written single SQL statement (reference)", figures["reference"], ""),
        ("full re-score job (drift + levels)", full, f"{full / figures['reference']:.2f}× reference (target ≤ 1.3×)"),
        ("  of which levels", figures["full_levels"], f"{figures['full_levels'] / figures['reference']:.2f}× reference"),
        ("incremental, 5% of customers touched", figures["incremental"], f"{figures['incremental'] / full:.0%} of full (target ≤ 25%)"),
        ("incremental, nothing to do", figures["nothing"], f"{figures['nothing'] / full:.1%} of full (target ≤ 10%)"),
        (f"naive ORM loop ({sample:,} rows, extrapolated)", figures["naive"], f"job is {figures['naive'] / full:.0f}× faster (target ≥ 30×)"),
    ]
    table = [
        f"Command: `DATABASE_URL=postgres://…/cx_bench python bench/rescore.py --interactions {args.interactions} "
        f"--customers {args.customers} --gestures {args.gestures}`",
        "",
        f"Data: {args.interactions:,} interactions over two years, {args.customers:,} customers, {args.gestures} gestures "
        f"in {args.teams} teams{' of skewed sizes' if args.skewed else ''}, {deliveries:,} deliveries; built in {figures['build']:.0f} s. Chunks of "
        f"{settings.RESCORE_CHUNK_CUSTOMERS} customers. The full runs start from stale levels (gestures and omissions "
        f"not applied) and change {reference_changes:,} levels; the job's result equals the reference's row for row.",
        "",
        "| run | seconds | against the targets |",
        "| --- | ---: | --- |",
        *(f"| {name} | {seconds:.2f} | {note} |" for name, seconds, note in rows),
        "",
        f"Peak memory (max RSS of the process running the job): {max(figures['rss_full'], figures['rss_incremental']):.0f} MB "
        f"(target < 500 MB).",
    ]
    text = "\n".join(table)
    print()
    print(text)
    if args.write_docs:
        write_docs(text, args)


def write_docs(text: str, args):
    path = ROOT / "docs" / "performance.md"
    begin, end = "<!-- bench/rescore: begin -->", "<!-- bench/rescore: end -->"
    content = path.read_text() if path.exists() else "# Performance\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in content:
        head, rest = content.split(begin, 1)
        content = head + block + rest.split(end, 1)[1]
    else:
        content = content.rstrip() + "\n\n" + block + "\n"
    path.write_text(content)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
