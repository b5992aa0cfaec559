"""The equipment register's permissions for the roles of DESIGN.md (groups of licensing 0003):
licence officers keep the register and decide custody; senior officers also countersign
destructions; inspectors record the destructions they supervise; registrars and auditors read."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["machine", "part", "custodynotice", "destructionorder", "destructionphoto", "officertask"]
VIEW = [f"view_{model}" for model in MODELS]
OFFICER = [
    *VIEW,
    "change_machine",
    "add_part",
    "change_part",
    "change_officertask",
    "register_machine",
    "decide_custody",
    "seize_machine",
    "order_destruction",
]
ADDED = {
    "licence officer": OFFICER,
    "senior officer": [*OFFICER, "countersign_destruction"],
    "inspector": ["view_machine", "view_part", "view_destructionorder", "witness_destruction"],
    "registrar": VIEW,
    "auditor": VIEW,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("equipment")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="equipment")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("equipment", "0001_register"),
        ("licensing", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
