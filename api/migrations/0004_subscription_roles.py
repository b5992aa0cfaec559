"""Notifications to partners: senior officers end subscriptions and send failed deliveries
again, and read both; auditors read both."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "senior officer": ["manage_subscriptions", "view_subscription", "view_delivery"],
    "auditor": ["view_subscription", "view_delivery"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("api")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="api")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("api", "0003_subscriptions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
