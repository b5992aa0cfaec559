"""The record of partners' calls is append-only in the database too, like the audit trail
(licensing 0002, 0027): a trigger refuses UPDATE and DELETE, and the runtime role is granted
only SELECT and INSERT on it (``APPEND_ONLY_TABLES``, licensing/db_roles.py)."""

from django.db import migrations

APPEND_ONLY = """
CREATE TRIGGER api_apicall_append_only
    BEFORE UPDATE OR DELETE ON api_apicall
    FOR EACH ROW EXECUTE FUNCTION licensing_append_only();
"""
DROP_APPEND_ONLY = "DROP TRIGGER IF EXISTS api_apicall_append_only ON api_apicall;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0004_subscription_roles"),
        ("licensing", "0027_audit_chain"),
    ]

    operations = [migrations.RunPython(create, drop)]
