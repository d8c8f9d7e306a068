#!/usr/bin/env python
"""Logging an interaction against its ceilings, closed loop and open loop, in one run (1M data set).

    DATABASE_URL=postgres://…/cx_log_bench REDIS_URL=redis://…/14 python bench/log_path.py [--repeat 3]

One gunicorn server (as bench/load.py runs it: gthread, 4 workers x 2 threads), and in turns:

1. Closed loop (wrk, 8 and 32 clients, --seconds each): POST /api/interactions/ against the bare DRF
   insert of bench/urls.py, and the same-work ceiling: the very statements logging sends (captured
   from real logs through Django: token look-up, BEGIN, the customer locked, the rubric's facts, the
   inserts, the case and its apology when one opens, COMMIT) replayed through psycopg by as many
   processes as wrk has clients, with no Django and no HTTP. Logging / bare insert is the target
   ratio; logging / same-work says how much of a log's time is the framework's (Django, DRF, HTTP,
   gunicorn) rather than the database's.
2. Open loop (locust, bench/locust_open_loop.py): requests at a constant rate, latency from each
   request's scheduled send time, for logging and the bare insert in turns at each rate of
   --rates; each goes up the ladder until its p99 passes --p99-ms or a request fails.

Repeated --repeat times; prints each round and the median and spread, with the load average, and
writes var/bench/log-path-<database>.json. Rows are added to the data set (as bench/load.py does).
"""

import argparse
import json
import multiprocessing
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django

django.setup()

from django.db import connection

from accounts.models import Team
from bench.load import Server, bench_users, interaction_bodies, lua_script, wrk

LOG, CEILING = "/api/interactions/", "/bench/ceiling/interactions/"
RESULTS = ROOT / "var" / "bench"
HEX = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f]{64}$")


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# --- The same work through psycopg ------------------------------------------------------------


def capture_logs(bodies: list[dict], key: str) -> list[list[tuple]]:
    """Log each body through Django in-process and keep what it sent: per log, its statements as
    (sql, params, in_transaction), plus the ids it made (to give the replay's own)."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    logs = []
    for body in bodies:
        sent = []

        def keep(execute, sql, params, many, context, sent=sent):
            kept = dict(params) if isinstance(params, dict) else list(params or [])
            sent.append((sql, kept, connection.in_atomic_block))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            response = client.post(LOG, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        made = response.json()
        logs.append({"statements": sent, "interaction": made["id"], "case": made["recovery_case"]})
    return logs


def _fresh(params, ids: dict, writing: bool):
    """The captured values with this replay's ids, and new unique link digests and nonces in writes."""
    if isinstance(params, dict):
        return dict(zip(params, _fresh(list(params.values()), ids, writing), strict=True))
    out = []
    for value in params:
        if isinstance(value, bool):
            out.append(value)
        elif isinstance(value, int) and value in ids:
            out.append(ids[value])
        elif isinstance(value, str) and writing and HEX.match(value):
            out.append(secrets.token_hex(len(value) // 2))
        elif isinstance(value, str) and writing and value.startswith("case-"):
            out.append(re.sub(r"^case-(\d+)-", lambda m: f"case-{ids.get(int(m[1]), m[1])}-", value))
        else:
            out.append(value)
    return out


INSERTED = re.compile(r'\s*(?:WITH \w+ AS \()?INSERT INTO "(\w+)"', re.IGNORECASE)


def replay_one(conn, log: dict) -> None:
    """One log's statements, as Django sent them (client-side binding, one transaction)."""
    ids: dict[int, int] = {}
    in_transaction = False
    with conn.cursor() as cursor:
        for sql, params, atomic in log["statements"]:
            if atomic and not in_transaction:
                cursor.execute("BEGIN")
                in_transaction = True
            elif not atomic and in_transaction:
                cursor.execute("COMMIT")
                in_transaction = False
            # An insert, or a data-modifying CTE that starts with one (the interaction and its level change).
            inserted = INSERTED.match(sql)
            writing = bool(inserted) or sql.lstrip()[:6].upper() == "UPDATE"
            cursor.execute(sql, _fresh(params, ids, writing))
            table = inserted[1].lower() if inserted else ""
            if table == "interactions_interaction" and cursor.description:
                ids[log["interaction"]] = cursor.fetchone()[0]
            elif table == "recovery_recoverycase" and cursor.description and log["case"]:
                ids[log["case"]] = cursor.fetchone()[0]
        if in_transaction:
            cursor.execute("COMMIT")


_CAPTURED: list = []  # the captured logs, set before the replay processes fork (nothing to pickle)


def _replay_worker(args) -> int:
    dsn, seconds, offset = args
    import psycopg

    logs = _CAPTURED

    conn = psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.ClientCursor)
    done, i = 0, offset
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        replay_one(conn, logs[i % len(logs)])
        i += 1
        done += 1
    conn.close()
    return done


def same_work(dsn: str, logs: list, clients: int, seconds: float) -> dict:
    """Logs per second when `clients` processes replay the captured statements through psycopg."""
    _CAPTURED[:] = logs
    ctx = multiprocessing.get_context("fork")
    connection.close()  # no Django connection crosses the fork
    with ctx.Pool(clients) as pool:
        counts = pool.map(_replay_worker, [(dsn, seconds, k * 7) for k in range(clients)])
    return {"rps": sum(counts) / seconds, "requests": sum(counts)}


# --- Open loop -----------------------------------------------------------------------------------


def open_loop(url: str, requests_: list, rate: float, seconds: float, users: int) -> dict:
    """Requests at `rate` per second for `seconds` (bench/locust_open_loop.py); latency from the schedule."""
    locust = Path(sys.executable).parent / "locust"
    with tempfile.TemporaryDirectory() as tmp:
        reqs, out = Path(tmp) / "requests.json", Path(tmp) / "samples.json"
        reqs.write_text(json.dumps(requests_))
        env = {**os.environ, "OPEN_LOOP_RATE": str(rate), "OPEN_LOOP_USERS": str(users), "OPEN_LOOP_SECONDS": str(seconds),
               "OPEN_LOOP_REQUESTS": str(reqs), "OPEN_LOOP_OUT": str(out), "OPEN_LOOP_HOST": url}
        drain = 8  # seconds after the last slot for late requests to finish
        subprocess.run(  # noqa: PLW1510  (the samples file says what happened)
            [str(locust), "-f", str(ROOT / "bench" / "locust_open_loop.py"), "--headless", "-u", str(users), "-r", str(users),
             "-t", f"{int(seconds + 2 + drain)}s", "--stop-timeout", "12", "--only-summary", "--loglevel", "ERROR"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120,
        )
        samples = json.loads(out.read_text()) if out.exists() else []
    expected = int(rate * seconds)
    latencies = sorted(s[1] for s in samples)
    failed = sum(1 for s in samples if s[2] not in (200, 201)) + max(0, expected - len(samples))

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else float("inf")

    return {"rate": rate, "sent": len(samples), "expected": expected, "errors": failed,
            "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": latencies[-1] if latencies else float("inf")}


# --- The run -------------------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", default="8,32")
    ap.add_argument("--seconds", type=int, default=15, help="per closed-loop step")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rates", default="150,200,250,300,400,500,600", help="the open loop's ladder, requests/s")
    ap.add_argument("--open-seconds", type=int, default=10, help="per open-loop step")
    ap.add_argument("--users", type=int, default=100, help="locust users (the most requests in flight)")
    ap.add_argument("--p99-ms", type=float, default=100)
    ap.add_argument("--skip-open", action="store_true")
    ap.add_argument("--skip-closed", action="store_true")
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    rates = [float(r) for r in args.rates.split(",")]
    rng = random.Random(7)
    dsn = connection.get_connection_params()
    dsn = " ".join(f"{k}={v}" for k, v in dsn.items() if k in ("dbname", "user", "password", "host", "port") and v)

    teams = list(Team.objects.order_by("id")[:5])
    frontline = [(t, u, k) for t, u, k in bench_users(teams) if u.role == "frontline"]
    log_requests, ceiling_requests = [], []
    for team, _, key in frontline:
        for body in interaction_bodies(team, rng):
            headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
            log_requests.append(("POST", LOG, headers, json.dumps(body)))
            ceiling_requests.append(("POST", CEILING, headers, json.dumps(body)))
    rng.shuffle(log_requests)
    rng.shuffle(ceiling_requests)
    # The same-work replay: the statements of 300 real logs (their mix of gestures and cases).
    captured = []
    for team, _, key in frontline:
        captured += capture_logs(interaction_bodies(team, rng, n=60), key)
    rng.shuffle(captured)
    cases = sum(1 for c in captured if c["case"])
    per_log = sum(len(c["statements"]) for c in captured) / len(captured)
    print(f"captured {len(captured)} logs: {per_log:.1f} statements each (plus BEGIN/COMMIT), {cases} opened a case", flush=True)

    rounds = []
    with Server(4, "gthread", 2) as server:
        for warm in (ceiling_requests, log_requests):
            wrk(server.url, lua_script(warm), 8, 3)
        for r in range(args.repeat):
            result = {"load_before": load_average(), "closed": {}, "open": {}}
            for c in clients if not args.skip_closed else []:
                step = {
                    "ceiling": wrk(server.url, lua_script(ceiling_requests), c, args.seconds),
                    "logging": wrk(server.url, lua_script(log_requests), c, args.seconds),
                    "same_work": same_work(dsn, captured, c, args.seconds),
                }
                result["closed"][c] = step
                print(json.dumps({"round": r + 1, "clients": c, **{k: round(v["rps"]) for k, v in step.items()},
                                  "logging_p99": step["logging"]["p99_ms"], "load": load_average()}), flush=True)
            passing = {"ceiling": True, "logging": True}
            for rate in rates if not args.skip_open else []:
                for name, reqs in (("ceiling", ceiling_requests), ("logging", log_requests)):
                    if not passing[name]:
                        continue
                    m = open_loop(server.url, reqs, rate, args.open_seconds, args.users)
                    result["open"].setdefault(name, []).append(m)
                    passing[name] = m["p99_ms"] <= args.p99_ms and m["errors"] == 0
                    print(json.dumps({"round": r + 1, "open": name, **m, "load": load_average()}), flush=True)
                if not any(passing.values()):
                    break
            result["load_after"] = load_average()
            rounds.append(result)
        rss = server.worker_peak_rss_mb()

    database = connection.settings_dict["NAME"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"log-path-{database}.json").write_text(json.dumps({"rounds": rounds, "rss_mb": rss, "args": vars(args),
                                                                  "statements_per_log": per_log}, indent=1))
    print(summary(rounds, clients, args.p99_ms))


def highest_rate(steps: list[dict], p99_ms: float) -> float:
    ok = [m["rate"] for m in steps if m["p99_ms"] <= p99_ms and m["errors"] == 0]
    return max(ok) if ok else 0.0


def summary(rounds: list[dict], clients: list[int], p99_ms: float) -> str:
    loads = [x for r in rounds for x in (r["load_before"], r["load_after"])]
    lines = [f"{len(rounds)} rounds; load average {min(loads):.1f}–{max(loads):.1f} on 2 cores. Median (spread).", "",
             "| clients | bare insert req/s | logging req/s | same work through psycopg logs/s | logging / bare insert | logging / same work | logging p99 ms |",
             "|---|---|---|---|---|---|---|"]
    for c in clients:
        steps = [r["closed"][c] for r in rounds if c in r["closed"]]
        if not steps:
            continue
        ratio = [s["logging"]["rps"] / s["ceiling"]["rps"] * 100 for s in steps]
        framework = [s["logging"]["rps"] / s["same_work"]["rps"] * 100 for s in steps]
        lines.append(f"| {c} | {spread([s['ceiling']['rps'] for s in steps])} | {spread([s['logging']['rps'] for s in steps])} | "
                     f"{spread([s['same_work']['rps'] for s in steps])} | {spread(ratio)}% | {spread(framework)}% | "
                     f"{spread([s['logging']['p99_ms'] for s in steps])} |")
    if any(r["open"] for r in rounds):
        lines += ["", f"| open loop | p99 ms at 150/s | errors at 150/s | highest rate with p99 ≤ {p99_ms:.0f} ms |", "|---|---|---|---|"]
        for name in ("logging", "ceiling"):
            at150 = [m for r in rounds for m in r["open"].get(name, []) if m["rate"] == 150]
            best = [highest_rate(r["open"].get(name, []), p99_ms) for r in rounds]
            label = "logging" if name == "logging" else "bare insert"
            lines.append(f"| {label} | {spread([m['p99_ms'] for m in at150]) if at150 else '-'} | "
                         f"{sum(m['errors'] for m in at150)} in {len(at150)} runs | {spread(best)}/s |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
