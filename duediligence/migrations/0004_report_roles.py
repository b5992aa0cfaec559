"""Licensees' reports and the network view for the roles of DESIGN.md: licence and senior
officers handle the reports and open a party's network; auditors read both. Applicants file
reports through the portal by their object permission on the licensee (no global permission);
inspectors and registrars get nothing here (Art. 5)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HANDLERS = ["view_licenseereport", "handle_report", "view_network"]
ROLES = {
    "licence officer": HANDLERS,
    "senior officer": HANDLERS,
    "auditor": ["view_licenseereport", "view_network"],
}


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


class Migration(migrations.Migration):
    dependencies = [
        ("duediligence", "0003_licensee_reports"),
        ("duediligence", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
