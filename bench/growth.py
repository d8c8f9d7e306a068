#!/usr/bin/env python
"""Do the reads stay flat as the table grows? The interactions list and the open-cases board for the
largest team and for a small team (about 0.1% of the rows), the dashboard of each team's manager,
and the weekly report of every team, each timed beside the bare keyset list of the largest team
(the ceiling, bench/urls.py) in the same run, in-process (Django's test client, real PostgreSQL).

    DATABASE_URL=postgres://…/cx_bench python bench/growth.py --runs 3
    DATABASE_URL=postgres://…/cx_bench10m python bench/growth.py --runs 3 --write-docs

Every path is a ratio: the ceiling's time per request over the path's (the weekly report: over the
report's time per team, figures and chart). The paths take turns round after round and each keeps
its best round; a run is `--rounds` such rounds, and the script repeats whole runs (`--runs`) to
give each ratio's median and spread, with the load average of each run. Each data set's result is
kept in var/bench/growth-<database>.json; `--write-docs` writes the growth table of every data set
measured into docs/performance.md (the target: each ratio within 20% of its value on the smallest
set, and the small team's first page at least 0.5x the ceiling).
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Team  # noqa: E402
from bench.load import bench_users, write_docs  # noqa: E402
from bench.profile_reads import run as get_many  # noqa: E402
from interactions.models import Interaction  # noqa: E402
from reports.figures import weekly_report  # noqa: E402
from reports.weeks import last_full_week  # noqa: E402

RESULTS = ROOT / "var" / "bench"
CEILING = "ceiling list (largest team)"


def teams_by_size():
    """(largest team, small team, rows, share of each): the small one is the largest under 0.1% of the rows."""
    counts = dict(Interaction.objects.values("team_id").annotate(n=Count("id")).values_list("team_id", "n"))
    total = sum(counts.values())
    assert counts, "no data: build it first with bench/rescore.py --build-only (same DATABASE_URL)"
    largest = max(counts, key=counts.get)
    under = [t for t, n in counts.items() if n < 0.001 * total] or [min(counts, key=counts.get)]
    small = max(under, key=counts.get)
    return Team.objects.get(pk=largest), Team.objects.get(pk=small), total, counts


def paths_for(large: Team, small: Team):
    users = {(team.pk, user.role): (user, key) for team, user, key in bench_users([large, small])}

    def token(team):
        return [Client(HTTP_AUTHORIZATION=f"Token {users[(team.pk, 'frontline')][1]}")]

    def session(team):
        client = Client()
        client.force_login(users[(team.pk, "manager")][0])
        return [client]

    return {
        CEILING: ("/bench/ceiling/interactions/", token(large)),
        "ceiling list (small team)": ("/bench/ceiling/interactions/", token(small)),
        "interactions list (largest team)": ("/api/interactions/", token(large)),
        "interactions list (small team)": ("/api/interactions/", token(small)),
        "cases board (largest team)": ("/api/recovery-cases/?status=open", token(large)),
        "cases board (small team)": ("/api/recovery-cases/?status=open", token(small)),
        "dashboard (largest team's manager)": ("/", session(large)),
        "dashboard (small team's manager)": ("/", session(small)),
    }


def reports_all(teams, latest) -> float:
    """The weekly report, figures and chart, of every team, one after the other: seconds per team."""
    started = time.perf_counter()
    for team in teams:
        weekly_report(team, last_full_week(latest, team.tz)).charts()
    return (time.perf_counter() - started) / len(teams)


def one_run(paths, teams, latest, requests: int, rounds: int) -> dict:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    best = {name: float("inf") for name in [*paths, "weekly report (every team)"]}
    for _ in range(rounds):
        for name, (url, clients) in paths.items():
            elapsed, _queries = get_many(url, clients, requests)
            best[name] = min(best[name], elapsed / requests)
        best["weekly report (every team)"] = min(best["weekly report (every team)"], reports_all(teams, latest))
    ceiling = best[CEILING]
    return {
        "load": f"{load} -> {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
        "ms": {name: s * 1000 for name, s in best.items()},
        "ratio": {name: ceiling / s for name, s in best.items()},
    }


def spread(values) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def table() -> str:
    sets = sorted((json.loads(f.read_text()) for f in RESULTS.glob("growth-*.json")), key=lambda r: r["rows"])
    if not sets:
        return ""
    base = sets[0]
    names = list(base["runs"][0]["ratio"])
    header = ["path", *(f"{s['rows'] / 1e6:g}M: ratio, median (spread)" for s in sets)]
    header += [f"{s['rows'] / 1e6:g}M vs {base['rows'] / 1e6:g}M" for s in sets[1:]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        medians = [statistics.median(r["ratio"][name] for r in s["runs"]) for s in sets]
        ms = [statistics.median(r["ms"][name] for r in s["runs"]) for s in sets]
        cells = [f"{spread([r['ratio'][name] for r in s['runs']])}, {m:.1f} ms" for s, m in zip(sets, ms)]
        cells += [f"{m / medians[0]:.2f}x" for m in medians[1:]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    notes = [
        "",
        *(
            f"- `{s['database']}`: {s['rows']:,} interactions in {s['teams']} teams; largest team {s['large_share']:.1%} "
            f"of the rows, small team {s['small_rows']:,} rows ({s['small_share']:.3%}); {len(s['runs'])} runs of "
            f"{s['rounds']} rounds x {s['requests']} requests per path; load average per run (1/5/15 min, before -> after): "
            f"{'; '.join(r['load'] for r in s['runs'])}"
            for s in sets
        ),
    ]
    return "\n".join(lines + notes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=100, help="per path and round")
    ap.add_argument("--rounds", type=int, default=3, help="per run; each path keeps its best round")
    ap.add_argument("--runs", type=int, default=3, help="whole runs, for the median and the spread")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    large, small, total, counts = teams_by_size()
    paths = paths_for(large, small)
    teams = list(Team.objects.filter(pk__in=counts).order_by("id"))
    latest = Interaction.objects.aggregate(m=Max("occurred_at"))["m"]
    for url, clients in paths.values():  # warm up connections, caches, templates
        get_many(url, clients, 5)
    reports_all(teams[:3], latest)
    runs = []
    for k in range(args.runs):
        result = one_run(paths, teams, latest, args.requests, args.rounds)
        runs.append(result)
        print(f"run {k + 1}: load average {result['load']}", flush=True)
        for name, ratio in result["ratio"].items():
            print(f"  {name:<40} {result['ms'][name]:8.2f} ms  ratio {ratio:5.2f}", flush=True)
    database = connection.settings_dict["NAME"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"growth-{database}.json").write_text(json.dumps({
        "database": database, "rows": total, "teams": len(counts), "large_share": counts[large.pk] / total,
        "small_rows": counts[small.pk], "small_share": counts[small.pk] / total, "requests": args.requests,
        "rounds": args.rounds, "runs": runs,
    }, indent=1))
    text = table()
    print(text)
    if args.write_docs:
        write_docs(text, marker="growth", title="Growth: the reads for a large and a small team, 1M and 10M interactions",
                   command="python bench/growth.py --runs 3 --write-docs (on each data set)")


if __name__ == "__main__":
    main()
