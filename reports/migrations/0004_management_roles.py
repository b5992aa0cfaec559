"""The management information pages (issue 22): senior officers read them, and auditors, who
read everything (groups of licensing 0003)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "senior officer": ["view_management_information"],
    "auditor": ["view_management_information"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="reports")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_case_flow"),
        ("licensing", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
