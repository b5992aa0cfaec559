"""The inspections' permissions for the roles of DESIGN.md (groups of licensing 0003): inspectors
carry out the inspections assigned to them and propose a suspension on a serious finding;
licence and senior officers plan, review and reopen; auditors and registrars read."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["inspection", "finding", "answer", "inspectionphoto", "checklisttemplate", "question"]
VIEW = [f"view_{model}" for model in MODELS]
OFFICER = [
    *VIEW,
    "add_inspection",
    "change_inspection",
    "add_finding",
    # A checklist version is edited until an inspection uses it (the admin then shows it read
    # only); after that, a new version is added.
    "add_checklisttemplate",
    "change_checklisttemplate",
    "add_question",
    "change_question",
    "review_inspection",
]
ADDED = {
    "licence officer": OFFICER,
    "senior officer": OFFICER,
    "inspector": [
        "view_inspection",
        "view_finding",
        "view_checklisttemplate",
        "view_question",
        "carry_out_inspection",
    ],
    "registrar": VIEW,
    "auditor": VIEW,
}


def grant(apps, schema_editor):
    for label in ("inspections", "licensing"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="inspections")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))
    # Art. 6.3(a): the inspector proposes a suspension on a critical finding; an officer who is
    # not the inspector confirms it.
    inspector, _ = Group.objects.get_or_create(name="inspector")
    inspector.permissions.add(
        Permission.objects.get(content_type__app_label="licensing", codename="propose_suspension")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_inspections"),
        ("licensing", "0022_inspection_reports_and_suspension_proposals"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
