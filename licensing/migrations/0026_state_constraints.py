# Issue 15: CHECK constraints on state columns and the invariants the services rely on.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0025_security_verbs"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "draft",
                            "submitted",
                            "in_review",
                            "information_requested",
                            "approved",
                            "refused",
                            "withdrawn",
                        ],
                    )
                ),
                name="application_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="decisionproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "confirmed", "rejected"])),
                name="proposal_status_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="feeschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)),
                name="fee_amount_not_negative",
                violation_error_message="The amount cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="feeschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__lte", models.F("valid_until")),
                    ("valid_until__isnull", True),
                    _connector="OR",
                ),
                name="fee_dates_in_order",
                violation_error_message="The period ends before it begins.",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)),
                name="invoice_amount_not_negative",
                violation_error_message="The amount cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceline",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)),
                name="invoice_line_amount_not_negative",
                violation_error_message="The amount cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="legacyimport",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["validated", "imported", "failed"])),
                name="legacy_import_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="licence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        ["active", "suspended", "revoked", "expired", "transferred", "surrendered"],
                    )
                ),
                name="licence_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="licence",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_from__lte", models.F("expires_on"))),
                name="licence_dates_in_order",
                violation_error_message="The period ends before it begins.",
            ),
        ),
        migrations.AddConstraint(
            model_name="licenceterm",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_from__lte", models.F("expires_on"))),
                name="licence_term_dates_in_order",
                violation_error_message="The period ends before it begins.",
            ),
        ),
        migrations.AddConstraint(
            model_name="marketdeclaration",
            constraint=models.CheckConstraint(
                condition=models.Q(("anticipated_demand__gt", 0)),
                name="market_demand_positive",
                violation_error_message="The amount must be more than zero.",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["queued", "sent", "failed"])),
                name="notification_status_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)),
                name="payment_amount_positive",
                violation_error_message="The amount must be more than zero.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("active_from__lte", models.F("active_until")),
                    ("active_until__isnull", True),
                    ("active_from__isnull", True),
                    _connector="OR",
                ),
                name="person_role_dates_in_order",
                violation_error_message="The period ends before it begins.",
            ),
        ),
        migrations.AddConstraint(
            model_name="printbatch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["queued", "running", "finished", "finished_with_failures"])
                ),
                name="print_batch_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="printbatchitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["pending", "printed", "skipped", "failed"])),
                name="print_batch_item_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="productioncapacity",
            constraint=models.CheckConstraint(
                condition=models.Q(("units_per_year__gt", 0)),
                name="capacity_positive",
                violation_error_message="The amount must be more than zero.",
            ),
        ),
        migrations.AddConstraint(
            model_name="recordversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("valid_to__isnull", True)),
                fields=("record_type", "record_id"),
                name="one_current_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="recordversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__lte", models.F("valid_to")),
                    ("valid_to__isnull", True),
                    _connector="OR",
                ),
                name="version_dates_in_order",
                violation_error_message="The period ends before it begins.",
            ),
        ),
        migrations.AddConstraint(
            model_name="recordversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("source__in", ["migration", "application", "officer", "import"])
                ),
                name="version_source_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
        migrations.AddConstraint(
            model_name="transferrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["requested", "accepted", "cancelled"])),
                name="transfer_request_state_valid",
                violation_error_message="The state is not one of the allowed values.",
            ),
        ),
    ]
