#!/usr/bin/env python
"""The full re-score spread over 1, 2, 4 … Celery worker processes: wall time, the ratio to one
worker, each worker's peak memory, and the result checked row for row against one process's.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cx_bench python bench/rescore_workers.py \\
        --workers 1,2,4 [--write-docs]

Uses the data set in that database (build it with `bench/rescore.py --build-only`, e.g. 1M
interactions). Each round puts the levels back to the stale state the build keeps, forgets the
history, starts N `celery worker --pool=solo` processes on a Redis broker (REDIS_URL, default
database 7), sends `drift.rescore_levels(full=True)` and waits for the JobRun to succeed. Peak
memory is each worker's VmHWM from /proc, CPU each worker's user + system time. The first round
runs one worker; its result is the expected one (`bench_expected`, `bench_expected_history`):
every later round must leave the same levels, omissions and reasons row for row and write the
same LevelChange rows (interaction, old and new level, cause, reason words), as a multiset,
nothing more and nothing less. (The single-process job itself is checked against a hand-written
SQL reference by bench/rescore.py.) `--repeat R` cycles through the worker counts R times (the
counts take turns, so a busy minute hurts them alike) and reports each count's median.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench.dataset import clear_history, restore_stale, setup_django, sql  # noqa: E402

EXPECTED = "bench_expected"
EXPECTED_HISTORY = "bench_expected_history"
HISTORY_COLUMNS = "interaction_id, old_level, new_level, cause, reason"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def start_workers(n: int) -> list[subprocess.Popen]:
    from cxportal.celery import app

    # Tasks left on the broker by an earlier round (a sampled run stops with chunks queued) or by
    # another benchmark on the same Redis database would be taken first and counted in this round.
    app.control.purge()
    celery = Path(sys.executable).parent / "celery"
    workers = []
    for k in range(n):
        worker = subprocess.Popen(
            [str(celery), "-A", "cxportal", "worker", "--pool=solo", "--loglevel=INFO", "-n", f"bench-{k}-{os.getpid()}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**os.environ, "LOG_FORMAT": "plain"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for line in worker.stderr:  # ready to take tasks
            if " ready." in line:
                break
        # Keep reading its log, or a worker that logs more than the pipe holds blocks on its next line.
        threading.Thread(target=worker.stderr.read, daemon=True).start()
        workers.append(worker)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """A warm shutdown finishes the task in hand; a worker that has not stopped within a minute is killed."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def differing() -> int:
    return sql(
        f"""SELECT count(*) FROM interactions_interaction i JOIN {EXPECTED} e ON e.id = i.id
            WHERE (i.assessed_level, i.level, i.omitted_gestures, i.reason)
                  IS DISTINCT FROM (e.assessed_level, e.level, e.omitted_gestures, e.reason)"""
    )[0][0]


def history_differing(run_id: int) -> int:
    """LevelChange rows of this run not in the single-worker run's, and the other way round (as multisets)."""
    ours = f"SELECT {HISTORY_COLUMNS} FROM interactions_levelchange WHERE job_run_id = {int(run_id)}"
    theirs = f"SELECT {HISTORY_COLUMNS} FROM {EXPECTED_HISTORY}"
    return sql(f"SELECT (SELECT count(*) FROM ({ours} EXCEPT ALL {theirs}) a) + (SELECT count(*) FROM ({theirs} EXCEPT ALL {ours}) b)")[0][0]


def one_round(n: int, *, warm_up: bool = False) -> dict:
    from drift.models import JobLock
    from drift.tasks import rescore_levels
    from interactions.models import JobRun, LevelChange

    restore_stale()
    clear_history()
    JobRun.objects.all().delete()
    JobLock.objects.all().delete()  # a run the benchmark stopped keeps its lock until it expires
    sql("VACUUM ANALYZE interactions_interaction, interactions_levelchange")
    workers = start_workers(n)
    try:
        load_before = load_average()
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        started = time.perf_counter()
        rescore_levels.delay(full=True)
        run, planned = None, None
        while run is None or run.status == JobRun.Status.RUNNING:
            time.sleep(0.2)
            run = JobRun.objects.filter(kind="rescore").order_by("-id").first()
            if planned is None and run is not None and run.chunks.exists():
                planned = time.perf_counter() - started  # drift and the plan, single, first
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a worker died")
        seconds = time.perf_counter() - started
        peaks = [memory_mb(w.pid) for w in workers]
        cpu = [cpu_seconds(w.pid) - b for w, b in zip(workers, cpu_before)]
        load_after = load_average()
    finally:
        stop_workers(workers)
    assert run.status == JobRun.Status.SUCCEEDED, run.message
    if warm_up:
        return {"workers": n, "seconds": seconds, "changed": LevelChange.objects.filter(job_run=run).count()}
    if not sql(f"SELECT to_regclass('{EXPECTED_HISTORY}')")[0][0]:
        assert n == 1, "the first round runs one worker: its result is the one the others must reproduce"
        sql(f"CREATE TABLE {EXPECTED_HISTORY} AS SELECT {HISTORY_COLUMNS} FROM interactions_levelchange WHERE job_run_id = %s", [run.pk])
        sql(f"CREATE TABLE {EXPECTED} AS SELECT id, assessed_level, level, omitted_gestures, reason FROM interactions_interaction")
    return {
        "workers": n, "seconds": seconds, "planned": planned or seconds, "peak_mb": max(peaks), "peaks": peaks,
        "cpu": cpu, "chunks": run.chunks.count(), "changed": LevelChange.objects.filter(job_run=run).count(),
        "differing": differing(), "history_differing": history_differing(run.pk), "load": f"{load_before} -> {load_after}",
    }


def sample_round(n: int, k: int) -> dict:
    """A full run on N workers stopped after its first K chunks (a data set too big to re-score whole in
    the time at hand): the drift and plan step, the time per chunk, each worker's peak memory."""
    from django.conf import settings

    from drift.models import JobLock
    from drift.tasks import rescore_levels
    from interactions.models import JobRun

    clear_history()
    restore_stale(f"i.customer_id <= {k * n * settings.RESCORE_CHUNK_CUSTOMERS}")
    JobRun.objects.all().delete()
    JobLock.objects.all().delete()
    workers = start_workers(n)
    try:
        load_before = load_average()
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        started = time.perf_counter()
        rescore_levels.delay(full=True)
        run, planned, done = None, None, 0
        while done < k:
            time.sleep(0.2)
            run = JobRun.objects.filter(kind="rescore").order_by("-id").first()
            if planned is None and run is not None and run.chunks.exists():
                planned = time.perf_counter() - started
            done = run.chunks.filter(done_at__isnull=False).count() if run is not None else 0
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a worker died")
        seconds = time.perf_counter() - started
        peaks = [memory_mb(w.pid) for w in workers]
        cpu = [cpu_seconds(w.pid) - b for w, b in zip(workers, cpu_before)]
        load_after = load_average()
    finally:
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.wait(timeout=60)
    chunks = run.chunks.count()
    JobRun.objects.filter(pk=run.pk).update(status=JobRun.Status.FAILED, message="bench: stopped after a sample of chunks")
    JobLock.objects.all().delete()
    return {"workers": n, "seconds": seconds, "planned": planned, "done": done, "chunks": chunks, "peaks": peaks,
            "cpu": cpu, "load": f"{load_before} -> {load_after}"}


def median(values):
    return statistics.median(values)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", default="1,2,4", help="comma-separated worker counts, the first one 1")
    ap.add_argument("--repeat", type=int, default=1, help="cycle through the worker counts this many times")
    ap.add_argument("--label", default="", help="a name for this data set's section in docs/performance.md")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--warm-up", action="store_true",
                    help="first one run with the largest worker count, not counted: a set built with --no-warm-up keeps "
                         "no reasons, so its first run rewrites every row; after this one the rounds rewrite what changed")
    ap.add_argument("--sample-chunks", type=int, default=0,
                    help="stop each run after this many chunks (per-chunk cost and memory of a set too big to run whole)")
    args = ap.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    if args.sample_chunks:
        setup_django()
        from interactions.models import Interaction

        rows = Interaction.objects.count()
        for n in counts:
            r = sample_round(n, args.sample_chunks)
            per_chunk = (r["seconds"] - r["planned"]) * n / r["done"]
            print(f"  {n} worker(s), {rows:,} interactions: the first {r['done']} of {r['chunks']} chunks in "
                  f"{r['seconds']:.1f} s (drift and plan {r['planned']:.1f} s), {per_chunk:.1f} s per chunk per worker, "
                  f"peak RSS {', '.join(f'{p:.0f}' for p in r['peaks'])} MB, CPU {', '.join(f'{c:.0f}' for c in r['cpu'])} s, "
                  f"load average {r['load']}", flush=True)
        return
    assert counts[0] == 1, "the first round runs one worker (the result the others are checked against)"
    setup_django()
    from django.conf import settings

    from interactions.models import Customer, Interaction

    sql(f"DROP TABLE IF EXISTS {EXPECTED}; DROP TABLE IF EXISTS {EXPECTED_HISTORY}")
    rows, customers = Interaction.objects.count(), Customer.objects.count()
    results: dict[int, list[dict]] = {n: [] for n in counts}
    if args.warm_up:
        r = one_round(max(counts), warm_up=True)
        print(f"  warm-up, {r['workers']} worker(s): {r['seconds']:.1f} s, {r['changed']:,} level changes (not counted)", flush=True)
    for _ in range(args.repeat):
        for n in counts:
            r = one_round(n)
            results[n].append(r)
            print(f"  {n} worker(s): {r['seconds']:.1f} s (drift and plan {r['planned']:.1f} s), peak "
                  f"{', '.join(f'{p:.0f}' for p in r['peaks'])} MB, CPU {', '.join(f'{c:.0f}' for c in r['cpu'])} s, "
                  f"{r['changed']:,} level changes, {r['differing']} rows and {r['history_differing']} history rows "
                  f"differing, load average {r['load']}", flush=True)
            assert r["differing"] == 0, "the spread run disagrees with the single-process levels"
            assert r["history_differing"] == 0, "the spread run wrote other history than the single worker"
    one = results[1]
    base = median([r["seconds"] for r in one])
    chunks = one[0]["chunks"]
    plan = median([r["planned"] for r in one])
    per_chunk = (base - plan) / max(1, chunks)
    changes = {r["changed"] for rs in results.values() for r in rs}
    label = f" ({args.label})" if args.label else ""
    lines = [
        (f"Full re-score of {rows:,} interactions{label} ({customers:,} customers, {chunks} chunks of "
        f"{settings.RESCORE_CHUNK_CUSTOMERS} customers) by N `celery worker --pool=solo` processes on this machine "
        f"({os.cpu_count()} cores, PostgreSQL on the same cores, other work running: load averages in the table). "
        f"Every round reproduced the expected levels and reasons row for row, and wrote the same history rows "
        f"(interaction, old and new level, cause, reason) as the single worker; level changes per round: "
        f"{', '.join(f'{c:,}' for c in sorted(changes))}."),
        "",
        "| workers | wall time (median) | runs | vs 1 worker | drift and plan | peak RSS per worker | CPU per worker | load average (1/5/15 min, before -> after) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, rs in results.items():
        wall = median([r["seconds"] for r in rs])
        lines.append(
            f"| {n} | {wall:.1f} s | {', '.join(format(r['seconds'], '.1f') for r in rs)} | {wall / base:.2f}x "
            f"| {median([r['planned'] for r in rs]):.1f} s | {max(r['peak_mb'] for r in rs):.0f} MB "
            f"| {median([sum(r['cpu']) / n for r in rs]):.0f} s | {'; '.join(r['load'] for r in rs)} |"
        )
    scale = 100_000_000 / rows
    projected = plan * scale + per_chunk * chunks * scale / 16
    lines += [
        "",
        (f"One worker spends {per_chunk:.2f} s per chunk ({per_chunk / (rows / chunks) * 1e6:.1f} µs per interaction) "
        f"after {plan:.1f} s of drift and planning. Projection for 100M interactions with 16 workers: "
        f"{projected / 60:.0f} min = the drift and plan step scaled by rows (it is single) + "
        f"{chunks * scale:,.0f} chunks x {per_chunk:.2f} s / 16. Assumptions: 16 cores for the workers, a "
        f"database that keeps up with 16 writers (here it shares the {os.cpu_count()} cores with the workers), "
        f"chunks of the same size costing the same at 100M (the chunk's reads and its UPDATE go through the "
        f"customer_id index, so they do not grow with the table), and chunks spread evenly over the workers."),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        from bench.load import write_docs

        suffix = f"-{args.label}" if args.label else ""
        write_docs(text, marker=f"rescore-workers{suffix}", title=f"The re-score spread over workers{label}",
                   command=f"python bench/rescore_workers.py --workers {args.workers} --repeat {args.repeat}"
                           f"{' --warm-up' if args.warm_up else ''}"
                           f"{' --label ' + args.label if args.label else ''} --write-docs")


if __name__ == "__main__":
    main()
