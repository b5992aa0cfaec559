"""Reg. (EU) 2018/574 Art. 15(3), 17(3): the identifier codes and the registry's messages are
read by the officers, inspectors, registrars and auditors; the messages are exported to the
registry by senior officers and registrars (``export_registry_messages``), as the other
exports of records (migration 0013)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_operatorcode", "view_facilitycode", "view_registrymessage"]
READERS = ("licence officer", "senior officer", "inspector", "registrar", "auditor")
EXPORTERS = ("senior officer", "registrar")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="licensing")
    for name in READERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=VIEW))
    export = in_app.get(codename="export_registry_messages")
    for name in EXPORTERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(export)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0033_identifier_codes"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
