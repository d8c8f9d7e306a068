#!/usr/bin/env python
"""Where the time of the read paths goes, in-process: the interactions list, the open-cases board
(API) and the dashboard page, each timed beside the bare keyset-paginated ceiling list of
bench/urls.py in the same run (Django's test client, real PostgreSQL, the cx_bench data set).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cx_bench python bench/profile_reads.py [--requests 200] [--rounds 3] [--profile cprofile|pyinstrument] [--only NAME]

The requests cycle through the bench users of every team, as bench/load.py's do: frontline tokens
for the API, managers' session cookies for the dashboard. The paths take turns, round after round,
and each keeps its best round, so a busy machine hurts them alike. No server, no wrk: the ratios
guide the work; the HTTP figures in docs/performance.md come from bench/load.py.
"""

import argparse
import cProfile
import io
import os
import pstats
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
from django.test import Client  # noqa: E402

from accounts.models import Team  # noqa: E402
from bench.load import bench_users  # noqa: E402


def clients_per_path():
    teams = list(Team.objects.order_by("id")[:5])
    assert teams, "no data: build it first with bench/rescore.py (same DATABASE_URL)"
    users = bench_users(teams)
    token_clients = [Client(HTTP_AUTHORIZATION=f"Token {k}") for _, u, k in users if u.role == "frontline"]
    session_clients = []
    for _, user, _ in users:
        if user.role == "manager":
            client = Client()
            client.force_login(user)
            session_clients.append(client)
    return {
        "ceiling list": ("/bench/ceiling/interactions/", token_clients),
        "interactions list": ("/api/interactions/", token_clients),
        "cases board (API)": ("/api/recovery-cases/?status=open", token_clients),
        "dashboard page": ("/", session_clients),
    }


def run(url, clients, n):
    """n GETs of url cycling through the clients: (seconds, queries)."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for i in range(n):
            response = clients[i % len(clients)].get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200, help="per path and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", choices=["cprofile", "pyinstrument"], help="profile each product path after timing")
    ap.add_argument("--only", help="profile only the path whose name contains this")
    args = ap.parse_args()
    paths = clients_per_path()

    for url, clients in paths.values():  # warm up connections, caches, templates
        run(url, clients, 3 * len(clients))

    best = {name: float("inf") for name in paths}
    queries = {}
    for _ in range(args.rounds):
        for name, (url, clients) in paths.items():
            elapsed, n_queries = run(url, clients, args.requests)
            best[name] = min(best[name], elapsed / args.requests)
            queries[name] = n_queries / args.requests

    ceiling = best["ceiling list"]
    print(f"{args.requests} requests per path, best of {args.rounds} rounds "
          f"(DATABASE_URL {connection.settings_dict['NAME']})")
    print(f"{'path':<20} {'ms/request':>10} {'req/s':>7} {'ratio':>6} {'queries':>8}")
    for name in paths:
        ms = best[name] * 1000
        print(f"{name:<20} {ms:>10.2f} {1 / best[name]:>7.0f} {ceiling / best[name]:>6.2f} {queries[name]:>8.1f}")

    if args.profile:
        for name, (url, clients) in paths.items():
            if name == "ceiling list" and not args.only or args.only and args.only not in name:
                continue
            print(f"\n=== {name}: {url}")
            if args.profile == "pyinstrument":
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                run(url, clients, args.requests)
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False, timeline=False))
            else:
                profiler = cProfile.Profile()
                profiler.enable()
                run(url, clients, args.requests)
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
                print(out.getvalue())


if __name__ == "__main__":
    main()
