"""The returns' permissions for the roles of DESIGN.md (groups of licensing 0003): licence and
senior officers read the returns and close the overdue-return tasks; inspectors and auditors
read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "returnperiod",
    "returnreminder",
    "returntask",
    "return",
    "returnline",
    "returncounterpart",
    "returnpayment",
]
VIEW = [f"view_{model}" for model in MODELS]
OFFICER = [*VIEW, "change_returntask"]
ADDED = {
    "licence officer": OFFICER,
    "senior officer": OFFICER,
    "inspector": VIEW,
    "auditor": VIEW,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("returns")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="returns")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_returns"),
        ("licensing", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
