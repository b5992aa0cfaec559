#!/usr/bin/env bash
# Least privilege in PostgreSQL (issue 15; docs/database-roles.md). Run as a superuser, once per
# database and again whenever you like (idempotent):
#   - the owner role (DB_OWNER, default licensing_owner) owns the database, its public schema and
#     every table in it, and runs `manage.py migrate`;
#   - the runtime role (DB_RUNTIME, default licensing_app) is what the web and the workers connect
#     as: LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION, owns nothing.
# Passwords come from DB_OWNER_PASSWORD / DB_RUNTIME_PASSWORD; unset means none (trust or peer
# authentication, as on CI). The superuser connection is psql's: PGHOST, PGPORT, PGUSER (default
# 127.0.0.1, 5432, postgres). Then, as the owner:
#   DATABASE_URL=postgres://licensing_owner@host/licensing manage.py migrate
#   DATABASE_URL=postgres://licensing_owner@host/licensing manage.py grant_runtime_role --role licensing_app
set -euo pipefail

DB_NAME=${DB_NAME:-licensing}
DB_OWNER=${DB_OWNER:-licensing_owner}
DB_RUNTIME=${DB_RUNTIME:-licensing_app}
export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-postgres}

for name in "$DB_NAME" "$DB_OWNER" "$DB_RUNTIME"; do
    if [[ ! $name =~ ^[a-z_][a-z0-9_]*$ ]]; then
        echo "db-roles.sh: '$name' is not a plain lower-case name" >&2
        exit 2
    fi
done
if [[ $DB_OWNER == "$DB_RUNTIME" ]]; then
    echo "db-roles.sh: the owner and the runtime role must be two roles" >&2
    exit 2
fi

sql() {  # sql DATABASE: run standard input, stop at the first error
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" \
        -v owner="$DB_OWNER" -v runtime="$DB_RUNTIME" -v dbname="$DB_NAME" \
        -v owner_password="${DB_OWNER_PASSWORD:-}" -v runtime_password="${DB_RUNTIME_PASSWORD:-}"
}

sql postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'runtime')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'runtime') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION',
              :'owner') \gexec
-- ASVS V13.2.2: the account the application runs as has no administrative power.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION '
              'NOINHERIT', :'runtime') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password')
 WHERE :'owner_password' <> '' \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'runtime', :'runtime_password')
 WHERE :'runtime_password' <> '' \gexec
-- The runtime role is no member of the owner (it would inherit ownership, and with it ALTER).
SELECT format('REVOKE %I FROM %I', :'owner', :'runtime')
 WHERE pg_has_role(:'runtime', :'owner', 'MEMBER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'dbname', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'dbname', :'owner') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'dbname') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'dbname', :'runtime') \gexec
SQL

sql "$DB_NAME" <<'SQL'
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- A database migrated before the roles existed: hand its objects to the owner.
SELECT format('ALTER TABLE public.%I OWNER TO %I', c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
   AND pg_get_userbyid(c.relowner) <> :'owner' \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> :'owner'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
\gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') \gexec
SQL

echo "db-roles.sh: $DB_OWNER owns $DB_NAME; $DB_RUNTIME may connect." \
    "Now, as $DB_OWNER: manage.py migrate && manage.py grant_runtime_role --role $DB_RUNTIME"
