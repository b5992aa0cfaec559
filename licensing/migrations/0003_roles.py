"""The roles of DESIGN.md as groups with their model permissions. Applicants get no global
permission: they act for their Parties through object permissions (act_for_party)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PARTY_DATA = [
    "party",
    "taxregistration",
    "corporateaffiliation",
    "person",
    "bankaccount",
    "criminalrecorddeclaration",
    "site",
    "productioncapacity",
    "product",
    "document",
    "marketdeclaration",
]
READ_ONLY_RECORDS = [
    "licenceterm",
    "decisionproposal",
    "invoice",
    "invoiceline",
    "feeschedule",
    "notification",
    "auditevent",
    "submissionsnapshot",
    "payment",
]

OFFICER = (
    [f"{action}_{model}" for model in PARTY_DATA for action in ("view", "add", "change")]
    + [f"view_{model}" for model in READ_ONLY_RECORDS]
    + [
        "view_application",
        "add_application",
        "change_application",
        "view_informationrequest",
        "view_licence",
        "change_licence",
        "view_condition",
        "add_condition",
        "change_condition",
        "add_payment",
        "review_application",
        "suspend_licence",
        "reinstate_licence",
        "propose_revocation",
        "surrender_licence",
        "record_payment",
    ]
)
SENIOR = [
    *OFFICER,
    "confirm_decision",
    "confirm_revocation",
    "add_feeschedule",
    "change_feeschedule",
]
INSPECTOR = [
    "view_party",
    "view_site",
    "view_productioncapacity",
    "view_product",
    "view_licence",
    "view_licenceterm",
    "view_condition",
    "view_application",
]
REGISTRAR = [*INSPECTOR, "view_invoice", "view_payment", "view_document", "view_auditevent"]

ROLES = {
    "applicant": [],
    "licence officer": OFFICER,
    "senior officer": SENIOR,
    "inspector": INSPECTOR,
    "registrar": REGISTRAR,
    "auditor": None,  # every view permission of the app
}


def create_roles(apps, schema_editor):
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="licensing")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames is None:
            perms = in_app.filter(codename__startswith="view_")
        else:
            perms = in_app.filter(codename__in=codenames)
            missing = set(codenames) - set(perms.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0002_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
