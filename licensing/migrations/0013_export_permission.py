"""Art. 21.1(a): the ``export_records`` permission (on Party) for senior officers and
registrars, and the ``exported`` audit verb."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EXPORTERS = ("senior officer", "registrar")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    export = Permission.objects.get(content_type__app_label="licensing", codename="export_records")
    for name in EXPORTERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(export)
    # The auditor holds every view permission, not this one: reading is not sending.


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0012_issued_documents"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="party",
            options={
                "ordering": ("legal_name", "pk"),
                "permissions": [
                    ("act_for_party", "Can act for this party (applicant)"),
                    ("export_records", "Can export licensing records"),
                ],
                "verbose_name": "party",
                "verbose_name_plural": "parties",
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="verb",
            field=models.CharField(
                choices=[
                    ("created", "created"),
                    ("edited", "edited"),
                    ("submitted", "submitted"),
                    ("assigned", "assigned"),
                    ("review_started", "review started"),
                    ("information_requested", "information requested"),
                    ("information_provided", "information provided"),
                    ("withdrawn", "withdrawn"),
                    ("decision_proposed", "decision proposed"),
                    ("proposal_rejected", "proposal rejected"),
                    ("approved", "approved"),
                    ("refused", "refused"),
                    ("issued", "issued"),
                    ("renewed", "renewed"),
                    ("transferred", "transferred"),
                    ("change_applied", "change applied"),
                    ("suspended", "suspended"),
                    ("reinstated", "reinstated"),
                    ("revoked", "revoked"),
                    ("expired", "expired"),
                    ("surrendered", "surrendered"),
                    ("invoice_issued", "invoice issued"),
                    ("payment_recorded", "payment recorded"),
                    ("condition_met", "condition met"),
                    ("access_granted", "access granted"),
                    ("exported", "exported"),
                    ("document_issued", "document issued"),
                    ("document_reprinted", "document reprinted"),
                ],
                max_length=32,
                verbose_name="verb",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
