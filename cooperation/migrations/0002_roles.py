"""Art. 22.1: senior officers keep the directory of competent authorities; licence officers,
inspectors and auditors read it (groups of licensing 0003)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["view_competentauthority"]
ADDED = {
    "senior officer": ["add_competentauthority", "change_competentauthority", *READ],
    "licence officer": READ,
    "inspector": READ,
    "auditor": READ,
}


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
        ("cooperation", "0001_initial"),
        ("licensing", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
