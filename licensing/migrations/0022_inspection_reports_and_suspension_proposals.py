"""Art. 6.3(a), 6.3(e): the suspension proposed for four eyes (granted here to the licence and
senior officers; the inspections app grants it to inspectors), the inspection report as an
issued document, and the inspections' audit verbs."""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

PROPOSERS = ("licence officer", "senior officer")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    propose = Permission.objects.get(
        content_type__app_label="licensing", codename="propose_suspension"
    )
    for name in PROPOSERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(propose)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0021_audit_verbs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="licence",
            options={
                "ordering": ("-issued_at", "-pk"),
                "permissions": [
                    ("suspend_licence", "Can suspend licences"),
                    ("reinstate_licence", "Can reinstate suspended licences"),
                    ("propose_revocation", "Can propose revocations"),
                    ("confirm_revocation", "Can confirm revocations (senior officer)"),
                    (
                        "propose_suspension",
                        "Can propose a suspension for another officer to confirm",
                    ),
                    ("surrender_licence", "Can record a surrender on the holder's behalf"),
                ],
                "verbose_name": "licence",
                "verbose_name_plural": "licences",
            },
        ),
        migrations.RemoveConstraint(
            model_name="issueddocument",
            name="issued_document_subject",
        ),
        migrations.RemoveConstraint(
            model_name="issueddocument",
            name="issued_licence_letter_version",
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
                    ("print_batch_started", "print batch started"),
                    ("print_batch_downloaded", "print batch downloaded"),
                    ("imported", "imported"),
                    ("import_failed", "import failed"),
                    ("checks_run", "due-diligence checks run"),
                    ("flag_cleared", "due-diligence flag cleared"),
                    ("flag_upheld", "due-diligence flag upheld"),
                    ("review_completed", "due-diligence review completed"),
                    ("review_reopened", "due-diligence review reopened"),
                    ("report_accepted", "report accepted"),
                    ("report_dismissed", "report dismissed"),
                    ("registered", "registered"),
                    ("custody_notified", "custody change notified"),
                    ("custody_confirmed", "custody change confirmed"),
                    ("custody_rejected", "custody change rejected"),
                    ("disposal_required", "disposal required"),
                    ("seized", "seized"),
                    ("destruction_requested", "destruction requested"),
                    ("destruction_scheduled", "destruction scheduled"),
                    ("destruction_witnessed", "destruction witnessed"),
                    ("destroyed", "destroyed"),
                    ("cancelled", "cancelled"),
                    ("inspection_planned", "inspection planned"),
                    ("inspection_started", "inspection started"),
                    ("inspection_submitted", "inspection submitted"),
                    ("inspection_reviewed", "inspection reviewed"),
                    ("inspection_reopened", "inspection reopened"),
                    ("finding_recorded", "finding recorded"),
                ],
                max_length=32,
                verbose_name="verb",
            ),
        ),
        migrations.AlterField(
            model_name="decisionproposal",
            name="action",
            field=models.CharField(
                choices=[
                    ("refuse", "refuse the application"),
                    ("approve_transfer", "approve the transfer (Art. 6.4)"),
                    ("revoke", "revoke the licence"),
                    ("suspend", "suspend the licence"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.AlterField(
            model_name="issueddocument",
            name="kind",
            field=models.CharField(
                choices=[
                    ("licence", "licence"),
                    ("refusal_letter", "refusal letter"),
                    ("suspension_letter", "suspension letter"),
                    ("revocation_letter", "revocation letter"),
                    ("destruction_certificate", "destruction certificate"),
                    ("inspection_report", "inspection report"),
                ],
                max_length=24,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="issueddocument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("application__isnull", True),
                        (
                            "kind__in",
                            (
                                "licence",
                                "suspension_letter",
                                "revocation_letter",
                                "destruction_certificate",
                                "inspection_report",
                            ),
                        ),
                        ("licence__isnull", False),
                    ),
                    models.Q(
                        ("application__isnull", False),
                        ("kind__in", ("refusal_letter",)),
                        ("licence__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="issued_document_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="issueddocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        (
                            "suspension_letter",
                            "revocation_letter",
                            "destruction_certificate",
                            "inspection_report",
                        ),
                    )
                ),
                fields=("licence", "kind", "event", "version"),
                name="issued_licence_letter_version",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
