"""Real processes for system tests: a PostgreSQL cluster, a Redis server and a gunicorn web of the
test's own, on loopback ports, so a test can restart or kill them without hurting anything else."""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port}")


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="cx-redis-")
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (scripts/test installs it)"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def restart(self, down_for: float = 0.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnPostgres:
    """A throwaway PostgreSQL cluster (initdb in a temp dir, trust auth on loopback)."""

    def __init__(self):
        bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        assert bindirs, "PostgreSQL server binaries are not installed (scripts/test installs them)"
        self.bin = Path(bindirs[-1])
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cx-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *args, check=True):
        cmd = [str(a) for a in args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/cxportal"

    def start(self):
        if self.as_postgres:
            uid = pwd.getpwnam("postgres")
            os.chown(self.dir, uid.pw_uid, uid.pw_gid)
        if not self.data.exists():
            self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._pg_ctl("start", "-w", "-t", "30")
        self._run(self.bin / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-c", "CREATE DATABASE cxportal", check=False)
        return self

    def _pg_ctl(self, *args):
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c fsync=off"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.dir / "log", *args)

    def restart_immediate(self):
        """What a crash looks like to clients: every connection cut at once, then the server is back."""
        self._pg_ctl("restart", "-m", "immediate", "-w", "-t", "30")

    def close(self):
        self._run(self.bin / "pg_ctl", "-D", self.data, "stop", "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


class Web:
    """gunicorn serving the app on a free port with the given environment."""

    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cxportal.settings.test", **env}
        self.workers = workers
        self.proc = None
        self.log = tempfile.NamedTemporaryFile(prefix="cx-web-", suffix=".log", delete=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.proc = subprocess.Popen(
            [str(gunicorn), "cxportal.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--threads", "4", "--timeout", "60"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code in (200, 503):
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise TimeoutError("the web did not start:\n" + Path(self.log.name).read_text())

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        os.unlink(self.log.name)

    def output(self) -> str:
        return Path(self.log.name).read_text()
