"""One entry point per process kind (issue 21): compose.yaml and the Dockerfile start every
process of the application through ``scripts/serve <kind>``, every kind it knows is used, and
``scripts/serve web`` really serves."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve"


def serve_kinds() -> set[str]:
    """The kinds the script's ``case`` accepts (its labels ``web)``, ``worker)``, ...)."""
    return set(re.findall(r"^([a-z]+)\)$", SERVE.read_text(), flags=re.MULTILINE))


def image_entrypoint() -> list[str]:
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.M)
    assert match, "the Dockerfile has no ENTRYPOINT in exec form"
    return list(yaml.safe_load(match.group(1)))


def app_commands() -> dict[str, tuple[list[str], int]]:
    """Each service built from the project's image: the argv it runs, and how many replicas."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    commands = {}
    for name, service in compose["services"].items():
        if "build" not in service:
            continue  # postgres, redis, the object store: not ours
        entrypoint = service.get("entrypoint", image_entrypoint())
        command = service["command"]
        entrypoint = entrypoint.split() if isinstance(entrypoint, str) else entrypoint
        command = command.split() if isinstance(command, str) else command
        replicas = int(service.get("deploy", {}).get("replicas", 1))
        commands[name] = ([*entrypoint, *command], replicas)
    return commands


def test_every_app_service_runs_scripts_serve_and_every_kind_is_used() -> None:
    kinds = serve_kinds()
    assert kinds == {"web", "worker", "beat", "migrate"}
    assert image_entrypoint() == ["scripts/serve"]
    commands = app_commands()
    used = []
    for name, (argv, replicas) in commands.items():
        assert len(argv) == 2 and argv[0] == "scripts/serve" and argv[1] in kinds, (name, argv)
        used += [argv[1]] * replicas
    assert set(used) == kinds
    # The topology the issue asks for: two of each long-running kind (two beats: one sends).
    assert sorted(used) == sorted(["migrate", "web", "web", "worker", "worker", "beat", "beat"])


def test_a_wrong_kind_prints_the_usage_and_fails() -> None:
    for argv in ([], ["runserver"], ["web", "extra"]):
        result = subprocess.run(  # noqa: S603 (the project's own script)
            [str(SERVE), *argv], capture_output=True, text=True, timeout=10, check=False
        )
        assert result.returncode == 64, argv
        assert "usage: scripts/serve web|worker|beat|migrate" in result.stderr
        assert result.stdout == ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_web_answers_on_loopback_and_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        # A SQLite file of its own (the admin's log-in page reads no table); no Redis needed.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
    }
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (the project's own script)
            [str(SERVE), "web"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/admin/login/"
        # Under load (CI runs two suites at once) the worker's first answer, which loads the
        # project, can take seconds: a slow answer is waited for again, up to the deadline.
        deadline = time.monotonic() + 60
        status, body = 0, b""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    status, body = response.status, response.read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        assert status == 200, log.read_text()
        assert b'name="password"' in body
        # gunicorn with the sizes from the environment, its access log on stdout: the line
        # is written after the response has gone, so it may follow it by a moment.
        logged = '"GET /admin/login/ HTTP/1.1" 200'
        deadline = time.monotonic() + 10
        while logged not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        text = log.read_text()
        assert "Using worker: gthread" in text
        assert logged in text
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()
