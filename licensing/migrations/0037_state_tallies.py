"""Counts by state kept by triggers (licensing.models.tallies), on PostgreSQL: an insert or a
delete appends its statement's rows counted by state (a statement-level trigger, so that a COPY
of an import appends a few rows, not one per licence); an update appends -1 and +1 for each row
whose state it changed (a row-level trigger whose WHEN clause PostgreSQL checks itself, so an
update that changes no state costs nothing). The rows there now are counted once."""

from django.conf import settings
from django.db import migrations, models

TABLES = {"licence": "licensing_licence", "application": "licensing_application"}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION licensing_tally_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO licensing_statetally ("table", state, n)
        SELECT TG_ARGV[0], state, count(*) FROM new_rows GROUP BY state;
    ELSE
        INSERT INTO licensing_statetally ("table", state, n)
        SELECT TG_ARGV[0], state, -count(*) FROM old_rows GROUP BY state;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION licensing_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO licensing_statetally ("table", state, n)
    VALUES (TG_ARGV[0], OLD.state, -1), (TG_ARGV[0], NEW.state, 1);
    RETURN NULL;
END
$$;
"""


def _triggers(table: str, key: str) -> dict[str, str]:
    return {
        f"{table}_tally_insert": (
            f"AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION licensing_tally_rows('{key}')"
        ),
        f"{table}_tally_delete": (
            f"AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION licensing_tally_rows('{key}')"
        ),
        f"{table}_tally_update": (
            f"AFTER UPDATE OF state ON {table} FOR EACH ROW "
            "WHEN (OLD.state IS DISTINCT FROM NEW.state) "
            f"EXECUTE FUNCTION licensing_tally_change('{key}')"
        ),
    }


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(FUNCTIONS)
    for key, table in TABLES.items():
        for name, definition in _triggers(table, key).items():
            execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            execute(f"CREATE TRIGGER {name} {definition}")
        # The names are this module's constants, not input.
        execute(
            f'INSERT INTO licensing_statetally ("table", state, n) '  # noqa: S608
            f"SELECT %s, state, count(*) FROM {table} GROUP BY state",
            [key],
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for key, table in TABLES.items():
        for name in _triggers(table, key):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS licensing_tally_rows()")
    schema_editor.execute("DROP FUNCTION IF EXISTS licensing_tally_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0036_application_decided_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StateTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("table", models.CharField(max_length=40, verbose_name="table")),
                ("state", models.CharField(max_length=32, verbose_name="state")),
                ("n", models.BigIntegerField(verbose_name="change in the count")),
            ],
            options={
                "verbose_name": "state count change",
                "verbose_name_plural": "state count changes",
                "default_permissions": (),
            },
        ),
        migrations.AddIndex(
            model_name="licence",
            index=models.Index(
                condition=models.Q(("state", "expired")),
                fields=["expires_on"],
                name="licence_expired_expiry",
            ),
        ),
        migrations.AddIndex(
            model_name="statetally",
            index=models.Index(fields=["table", "state"], name="state_tally_table_state"),
        ),
        migrations.RunPython(install, uninstall),
    ]
