"""The seizures' permissions for the roles of DESIGN.md: licence officers record cases, persons
and items, keep the stores and the custody chain and release by court order; senior officers
also exchange records with other Parties (Art. 21.1(e)); inspectors read cases and items (they
supervise destructions) but not the persons involved (Art. 5); registrars read the same;
auditors read everything. Every role that reads destruction orders reads their lines."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["seizurecase", "seizeditem", "seizurephoto", "storagelocation", "custodymove"]
VIEW = [f"view_{model}" for model in MODELS]
OFFICER = [
    *VIEW,
    "view_seizureperson",
    "add_seizurecase",
    "change_seizurecase",
    "add_seizureperson",
    "add_seizeditem",
    "add_seizurephoto",
    "add_storagelocation",
    "change_storagelocation",
    "move_item",
    "release_item",
]
ADDED = {
    "licence officer": OFFICER,
    "senior officer": [*OFFICER, "export_seizures"],
    "inspector": VIEW,
    "registrar": VIEW,
    "auditor": [*VIEW, "view_seizureperson"],
}
LINES = ("licence officer", "senior officer", "inspector", "registrar", "auditor")


def grant(apps, schema_editor):
    for label in ("seizures", "equipment"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="seizures")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))
    line = Permission.objects.get(
        content_type__app_label="equipment", codename="view_destructionline"
    )
    for name in LINES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(line)


class Migration(migrations.Migration):
    dependencies = [
        ("seizures", "0001_initial"),
        ("equipment", "0004_seized_stock"),
        ("licensing", "0032_seized_stock"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
