"""Least privilege in PostgreSQL (issue 15; docs/database-roles.md).

Two roles: the *owner* owns the schema and every table and runs ``migrate``; the *runtime* role,
which the web processes and the Celery workers connect as, may read and write the ordinary
tables but only SELECT and INSERT on the append-only audit tables, may not TRUNCATE, ALTER or
disable a trigger (none of these is granted to a role that does not own the table), may not
create tables, and is no superuser, so it cannot ``SET session_replication_role = replica`` to
silence the audit trigger. ``grant_runtime_role`` applies this as the owner, after every
``migrate`` (``manage.py grant_runtime_role`` and the ``post_migrate`` receiver below).

SQLite, the laptop default, has no roles: there the ORM guard (``AppendOnlyQuerySet``) is all
that keeps the audit trail append-only."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from licensing.exceptions import DomainError
from licensing.models.audit import APPEND_ONLY_TABLES

logger = logging.getLogger(__name__)

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RuntimeRoleRefused(DomainError):
    """The grants cannot (or must not) be applied: SQLite, an unknown or unsafe role."""


def _check(connection: BaseDatabaseWrapper, role: str) -> None:
    if connection.vendor != "postgresql":
        raise RuntimeRoleRefused(
            _(
                "Database roles exist on PostgreSQL only. On SQLite the audit trail is kept "
                "append-only by the application (the ORM guard) alone."
            )
        )
    if not ROLE_NAME.match(role):
        raise RuntimeRoleRefused(
            _("%(role)s is not a plain role name (lower-case letters, digits, _).") % {"role": role}
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, "
            "pg_has_role(%s, current_user, 'MEMBER'), rolname = current_user "
            "FROM pg_roles WHERE rolname = %s",
            [role, role],
        )
        row = cursor.fetchone()
    if row is None:
        raise RuntimeRoleRefused(
            _("The role %(role)s does not exist: create it with scripts/db-roles.sh.")
            % {"role": role}
        )
    superuser, bypass_rls, create_role, create_db, member_of_owner, is_self = row
    # ASVS V13.2.2: the runtime account has only the privileges the application needs.
    if is_self or member_of_owner:
        raise RuntimeRoleRefused(
            _(
                "%(role)s is the owner, or a member of it: the runtime role must be a separate "
                "role. Run this as the owner (the role that runs migrate)."
            )
            % {"role": role}
        )
    if superuser or bypass_rls or create_role or create_db:
        raise RuntimeRoleRefused(
            _(
                "%(role)s is a superuser or may create roles or databases: a runtime role must "
                "be NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS."
            )
            % {"role": role}
        )


def runtime_grants(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """The statements that give ``role`` the runtime privileges and no more, in order. Each is
    idempotent, so they are all run again after every migration."""
    quote = connection.ops.quote_name
    grantee = quote(role)
    database = quote(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema_name,) = cursor.fetchone()
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s)",
            [list(APPEND_ONLY_TABLES)],
        )
        append_only = sorted(name for (name,) in cursor.fetchall())
    schema = quote(schema_name)
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {grantee}",
        # No CREATE on the schema: the runtime role cannot add a table, view or function.
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {schema} FROM {grantee}",
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
        # Tables and sequences the owner creates later get the same, until this runs again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {grantee}",
    ]
    for table in append_only:
        # ASVS V16.4.2: the audit trail cannot be changed or removed by the application's own
        # account; the trigger of migration 0002 refuses it too, even to the owner.
        statements += [
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {quote(table)} "
            f"FROM {grantee}",
            f"GRANT SELECT, INSERT ON {quote(table)} TO {grantee}",
        ]
    return statements


def grant_runtime_role(*, role: str, using: str = "default") -> list[str]:
    """Apply the runtime role's privileges on database ``using``; run as the owner (or a
    superuser). Returns the statements run. Called by ``manage.py grant_runtime_role`` and after
    every ``migrate`` when DATABASE_RUNTIME_ROLE is set."""
    connection = connections[using]
    _check(connection, role)
    # One transaction: the running services never see the role between a REVOKE and its GRANT.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        statements = runtime_grants(connection, role)
        for statement in statements:
            cursor.execute(statement)
    logger.info("runtime role %s: %d grants applied on %s", role, len(statements), using)
    return statements


def grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: with DATABASE_RUNTIME_ROLE set, every migrate on PostgreSQL ends with the
    grants, so a table added by a migration is never left without them (or, if append-only,
    with UPDATE and DELETE from the default privileges)."""
    role = getattr(settings, "DATABASE_RUNTIME_ROLE", "")
    if role and connections[using].vendor == "postgresql":
        grant_runtime_role(role=role, using=using)
