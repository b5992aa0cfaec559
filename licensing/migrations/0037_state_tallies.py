"""Counts by state kept by triggers (licensing.models.tallies): on PostgreSQL, one
statement-level trigger per event on the licences and the applications appends the changes of
each statement, by state, and the rows there now are counted once."""

from django.conf import settings
from django.db import migrations, models

TABLES = {"licence": "licensing_licence", "application": "licensing_application"}

FUNCTION = """
CREATE OR REPLACE FUNCTION licensing_tally_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO licensing_statetally ("table", state, n)
        SELECT TG_ARGV[0], state, count(*) FROM new_rows GROUP BY state;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO licensing_statetally ("table", state, n)
        SELECT TG_ARGV[0], state, -count(*) FROM old_rows GROUP BY state;
    ELSE
        INSERT INTO licensing_statetally ("table", state, n)
        SELECT TG_ARGV[0], changed.state, sum(changed.n) FROM (
            SELECT o.state, -1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE w.state IS DISTINCT FROM o.state
            UNION ALL
            SELECT w.state, 1 FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE w.state IS DISTINCT FROM o.state
        ) AS changed GROUP BY changed.state;
    END IF;
    RETURN NULL;
END
$$;
"""

EVENTS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(FUNCTION)
    for key, table in TABLES.items():
        for event, referencing in EVENTS.items():
            name = f"{table}_tally_{event.lower()}"
            execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION licensing_tally_states('{key}')"
            )
        # The names are this module's constants, not input.
        execute(
            f'INSERT INTO licensing_statetally ("table", state, n) '  # noqa: S608
            f"SELECT %s, state, count(*) FROM {table} GROUP BY state",
            [key],
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES.values():
        for event in EVENTS:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_tally_{event.lower()} ON {table}"
            )
    schema_editor.execute("DROP FUNCTION IF EXISTS licensing_tally_states()")


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
