"""Print batches: the registrar prints many licences at once and follows the job's progress.
Registrars and senior officers, who print (``print_document``), see the batches; so does the
auditor, who holds every view permission of the app. Two audit verbs: a batch started, and its
merged PDF downloaded."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

VIEW = ["view_printbatch", "view_printbatchitem"]
ADDED = {"registrar": VIEW, "senior officer": VIEW, "auditor": VIEW}


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
        ("licensing", "0013_export_permission"),
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
                ],
                max_length=32,
                verbose_name="verb",
            ),
        ),
        migrations.CreateModel(
            name="PrintBatch",
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
                    "policy",
                    models.CharField(
                        choices=[
                            ("new_only", "Print only the licences never printed before"),
                            (
                                "reprint",
                                "Also reprint the licences printed before (a reason is required)",
                            ),
                        ],
                        default="new_only",
                        max_length=16,
                        verbose_name="licences printed before",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason for the reprints")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "queued"),
                            ("running", "running"),
                            ("finished", "finished"),
                            ("finished_with_failures", "finished with failures"),
                        ],
                        db_index=True,
                        default="queued",
                        max_length=24,
                        verbose_name="state",
                    ),
                ),
                ("total", models.PositiveIntegerField(default=0, verbose_name="licences")),
                ("printed_count", models.PositiveIntegerField(default=0, verbose_name="printed")),
                ("skipped_count", models.PositiveIntegerField(default=0, verbose_name="skipped")),
                ("failed_count", models.PositiveIntegerField(default=0, verbose_name="failed")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "sites",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="licensing.site", verbose_name="sites"
                    ),
                ),
            ],
            options={
                "verbose_name": "print batch",
                "verbose_name_plural": "print batches",
                "ordering": ("-created_at", "-pk"),
            },
        ),
        migrations.CreateModel(
            name="PrintBatchItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("position", models.PositiveIntegerField(verbose_name="position")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "pending"),
                            ("printed", "printed"),
                            ("skipped", "skipped"),
                            ("failed", "failed"),
                        ],
                        default="pending",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                ("message", models.TextField(blank=True, verbose_name="message")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "processed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="processed at"),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="licensing.printbatch",
                        verbose_name="print batch",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="licensing.issueddocument",
                        verbose_name="printed version",
                    ),
                ),
                (
                    "licence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="print_batch_items",
                        to="licensing.licence",
                        verbose_name="licence",
                    ),
                ),
            ],
            options={
                "verbose_name": "print batch item",
                "verbose_name_plural": "print batch items",
                "ordering": ("batch", "position"),
                "indexes": [
                    models.Index(
                        fields=["batch", "state", "position"], name="licensing_p_batch_i_8c3ec8_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "licence"), name="print_batch_licence_once"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
