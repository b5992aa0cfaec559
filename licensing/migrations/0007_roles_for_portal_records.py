"""Permissions for the records added after the roles were made (0005): declared machines
(Art. 6.3(b)(iv)-(v)) are read by officers, inspectors and auditors; invitations by officers
and auditors. The auditor again holds every view permission of the app."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "licence officer": ["view_declaredmachine", "view_invitation"],
    "senior officer": ["view_declaredmachine", "view_invitation"],
    "inspector": ["view_declaredmachine"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="licensing")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))
    auditor, _ = Group.objects.get_or_create(name="auditor")
    auditor.permissions.add(*in_app.filter(codename__startswith="view_"))


class Migration(migrations.Migration):
    dependencies = [("licensing", "0006_licence_list_order")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
