# Issue 15: CHECK constraints on state columns and the invariants the services rely on.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("equipment", "0002_roles"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="custodynotice",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["notified", "confirmed", "rejected"])),
                name="custody_notice_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="destructionorder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["requested", "scheduled", "witnessed", "certified", "cancelled"])
                ),
                name="destruction_order_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="machine",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "declared",
                            "registered",
                            "disposal_notified",
                            "transferred",
                            "disposal_required",
                            "destruction_requested",
                            "destruction_scheduled",
                            "seized",
                            "destroyed",
                        ],
                    )
                ),
                name="machine_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="machine",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rated_capacity__gt", 0), ("rated_capacity__isnull", True), _connector="OR"
                ),
                name="machine_capacity_positive",
                violation_error_message="The amount must be more than zero.",
            ),
        ),
    ]
