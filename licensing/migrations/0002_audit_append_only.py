"""On PostgreSQL the database itself refuses to change or delete an audit event, whatever code
or tool connects. (SQLite has no such trigger: test flushes there delete rows.)"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION licensing_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'licensing_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER licensing_auditevent_append_only
    BEFORE UPDATE OR DELETE ON licensing_auditevent
    FOR EACH ROW EXECUTE FUNCTION licensing_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS licensing_auditevent_append_only ON licensing_auditevent;
DROP FUNCTION IF EXISTS licensing_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
