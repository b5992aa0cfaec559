"""The legacy register import as background jobs (docs/legacy-import.md): the states of the
check and the write (uploaded, checking, refused, writing), their progress (rows checked,
rows written), the attempts of the current job, the full error count beside the kept report,
and the officer's language for the report. ``size`` becomes a big integer: a national register
may be larger than 2 GiB if the limit is raised. Imports already recorded keep their state."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

STATES = ["uploaded", "checking", "validated", "refused", "writing", "imported", "failed"]


class Migration(migrations.Migration):
    dependencies = [("licensing", "0027_audit_chain")]

    operations = [
        migrations.RemoveConstraint(model_name="legacyimport", name="legacy_import_state_valid"),
        migrations.AddField(
            model_name="legacyimport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="legacyimport",
            name="error_count",
            field=models.PositiveIntegerField(default=0, verbose_name="errors"),
        ),
        migrations.AddField(
            model_name="legacyimport",
            name="estimated_rows",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="rows expected"),
        ),
        migrations.AddField(
            model_name="legacyimport",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
        ),
        migrations.AddField(
            model_name="legacyimport",
            name="language",
            field=models.CharField(blank=True, max_length=16, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="legacyimport",
            name="rows_checked",
            field=models.PositiveIntegerField(default=0, verbose_name="rows checked"),
        ),
        migrations.AddField(
            model_name="legacyimport",
            name="rows_written",
            field=models.PositiveIntegerField(default=0, verbose_name="rows written"),
        ),
        migrations.AlterField(
            model_name="legacyimport",
            name="file_format",
            field=models.CharField(
                blank=True,
                choices=[("csv", "CSV"), ("xlsx", "XLSX")],
                max_length=8,
                verbose_name="format",
            ),
        ),
        migrations.AlterField(
            model_name="legacyimport",
            name="row_count",
            field=models.PositiveIntegerField(default=0, verbose_name="rows"),
        ),
        migrations.AlterField(
            model_name="legacyimport",
            name="size",
            field=models.PositiveBigIntegerField(verbose_name="size in bytes"),
        ),
        migrations.AlterField(
            model_name="legacyimport",
            name="state",
            field=django_fsm.FSMField(
                choices=[
                    ("uploaded", "uploaded, waiting to be checked"),
                    ("checking", "being checked"),
                    ("validated", "checked, awaiting confirmation"),
                    ("refused", "refused by the checks"),
                    ("writing", "being imported"),
                    ("imported", "imported"),
                    ("failed", "failed"),
                ],
                default="uploaded",
                max_length=50,
                protected=True,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="legacyimport",
            name="uploaded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="uploaded by",
            ),
        ),
        migrations.AddConstraint(
            model_name="legacyimport",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", STATES)),
                name="legacy_import_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
    ]
