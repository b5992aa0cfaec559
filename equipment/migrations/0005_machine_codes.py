"""Reg. (EU) 2018/574 Art. 19: machine identifier codes, read by the roles that read the
operator and facility codes (licensing 0034)."""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

READERS = ("licence officer", "senior officer", "inspector", "registrar", "auditor")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("equipment")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="equipment", codename="view_machinecode")
    for name in READERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [
        ("equipment", "0004_seized_stock"),
        ("licensing", "0034_identifier_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="MachineCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "code",
                    models.CharField(max_length=40, unique=True, verbose_name="identifier code"),
                ),
                (
                    "issued_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="issued at"
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "deactivated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deactivated at"),
                ),
                (
                    "deactivation_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="why deactivated"),
                ),
                (
                    "facility",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="machine_codes",
                        to="licensing.facilitycode",
                        verbose_name="facility code",
                    ),
                ),
                (
                    "machine",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="codes",
                        to="equipment.machine",
                        verbose_name="machine",
                    ),
                ),
                (
                    "operator",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="machine_codes",
                        to="licensing.operatorcode",
                        verbose_name="economic operator code",
                    ),
                ),
            ],
            options={
                "verbose_name": "machine identifier code",
                "verbose_name_plural": "machine identifier codes",
                "ordering": ("-issued_at", "-pk"),
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("active", True)),
                        fields=("machine",),
                        name="one_active_machine_code",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("active", True), ("deactivated_at__isnull", True)),
                            models.Q(("active", False), ("deactivated_at__isnull", False)),
                            _connector="OR",
                        ),
                        name="machine_code_deactivated_at",
                        violation_error_message="A deactivated code needs a deactivation time.",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
