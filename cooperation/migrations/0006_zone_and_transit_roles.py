"""Art. 12: senior officers keep the register of free zones; licence officers and senior
officers mark the sites inside them; licence officers, inspectors and senior officers
acknowledge or flag transit notices; auditors read all of it (groups of licensing 0003)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ZONES_READ = ["view_freezone", "view_freezonesite"]
MARK = ["add_freezonesite", "change_freezonesite", *ZONES_READ]
TRANSIT = ["view_transitnotice", "handle_transitnotice"]
ADDED = {
    "senior officer": ["add_freezone", "change_freezone", *MARK, *TRANSIT],
    "licence officer": [*MARK, *TRANSIT],
    "inspector": [*ZONES_READ, *TRANSIT],
    "auditor": [*ZONES_READ, "view_transitnotice"],
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
        ("cooperation", "0005_free_zones_and_transit"),
        ("licensing", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
