"""Real Celery workers as subprocesses, on a private Redis, for the tests that kill them.

The in-process worker of celery.contrib.pytest is a thread of the test: it cannot be killed
with SIGKILL, and restarting the machine's shared Redis would disturb everyone else. Here each
test starts its own ``redis-server`` on a free port (no persistence, so a restart loses every
queued message, as a crash would) and ``celery -A licensing worker`` processes that see the
test database (committed data: ``django_db(transaction=True)`` on PostgreSQL). Their e-mail goes
to files (Django's file backend), one message per send, so a test can count what was sent."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something true (no fixed sleeps: a bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server to answer")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Stopped and started again, empty: every message it held is gone."""
        self.stop()
        self.start()


def signing_env() -> dict[str, str]:
    """The test session's signing key (tests/conftest.py, ``demo_authority``): a worker process
    signs what it prints with it, as the test process does."""
    from django.conf import settings

    return {
        "DOCUMENT_SIGNING_PKCS12": str(settings.DOCUMENT_SIGNING_PKCS12),
        "DOCUMENT_SIGNING_PASSPHRASE": settings.DOCUMENT_SIGNING_PASSPHRASE,
        "DOCUMENT_SIGNING_TRUST_ROOTS": ",".join(settings.DOCUMENT_SIGNING_TRUST_ROOTS),
    }


class Worker:
    """``celery -A licensing worker`` with the solo pool: one process, so SIGKILL ends it all."""

    def __init__(self, env: dict[str, str], log: Path, name: str) -> None:
        self.log = log
        env = {**signing_env(), **env}
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
                [
                    str(CELERY),
                    "-A",
                    "licensing",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    f"--hostname={name}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(lambda: b"ready." in log.read_bytes(), timeout=60, what=f"worker {name} ready")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def database_url() -> str:
    """The test database (``test_<name>``), as the worker's DATABASE_URL."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Cluster:
    """A private Redis and the workers a test starts on it, their mail in ``mail_dir``."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.redis = PrivateRedis(tmp_path)
        self.mail_dir = tmp_path / "var" / "mail"
        self.workers: list[Worker] = []

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "CELERY", "EXPIRY", "DJANGO"))
        }
        env.update(
            DATABASE_URL=database_url(),
            REDIS_URL=self.redis.url,
            DJANGO_VAR_DIR=str(self.tmp_path / "var"),
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            # A message taken and not acknowledged (its worker was killed) is delivered again
            # after this many seconds, to the next worker.
            CELERY_VISIBILITY_TIMEOUT="3",
            NOTIFICATION_SWEEP_AFTER_SECONDS="1",
            DJANGO_LOG_LEVEL="INFO",
        )
        return env

    def start_worker(self, name: str) -> Worker:
        worker = Worker(self.env(), self.tmp_path / f"{name}.log", name)
        self.workers.append(worker)
        return worker

    def send(self, task: Any, *args: Any) -> None:
        """Queue ``task`` on the private Redis, as beat would."""
        from licensing.celery import app

        with app.connection_for_write(self.redis.url) as conn:
            task.apply_async(args=args, connection=conn)

    def sent_mail(self) -> Counter[tuple[str, str]]:
        """(recipient, subject) of every message the workers sent, counted."""
        sent: Counter[tuple[str, str]] = Counter()
        if not self.mail_dir.exists():
            return sent
        for path in self.mail_dir.iterdir():
            for raw in path.read_text(encoding="utf-8").split("-" * 79):
                if raw.strip():
                    message = email.message_from_string(raw.strip(), policy=email.policy.default)
                    sent[(str(message["To"]), str(message["Subject"]))] += 1
        return sent

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if connection.vendor != "postgresql":
        pytest.skip("worker subprocesses need a committed PostgreSQL test database")
    cluster = Cluster(tmp_path)
    cluster.redis.start()
    try:
        yield cluster
    finally:
        cluster.close()
