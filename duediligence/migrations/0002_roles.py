"""Due diligence for the roles of DESIGN.md: licence and senior officers conduct reviews and
read the blocked-customer register; senior officers keep it (Art. 7.4); auditors read
everything of the app. Applicants, inspectors and registrars get nothing here (Art. 5)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICER = [
    "view_review",
    "view_checkresult",
    "conduct_review",
    "view_blockedcustomer",
]
SENIOR = [*OFFICER, "add_blockedcustomer", "change_blockedcustomer"]
ROLES = {"licence officer": OFFICER, "senior officer": SENIOR}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("duediligence")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="duediligence")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = in_app.filter(codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
        group.permissions.add(*perms)
    auditor, _ = Group.objects.get_or_create(name="auditor")
    # The screening keys are an index, not a record: nobody browses them.
    auditor.permissions.add(
        *in_app.filter(codename__startswith="view_").exclude(codename="view_screeningkey")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("duediligence", "0001_initial"),
        ("licensing", "0003_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
