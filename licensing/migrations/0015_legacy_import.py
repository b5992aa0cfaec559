"""Art. 9.2, 21.1(a): the import of a legacy licence register, its ``import_records``
permission and the ``imported`` and ``import_failed`` audit verbs.

Only senior officers may import: an import creates licences without an application and without
the four-eyes confirmation of a decision, so it is kept to the role that confirms the decisions
of others. Auditors read the imports like every other record."""

import uuid

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import licensing.models.imports

ADDED = {
    "senior officer": ["import_records", "view_legacyimport"],
    "auditor": ["view_legacyimport"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_app = Permission.objects.filter(content_type__app_label="licensing")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*in_app.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0014_print_batches"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
                ],
                max_length=32,
                verbose_name="verb",
            ),
        ),
        migrations.CreateModel(
            name="LegacyImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "file",
                    models.FileField(
                        max_length=200,
                        upload_to=licensing.models.imports.random_import_path,
                        verbose_name="file",
                    ),
                ),
                (
                    "original_name",
                    models.CharField(max_length=200, verbose_name="original file name"),
                ),
                (
                    "file_format",
                    models.CharField(
                        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
                        max_length=8,
                        verbose_name="format",
                    ),
                ),
                ("size", models.PositiveIntegerField(verbose_name="size in bytes")),
                ("sha256", models.CharField(db_index=True, max_length=64, verbose_name="SHA-256")),
                ("row_count", models.PositiveIntegerField(verbose_name="rows")),
                ("summary", models.JSONField(blank=True, default=dict, verbose_name="summary")),
                ("report", models.JSONField(blank=True, default=list, verbose_name="error report")),
                (
                    "confirmed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="confirmed at"),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("validated", "checked, awaiting confirmation"),
                            ("imported", "imported"),
                            ("failed", "failed"),
                        ],
                        default="validated",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="confirmed by",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="checked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "legacy register import",
                "verbose_name_plural": "legacy register imports",
                "ordering": ("-created_at", "-pk"),
                "permissions": [("import_records", "Can import a legacy licence register")],
            },
            bases=(django_fsm.FSMModelMixin, models.Model),
        ),
        migrations.AddField(
            model_name="licence",
            name="legacy_import",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="licences",
                to="licensing.legacyimport",
                verbose_name="imported with",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
