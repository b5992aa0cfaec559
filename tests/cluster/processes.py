"""The cluster's processes on loopback: a private Redis and S3 server, then PostgreSQL's own
database for the run, two web nodes, two workers and two beats, each started by
``scripts/serve <kind>`` with production settings (DEBUG off, JSON logs, the bucket for files).

Each application process has a folder of its own for ``DJANGO_VAR_DIR`` (its local disk): after
the walk none of them may hold a stored file, since every node must see every file. Every
process runs in a session of its own, so that a SIGKILL reaches a worker's pool children too,
and ``stop()`` ends whatever is left, whatever happened before."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tests.licensing.worker_processes import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve"
BIN = Path(sys.executable).parent
BUCKET = "licensing-cluster"
# One database per run (dropped at the end): two runs on one server never share it.
DATABASE = f"licensing_cluster_{os.getpid()}"


def wait_for(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something true; a bounded wait, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Cluster:
    def __init__(self, workdir: Path, database_url: str) -> None:
        self.workdir = workdir
        server = urlsplit(database_url)
        self.admin_url = urlunsplit(server._replace(path="/postgres"))
        self.database_url = urlunsplit(server._replace(path=f"/{DATABASE}"))
        self.redis_port = free_port()
        self.s3_port = free_port()
        self.web_ports = {"web-a": free_port(), "web-b": free_port()}
        self.metrics_token = secrets.token_urlsafe(24)
        self.signing = workdir / "signing"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "STORAGE_S3_BUCKET": BUCKET,
            "STORAGE_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "STORAGE_S3_REGION": "us-east-1",
            "STORAGE_S3_ACCESS_KEY_ID": "cluster",
            "STORAGE_S3_SECRET_ACCESS_KEY": "cluster-secret",
            "DOCUMENT_SIGNING_PKCS12": str(self.signing / "authority-signing.p12"),
            "DOCUMENT_SIGNING_PASSPHRASE": "demo-signing-2026",
            "DOCUMENT_SIGNING_TRUST_ROOTS": str(self.signing / "authority-root.pem"),
            "PORTAL_BASE_URL": f"http://127.0.0.1:{self.web_ports['web-a']}",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "METRICS_TOKEN": self.metrics_token,
            # Small sizes, short intervals: what a day of production does, in a minute.
            "WEB_WORKERS": "2",
            "WEB_THREADS": "2",
            "WORKER_CONCURRENCY": "2",
            "PRINT_BATCH_CHUNK": "2",
            "WORKER_HEARTBEAT_EVERY_SECONDS": "2",
            "READYZ_WORKER_MAX_AGE_SECONDS": "30",
            "BEAT_LOCK_TIMEOUT_SECONDS": "10",
            "BEAT_MAX_INTERVAL_SECONDS": "1",
            # A killed worker's unacknowledged messages go back to the queue after this long.
            "CELERY_VISIBILITY_TIMEOUT": "15",
            "CELERY_UNACKED_RESTORE_EVERY_SECONDS": "2",
            # Work whose message was never sent (Redis down) is found by the sweeps.
            "PRINT_BATCH_RESUME_AFTER_SECONDS": "5",
            "RESUME_PRINT_BATCHES_EVERY_SECONDS": "3",
            "PYTHONUNBUFFERED": "1",
        }

    # -- processes ---------------------------------------------------------------------------

    def folder(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start(self, name: str, argv: list[str], **extra: str) -> subprocess.Popen[bytes]:
        env = {**self.env, "DJANGO_VAR_DIR": str(self.folder(f"var-{name}")), **extra}
        with self.log(name).open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 (the project's own commands)
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def run(self, name: str, argv: list[str], **extra: str) -> None:
        """A one-off command (migrate, loading the demo): it must succeed."""
        process = self.start(name, argv, **extra)
        if process.wait(timeout=600) != 0:
            tail = self.log(name).read_text(errors="replace")[-3000:]
            raise AssertionError(f"{name} failed ({process.returncode}):\n{tail}")

    def manage(self, name: str, *args: str, **extra: str) -> None:
        self.run(name, [str(BIN / "python"), "manage.py", *args], **extra)

    def output_of(self, *args: str, **extra: str) -> str:
        env = {**self.env, "DJANGO_VAR_DIR": str(self.folder("var-setup")), **extra}
        return subprocess.run(  # noqa: S603
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """The process and everything it started (a worker's pool), at once."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop(self) -> None:
        for _name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    # -- the services ------------------------------------------------------------------------

    def start_redis(self) -> None:
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.start(
            "redis",
            [
                redis_server,
                "--port", str(self.redis_port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.folder("redis")),
            ],
        )  # fmt: skip
        wait_for(lambda: answers(self.redis_port), timeout=15, what="Redis")

    def start_store(self) -> None:
        self.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_for(lambda: answers(self.s3_port), timeout=30, what="the S3 server")
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["STORAGE_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
        )

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {DATABASE}")

    def drop_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def node(self, name: str) -> str:
        return f"http://127.0.0.1:{self.web_ports[name]}"

    def stored_files_on_local_disks(self) -> list[str]:
        """Files under any process's MEDIA_ROOT: there must be none with a bucket."""
        return sorted(
            str(path.relative_to(self.workdir))
            for path in self.workdir.glob("var-*/media/**/*")
            if path.is_file()
        )
