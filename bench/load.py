#!/usr/bin/env python
"""Load benchmark of the real stack: gunicorn + PostgreSQL, load from wrk in a second process.

    python bench/load.py                      # on the cx_bench data set (bench/rescore.py builds it)
    python bench/load.py --quick              # 5 s per step, for a try-out

Every figure is a ratio against a ceiling measured in the same run on the same server:
- logging: POST /api/interactions/ (token auth, frontline users of several teams, gestures on 30%,
  about 20% Criminal/Basic so cases open) against a bare DRF insert of the same row shape;
- reading: the interactions list, the open-cases board (API) and the dashboard page against a bare
  keyset-paginated list of the same rows.
It also records the peak RSS of the gunicorn workers. Results go to docs/performance.md with --write-docs.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.db import connection  # noqa: E402
from accounts.services import token_create  # noqa: E402

from accounts.models import Team, User  # noqa: E402
from interactions.models import Customer, Gesture  # noqa: E402
from tests.harness import free_port, wait_for_port  # noqa: E402

ISSUES = ["late", "inaccurate", "impolite", "unexplained", "chased"]
CHANNELS = ["phone", "email", "chat", "whatsapp", "in_person", "social"]
PASSWORD = "bench-password-1"
RESULTS = ROOT / "var" / "bench"  # each data set's last run, for the growth table


def bench_users(teams):
    """One frontline user and one manager per team, with tokens."""
    users = []
    for team in teams:
        for role in ("frontline", "manager"):
            user, created = User.objects.get_or_create(username=f"bench-{role}-{team.id}", defaults={"role": role})
            if created:
                user.set_password(PASSWORD)
                user.save()
            user.teams.add(team)
            users.append((team, user, token_create(user=user)))
    return users


def interaction_bodies(team, rng, n=400):
    customers = list(Customer.objects.filter(team=team).order_by("?").values_list("id", flat=True)[:500])
    gestures = list(Gesture.objects.filter(team=team, active=True).values_list("id", flat=True))
    bodies = []
    for _ in range(n):
        body = {"customer": rng.choice(customers), "channel": rng.choice(CHANNELS), "summary": "Load test call",
                "promise_kept": True, "issues": [], "matched_preference": rng.random() < 0.3, "gestures": []}
        roll = rng.random()
        if roll < 0.07:
            body["promise_kept"] = False
        elif roll < 0.20:
            body["issues"] = [rng.choice(ISSUES)]
        if rng.random() < 0.30 and gestures:
            body["gestures"] = [rng.choice(gestures)]
        body["team"] = team.id  # read-only on the product API (ignored), needed by the ceiling
        bodies.append(body)
    return bodies


def lua_script(requests_: list[tuple[str, str, dict, str]]) -> str:
    """A wrk script cycling through prepared (method, path, headers, body) requests."""
    def q(s):
        return json.dumps(s)

    lines = ["local reqs = {}"]
    for i, (method, path, headers, body) in enumerate(requests_, 1):
        hdrs = "{" + ", ".join(f"[{q(k)}] = {q(v)}" for k, v in headers.items()) + "}"
        lines.append(f"reqs[{i}] = wrk.format({q(method)}, {q(path)}, {hdrs}, {q(body) if body else 'nil'})")
    lines += [
        "local n = #reqs",
        "local i = 0",
        "request = function() i = i % n + 1; return reqs[i] end",
        "local statuses = {}",
        "response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end",
        "done = function(summary, latency, requests)",
        "  io.write(string.format('LATENCY_P50_US %d\\nLATENCY_P99_US %d\\n', latency:percentile(50), latency:percentile(99)))",
        "  io.write(string.format('ERRORS_STATUS %d\\n', summary.errors.status))",
        "end",
    ]
    return "\n".join(lines)


class Server:
    def __init__(self, workers: int, worker_class: str, threads: int):
        self.port = free_port()
        self.workers, self.worker_class, self.threads = workers, worker_class, threads

    def __enter__(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [str(gunicorn), "cxportal.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
               "--worker-class", self.worker_class, "--threads", str(self.threads), "--log-level", "warning"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "CONN_MAX_AGE": "600"}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port, timeout=60)
        for _ in range(100):
            try:  # the workers import the app on their first request: slow on a busy machine
                if requests.get(self.url + "/healthz", timeout=30).status_code in (200, 503):
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def worker_peak_rss_mb(self) -> float:
        children = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        peaks = []
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
            except (OSError, AttributeError):
                pass
        return max(peaks) if peaks else 0.0

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def wrk(url: str, script: str, clients: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s", "-s", f.name, url],
            capture_output=True, text=True, timeout=duration + 60,
        ).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = int(re.search(r"LATENCY_P50_US (\d+)", out).group(1)) / 1000
    p99 = int(re.search(r"LATENCY_P99_US (\d+)", out).group(1)) / 1000
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non2xx": non2xx, "requests": total}


def session_cookie(base: str, username: str) -> str:
    s = requests.Session()
    page = s.get(base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    s.post(base + "/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
           headers={"Referer": base + "/accounts/login/"})
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", default="8,32")
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--worker-class", default="gthread")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="5 s per step")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--only", choices=["write", "read"], help="one half of the run (a try-out; not for --write-docs)")
    ap.add_argument("--compare-servers", metavar="CLASS:WORKERS:THREADS,...",
                    help="instead of the run: ceiling and logging at the largest --clients under each gunicorn setting")
    args = ap.parse_args()
    duration = 5 if args.quick else args.duration
    clients = [int(c) for c in args.clients.split(",")]
    rng = random.Random(7)

    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'interactions_interaction'")
        approx_rows = cur.fetchone()[0]
    teams = list(Team.objects.order_by("id")[:5])
    assert teams, "no data: build it first with bench/rescore.py (same DATABASE_URL)"
    users = bench_users(teams)
    frontline = [(t, u, k) for t, u, k in users if u.role == "frontline"]
    managers = [(t, u, k) for t, u, k in users if u.role == "manager"]

    log_requests, ceiling_requests = [], []
    for team, _, key in frontline:
        for body in interaction_bodies(team, rng):
            headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
            log_requests.append(("POST", "/api/interactions/", headers, json.dumps(body)))
            ceiling_requests.append(("POST", "/bench/ceiling/interactions/", headers, json.dumps(body)))
    rng.shuffle(log_requests)
    rng.shuffle(ceiling_requests)
    if args.compare_servers:
        return compare_servers(args, ceiling_requests, log_requests, max(clients), duration)

    results = {"rows": approx_rows, "config": vars(args), "write": {}, "read": {}}
    with Server(args.workers, args.worker_class, args.threads) as server:
        for c in clients if args.only != "read" else []:
            for warm in (ceiling_requests, log_requests):  # every worker connected, imported and cached
                wrk(server.url, lua_script(warm), c, 2)
            results["write"][c] = {
                "ceiling": wrk(server.url, lua_script(ceiling_requests), c, duration),
                "logging": wrk(server.url, lua_script(log_requests), c, duration),
            }
            print(json.dumps({c: results["write"][c]}), flush=True)
        token_headers = [{"Authorization": f"Token {k}"} for _, _, k in frontline]
        cookies = [{"Cookie": session_cookie(server.url, u.username)} for _, u, _ in managers]
        reads = {
            "ceiling list": [("GET", "/bench/ceiling/interactions/", h, None) for h in token_headers],
            "interactions list": [("GET", "/api/interactions/", h, None) for h in token_headers],
            "cases board (API)": [("GET", "/api/recovery-cases/?status=open", h, None) for h in token_headers],
            "dashboard page": [("GET", "/", h, None) for h in cookies],
        }
        c = max(clients)
        for name, reqs in reads.items() if args.only != "write" else []:
            wrk(server.url, lua_script(reqs), c, 2)  # warm-up, not counted
            results["read"][name] = wrk(server.url, lua_script(reqs), c, duration)
            print(json.dumps({name: results["read"][name]}), flush=True)
        results["web_worker_peak_rss_mb"] = round(server.worker_peak_rss_mb(), 1)

    if args.only:
        return
    database = connection.settings_dict["NAME"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"load-{database}.json").write_text(json.dumps({**results, "database": database}, indent=1))
    text = report(results) + growth()
    print(text)
    if args.write_docs:
        write_docs(text)


def compare_servers(args, ceiling_requests, log_requests, clients, duration):
    """Logging against its ceiling under each gunicorn setting, to choose the one to deploy."""
    lines = [f"Logging and its ceiling at {clients} clients, {duration} s each, by gunicorn setting "
             f"(same data, same run; `python bench/load.py --compare-servers {args.compare_servers}`):", "",
             "| worker class | workers | threads | ceiling req/s | logging req/s | ratio | logging p50 ms | logging p99 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for spec in args.compare_servers.split(","):
        worker_class, workers, threads = spec.split(":")
        with Server(int(workers), worker_class, int(threads)) as server:
            for warm in (ceiling_requests, log_requests):
                wrk(server.url, lua_script(warm), clients, 2)
            ceiling = wrk(server.url, lua_script(ceiling_requests), clients, duration)
            logging_ = wrk(server.url, lua_script(log_requests), clients, duration)
        line = (f"| {worker_class} | {workers} | {threads} | {ceiling['rps']:.0f} | {logging_['rps']:.0f} | "
                f"{logging_['rps'] / ceiling['rps']:.0%} | {logging_['p50_ms']:.1f} | {logging_['p99_ms']:.1f} |")
        print(line, flush=True)
        lines.append(line)
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_docs(text, marker="servers", title="Choosing the gunicorn setting",
                   command=f"python bench/load.py --compare-servers {args.compare_servers} --write-docs")


def growth() -> str:
    """Each saved run (one per data set) side by side: how the figures move with the data."""
    runs = sorted((json.loads(f.read_text()) for f in RESULTS.glob("load-*.json")), key=lambda r: r["rows"])
    if len(runs) < 2:
        return ""
    reads = list(runs[-1]["read"])
    lines = ["", "", "How the figures move with the data (each data set's last run of this command):", "",
             "| data set | interactions | logging req/s (ratio) at " + " / ".join(f"{c} clients" for c in runs[-1]["write"])
             + " | " + " | ".join(f"{name} req/s (ratio)" for name in reads) + " |",
             "|---|---|---|" + "---|" * len(reads)]
    for r in runs:
        write = " / ".join(f"{p['logging']['rps']:.0f} ({p['logging']['rps'] / p['ceiling']['rps']:.0%})" for p in r["write"].values())
        ceiling = r["read"]["ceiling list"]["rps"]
        read = " | ".join(f"{r['read'][n]['rps']:.0f} ({r['read'][n]['rps'] / ceiling:.0%})" for n in reads if n in r["read"])
        lines.append(f"| {r['database']} | {r['rows']:,} | {write} | {read} |")
    return "\n".join(lines)


def report(r) -> str:
    lines = [f"Data: about {r['rows']:,} interactions. Server: gunicorn {r['config']['workers']} workers x "
             f"{r['config']['threads']} threads ({r['config']['worker_class']}), PostgreSQL on the same 2-core machine; "
             f"load: wrk, 2 threads, {r['config']['duration'] if not r['config']['quick'] else 5} s per step.", "",
             "| write step | clients | req/s | p50 ms | p99 ms | non-2xx | ratio to ceiling |", "|---|---|---|---|---|---|---|"]
    for c, pair in r["write"].items():
        ceiling = pair["ceiling"]["rps"]
        for name in ("ceiling", "logging"):
            m = pair[name]
            lines.append(f"| {name} | {c} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['non2xx']} | "
                         f"{m['rps'] / ceiling:.0%} |")
    lines += ["", "| read step | req/s | p50 ms | p99 ms | non-2xx | ratio to ceiling list |", "|---|---|---|---|---|---|"]
    ceiling = r["read"]["ceiling list"]["rps"]
    for name, m in r["read"].items():
        lines.append(f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['non2xx']} | {m['rps'] / ceiling:.0%} |")
    lines += ["", f"Peak RSS of a gunicorn worker: {r['web_worker_peak_rss_mb']} MB."]
    return "\n".join(lines)


def write_docs(text: str, *, marker: str = "load", title: str = "Load: logging and reading over HTTP",
               command: str = "python bench/load.py --write-docs"):
    """Put `text` into docs/performance.md between this benchmark's markers (appended the first time)."""
    path = ROOT / "docs" / "performance.md"
    doc = path.read_text() if path.exists() else "# Performance\n"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    section = f"{start}\n## {title}\n\nCommand: `{command}`\n\n{text}\n{end}"
    if start in doc:
        doc = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: section, doc, flags=re.S)
    else:
        doc = doc.rstrip() + "\n\n" + section + "\n"
    path.write_text(doc)


if __name__ == "__main__":
    main()
