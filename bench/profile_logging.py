#!/usr/bin/env python
"""Where the time of logging one interaction goes: POST /api/interactions/ in-process (Django's
test client, real PostgreSQL, the cx_bench data set), beside the ceiling endpoint of bench/urls.py.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cx_bench python bench/profile_logging.py [--requests 300] [--tree]

Prints (1) wall and CPU milliseconds per request of the ceiling and of logging, best of 3 rounds
(`--rounds`) taken in turns, with queries per request; (2) a breakdown of logging by step, from cProfile
(profiled time, so only the shares are meaningful); (3) with --tree, pyinstrument's call tree.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS", "bench.settings")
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Team  # noqa: E402
from bench.load import bench_users, interaction_bodies  # noqa: E402

LOG, CEILING = "/api/interactions/", "/bench/ceiling/interactions/"
# (label, pstats key suffix): the steps of a log, outermost first.
STEPS = [
    ("whole request (middleware, DRF, view)", "django/core/handlers/base.py", "get_response"),
    ("token authentication", "rest_framework/authentication.py", "authenticate"),
    ("input serializer (customer and team look-up included)", "rest_framework/serializers.py", "is_valid"),
    ("  the viewer's team ids", "accounts/selectors.py", "team_ids_of"),
    ("interaction_log service", "interactions/services/log.py", "interaction_log"),
    ("  the customer found and locked (one statement)", "interactions/services/log.py", "_customer_locked"),
    ("  the rubric's facts (one statement)", "interactions/selectors.py", "rubric_facts"),
    ("  recovery case (20% of logs)", "recovery/services/opening.py", "case_open_for_interaction"),
    ("  inserts through Model.objects.create", "django/db/models/query.py", "create"),
    ("  lean inserts (core.db: interaction, history, case)", "core/db.py", "insert_row"),
    ("  the same, interaction and history in one", "core/db.py", "insert_row_with_child"),
    ("  who listens for webhooks (cache)", "webhooks/subscribers.py", "team_subscriptions"),
    ("output serializer", "rest_framework/serializers.py", "data"),
    ("all SQL round trips (psycopg execute)", "psycopg/cursor.py", "execute"),
]


def post_all(client, path, bodies):
    wall, cpu = time.perf_counter(), time.process_time()
    for body in bodies:
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
    return (time.perf_counter() - wall) / len(bodies) * 1000, (time.process_time() - cpu) / len(bodies) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3, help="the requests split in this many rounds, taken in turns; the best round counts")
    ap.add_argument("--tree", action="store_true", help="also print pyinstrument's call tree")
    args = ap.parse_args()
    rng = random.Random(11)
    team = Team.objects.order_by("id").first()
    _, user, key = next((t, u, k) for t, u, k in bench_users([team]) if u.role == "frontline")
    bodies = interaction_bodies(team, rng, n=args.requests)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    post_all(client, LOG, bodies[:20])  # warm up connections and caches
    post_all(client, CEILING, bodies[:20])

    size = len(bodies) // args.rounds
    best = {LOG: (1e9, 1e9), CEILING: (1e9, 1e9)}
    ratios = []  # each round's CPU ratio: the ceiling and logging measured side by side, on the same bodies
    for i in range(args.rounds):
        taken = {}
        for path in (CEILING, LOG):
            taken[path] = post_all(client, path, bodies[i * size:(i + 1) * size])
            best[path] = min(best[path], taken[path])
        ratios.append(taken[CEILING][1] / taken[LOG][1])
    queries = {}
    for path in (CEILING, LOG):
        with CaptureQueriesContext(connection) as captured:
            post_all(client, path, bodies[:50])
        queries[path] = len(captured) / 50
    print(f"{'':10} {'wall ms':>8} {'CPU ms':>8} {'queries':>8}")
    for name, path in (("ceiling", CEILING), ("logging", LOG)):
        print(f"{name:10} {best[path][0]:8.2f} {best[path][1]:8.2f} {queries[path]:8.1f}")
    print(f"ratio (ceiling / logging): wall {best[CEILING][0] / best[LOG][0]:.0%}, CPU {best[CEILING][1] / best[LOG][1]:.0%}")
    ratios.sort()
    print(f"CPU ratio round by round: median {statistics.median(ratios):.0%}, range {ratios[0]:.0%}-{ratios[-1]:.0%} ({len(ratios)} rounds)")

    profile = cProfile.Profile()
    profile.enable()
    post_all(client, LOG, bodies)
    profile.disable()
    stats = pstats.Stats(profile).stats
    whole = None
    print(f"\nlogging by step (cProfile, cumulative, per request; {args.requests} requests)")
    for label, path, func in STEPS:
        total = sum(v[3] for (file, _, name), v in stats.items() if file.endswith(path) and name == func)
        whole = whole or total
        print(f"  {label:55} {total / args.requests * 1000:7.2f} ms {total / whole:6.0%}")

    if args.tree:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        post_all(client, LOG, bodies)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False, timeline=False))


if __name__ == "__main__":
    main()
