"""The register of disclosures is append-only in the database too, like the audit trail
(licensing 0002, 0027) and the API's calls (api 0005): a trigger refuses UPDATE and DELETE, and
the runtime role is granted only SELECT and INSERT on it (``APPEND_ONLY_TABLES``). And the roles
of assistance cases (Art. 21, 28): licence officers record and work on them, senior officers
also assign them, auditors read them and export the register (groups of licensing 0003)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPEND_ONLY = """
CREATE TRIGGER cooperation_disclosure_append_only
    BEFORE UPDATE OR DELETE ON cooperation_disclosure
    FOR EACH ROW EXECUTE FUNCTION licensing_append_only();
"""
DROP_APPEND_ONLY = (
    "DROP TRIGGER IF EXISTS cooperation_disclosure_append_only ON cooperation_disclosure;"
)

HANDLE = [
    "add_assistancecase",
    "change_assistancecase",
    "view_assistancecase",
    "handle_assistancecase",
    "view_disclosure",
]
ADDED = {
    "senior officer": [*HANDLE, "assign_assistancecase", "export_disclosure"],
    "licence officer": HANDLE,
    "auditor": ["view_assistancecase", "view_disclosure", "export_disclosure"],
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY)


def grant(apps, schema_editor):
    app_config = apps.get_app_config("cooperation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="cooperation")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0003_assistance"),
        ("licensing", "0027_audit_chain"),
    ]

    operations = [
        migrations.RunPython(create, drop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
