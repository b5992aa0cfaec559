# Issue 15: CHECK constraints on state columns and the invariants the services rely on.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_finding_wording"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="inspection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["planned", "in_progress", "submitted", "reviewed", "reopened"])
                ),
                name="inspection_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspection",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["compliant", "remedy", "non_compliant", ""])),
                name="inspection_outcome_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
    ]
