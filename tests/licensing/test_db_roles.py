"""Issue 15, item 3: least privilege in PostgreSQL. The web and the workers connect as a runtime
role that may read and write the ordinary tables, only read and append to the audit trail, and
neither TRUNCATE, ALTER, disable a trigger, switch off triggers by replication role nor create a
table (docs/database-roles.md). Proved by connecting as that role to the test database."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from licensing.db_roles import grant_after_migrate
from licensing.models import AuditEvent, Verb
from licensing.models.audit import APPEND_ONLY_TABLES
from licensing.services.audit import record_event
from tests import factories as f

# Roles are shared by every database of the cluster; this one is the tests' own.
ROLE = "licensing_runtime_test"


def _create_role_if_missing() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
        if cursor.fetchone() is None:
            cursor.execute(
                f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
            )


def _connect_as(role: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        autocommit=True,
    )


@pytest.fixture
def runtime() -> Iterator[psycopg.Connection]:
    """A connection to the test database as the runtime role, after the grant command ran (in a
    transaction=True test, so that the grants are committed for the other connection to see)."""
    _create_role_if_missing()
    call_command("grant_runtime_role", role=ROLE, verbosity=0)
    with _connect_as(ROLE) as conn:
        yield conn


def _refused(conn: psycopg.Connection, sql: str, params: list | None = None) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        conn.execute(sql, params)
    return str(refused.value)


def _an_event() -> AuditEvent:
    licence = f.LicenceFactory()
    return record_event(licence, verb=Verb.EDITED, by=None, reason="role test")


pytestmark = pytest.mark.django_db(transaction=True)
pg = pytest.mark.postgresql


@pg
def test_the_runtime_role_reads_and_appends_to_the_audit_trail(runtime):
    event = _an_event()
    columns = [field.column for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    listed = ", ".join(columns)
    count = runtime.execute("SELECT count(*) FROM licensing_auditevent").fetchone()
    assert count is not None and count[0] >= 1
    runtime.execute(
        f"INSERT INTO licensing_auditevent ({listed}) "  # noqa: S608
        f"SELECT {listed} FROM licensing_auditevent WHERE id = %s",
        [event.pk],
    )
    assert AuditEvent.objects.filter(object_id=event.object_id).count() == 2


@pg
@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE licensing_auditevent SET reason = 'rewritten'", "permission denied"),
        ("DELETE FROM licensing_auditevent", "permission denied"),
        ("TRUNCATE licensing_auditevent CASCADE", "permission denied"),
        ("ALTER TABLE licensing_auditevent DISABLE TRIGGER ALL", "must be owner"),
        ("SET session_replication_role = replica", "permission denied"),
        ("DROP TABLE licensing_auditevent", "must be owner"),
        ("CREATE TABLE public.shadow_audit (id int)", "permission denied for schema public"),
        ("TRUNCATE licensing_licence CASCADE", "permission denied"),
    ],
    ids=["update", "delete", "truncate", "disable_trigger", "replica", "drop", "create", "trunc"],
)
def test_the_runtime_role_cannot_alter_or_remove_the_audit_trail(runtime, sql, message):
    event = _an_event()
    assert message in _refused(runtime, sql)
    assert AuditEvent.objects.filter(pk=event.pk, reason="role test").exists()


@pg
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_every_append_only_table_is_select_and_insert_only(runtime, table):
    privileges = runtime.execute(
        "SELECT privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = %s AND table_name = %s",
        [ROLE, table],
    ).fetchall()
    assert sorted(p for (p,) in privileges) == ["INSERT", "SELECT"]


@pg
def test_the_runtime_role_reads_and_writes_the_ordinary_tables(runtime):
    licence = f.LicenceFactory()
    runtime.execute("UPDATE licensing_licence SET state = 'suspended' WHERE id = %s", [licence.pk])
    runtime.execute("INSERT INTO licensing_sequence (name, value) VALUES ('role-test', 1)")
    runtime.execute("UPDATE licensing_sequence SET value = 2 WHERE name = 'role-test'")
    runtime.execute("DELETE FROM licensing_sequence WHERE name = 'role-test'")
    (state,) = runtime.execute(
        "SELECT state FROM licensing_licence WHERE id = %s", [licence.pk]
    ).fetchone()
    assert state == "suspended"
    # Sequences: the next id of a table is drawn by the runtime role's inserts.
    runtime.execute(
        "INSERT INTO django_content_type (app_label, model) VALUES ('roletest', 'probe')"
    )


@pg
def test_the_grants_follow_every_migrate_when_the_runtime_role_is_configured():
    _create_role_if_missing()
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON licensing_auditevent FROM {ROLE}")
    with override_settings(DATABASE_RUNTIME_ROLE=ROLE):
        grant_after_migrate(sender=None, using="default")
    with _connect_as(ROLE) as conn:
        assert conn.execute("SELECT count(*) FROM licensing_auditevent").fetchone() is not None
        assert "permission denied" in _refused(conn, "DELETE FROM licensing_auditevent")


@pg
@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("postgres", "the owner"),
        ("no_such_role_c", "does not exist"),
        ("Robert'); DROP TABLE x;--", "not a plain role name"),
    ],
)
def test_the_command_refuses_a_role_that_is_not_a_safe_runtime_role(role, message):
    with pytest.raises(CommandError, match=message):
        call_command("grant_runtime_role", role=role, verbosity=0)


def test_the_command_says_that_sqlite_has_no_roles():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite refusal; PostgreSQL is tested above")
    with pytest.raises(CommandError, match="ORM guard"):
        call_command("grant_runtime_role", role=ROLE, verbosity=0)
