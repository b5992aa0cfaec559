"""The API's permissions for the roles of DESIGN.md: senior officers register partner
authorities and revoke them and read their calls; auditors read both. The service accounts of
partners share one group, "partner authority", holding only what a partner's report of a
seizure needs (Art. 21.1(e)): the API checks the scopes, the services these permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "senior officer": ["manage_partners", "view_partnerclient", "view_apicall"],
    "auditor": ["view_partnerclient", "view_apicall"],
}
PARTNER_GROUP = "partner authority"
PARTNER = [("seizures", "add_seizurecase"), ("seizures", "export_seizures")]


def grant(apps, schema_editor):
    for label in ("api", "seizures"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="api")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))
    partners, _ = Group.objects.get_or_create(name=PARTNER_GROUP)
    for app_label, codename in PARTNER:
        partners.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("seizures", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
