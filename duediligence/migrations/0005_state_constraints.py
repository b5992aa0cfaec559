# Issue 15: CHECK constraints on state columns and the invariants the services rely on.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("duediligence", "0004_report_roles"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="blockedcustomer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("blocked_from__lte", models.F("until")),
                    ("until__isnull", True),
                    _connector="OR",
                ),
                name="blocked_dates_in_order",
                violation_error_message="The period ends before it begins.",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkresult",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["pass", "flag", "fail", "not_applicable"])),
                name="check_outcome_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkresult",
            constraint=models.CheckConstraint(
                condition=models.Q(("disposition__in", ["cleared", "upheld", ""])),
                name="check_disposition_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="licenseereport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["submitted", "under_review", "accepted", "dismissed"])
                ),
                name="report_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="licenseereport",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0), ("amount__isnull", True), _connector="OR"),
                name="report_amount_positive",
                violation_error_message="The amount must be more than zero.",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["open", "completed"])),
                name="review_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
    ]
