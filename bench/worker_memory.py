#!/usr/bin/env python
"""Peak memory of a real Celery worker running the full re-score (drift.rescore_levels, full=True).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cx_bench python bench/worker_memory.py [--write-docs]

Starts `celery -A cxportal worker --pool=solo` on a Redis broker (REDIS_URL, default database 7 of
the local server), sends it the task, waits for the JobRun to finish, and reads the worker's peak
resident set (VmHWM in /proc) before and after. Target (issue 9): under 500 MB on 1M interactions.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cx_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from bench.load import write_docs  # noqa: E402
from interactions.models import Interaction, JobRun  # noqa: E402


def memory_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss, hwm = (int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024 for key in ("VmRSS", "VmHWM"))
    return rss, hwm


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    from drift.tasks import rescore_levels

    rows = Interaction.objects.count()
    celery = Path(sys.executable).parent / "celery"
    worker = subprocess.Popen(
        [str(celery), "-A", "cxportal", "worker", "--pool=solo", "--loglevel=INFO", "-n", f"bench-memory-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        for line in worker.stderr:  # the worker says when it is ready to take tasks
            if " ready." in line:
                break
        idle_rss, _ = memory_mb(worker.pid)
        before = JobRun.objects.filter(kind="rescore").order_by("-id").values_list("id", flat=True).first() or 0
        started = time.perf_counter()
        rescore_levels.delay(full=True)
        run = None
        while run is None or run.status == JobRun.Status.RUNNING:
            time.sleep(0.5)
            run = JobRun.objects.filter(kind="rescore", id__gt=before).order_by("-id").first()
            if worker.poll() is not None:
                raise SystemExit("the worker died")
        seconds = time.perf_counter() - started
        _, peak = memory_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    text = (f"Full re-score by a Celery worker (`--pool=solo`, Redis broker) on {rows:,} interactions: JobRun "
            f"#{run.pk} {run.status} in {seconds:.0f} s; worker RSS idle {idle_rss:.0f} MB, **peak {peak:.0f} MB** "
            f"(target < 500 MB).")
    print(text)
    if args.write_docs:
        write_docs(text, marker="worker-memory", title="Memory of the Celery worker during a full re-score",
                   command="python bench/worker_memory.py --write-docs")

if __name__ == "__main__":
    main()
