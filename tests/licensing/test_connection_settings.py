"""Persistent database connections (``DATABASE_CONN_MAX_AGE``, README): a web process keeps its
connection between requests instead of opening one per request, and a connection the server
dropped in between (a restart, a failover, an idle timeout) is noticed by the health check and
replaced, so that the next request is answered, not failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import LicenceFactory

ROOT = Path(__file__).resolve().parents[2]
READ_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
)


def database_settings(**env: str) -> list[Any]:
    """CONN_MAX_AGE and CONN_HEALTH_CHECKS as a fresh process reads them from ``env``."""
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_CONN_MAX_AGE"}
    clean.update(
        DJANGO_SETTINGS_MODULE="licensing.settings",
        DATABASE_URL="postgres://nobody@127.0.0.1:5432/nothing",
        **env,
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_connections_are_kept_ten_minutes_and_health_checked_by_default() -> None:
    assert database_settings() == [600, True]


def test_zero_opens_a_connection_per_request_as_before() -> None:
    assert database_settings(DATABASE_CONN_MAX_AGE="0") == [0, True]


def wsgi_get(path: str) -> int:
    """One request through the WSGI handler, as gunicorn sends it: the request's start and end
    signals run, and with them Django's handling of old connections."""
    environ = RequestFactory().get(path).environ
    status: list[str] = []
    body = WSGIHandler()(environ, lambda line, headers, *rest: status.append(line))
    b"".join(body)
    body.close()
    return int(status[0].split()[0])


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def terminate(pid: int) -> None:
    """What a server restart or an idle timeout does to a kept connection."""
    url = settings.DATABASES["default"]
    with psycopg.connect(
        host=url["HOST"] or "127.0.0.1",
        port=url["PORT"] or 5432,
        user=url["USER"],
        password=url["PASSWORD"] or None,
        dbname=url["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own connections")
@pytest.mark.django_db(transaction=True)
def test_a_request_reuses_the_connection_and_survives_its_loss() -> None:
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    licence = LicenceFactory()
    url = reverse("verify:licence", args=[licence.number])

    assert wsgi_get(url) == 200
    kept = backend_pid()
    assert wsgi_get(url) == 200
    assert backend_pid() == kept  # no new connection for the second request

    terminate(kept)
    # The health check at the start of the next request finds the connection dead and opens
    # another: the visitor gets the page, not a server error.
    assert wsgi_get(url) == 200
    assert backend_pid() != kept
