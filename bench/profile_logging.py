#!/usr/bin/env python
"""Where the time of logging one interaction goes: POST /api/interactions/ in-process (Django's
test client, real PostgreSQL, the cx_bench data set), profiled by pyinstrument.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cx_bench python bench/profile_logging.py [--requests 300]
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from accounts.models import Team  # noqa: E402
from bench.load import bench_users, interaction_bodies  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(11)
    team = Team.objects.order_by("id").first()
    _, user, key = next((t, u, k) for t, u, k in bench_users([team]) if u.role == "frontline")
    bodies = interaction_bodies(team, rng, n=args.requests)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for body in bodies[:20]:  # warm up connections and caches
        client.post("/api/interactions/", json.dumps(body), content_type="application/json")
    profiler = Profiler(interval=0.0005)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profiler.start()
        for body in bodies:
            response = client.post("/api/interactions/", json.dumps(body), content_type="application/json")
            assert response.status_code == 201, response.content
        profiler.stop()
        elapsed = time.perf_counter() - started
    reset_queries()
    print(f"{args.requests} requests in {elapsed:.2f} s: {elapsed / args.requests * 1000:.2f} ms each, "
          f"{len(queries) / args.requests:.1f} queries each")
    print(profiler.output_text(unicode=False, color=False, show_all=False, timeline=False))


if __name__ == "__main__":
    main()
