"""The indexes the periodic jobs read through: each holds the rows a job may still have to
do, in the order its batches follow, so a run costs what is due and not the whole register."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("licensing", "0028_import_progress")]

    operations = [
        # Expiry and reminders: keyset batches on (expires_on, id) of the active licences.
        migrations.RemoveIndex(model_name="licence", name="licence_active_expiry"),
        migrations.AddIndex(
            model_name="licence",
            index=models.Index(
                condition=models.Q(("state", "active")),
                fields=["expires_on", "id"],
                name="licence_active_expiry",
            ),
        ),
        # The reminders in the same order, so that the reminder job merges the two ranges.
        migrations.RemoveConstraint(
            model_name="expiryreminder", name="expiry_reminder_once_per_term_and_threshold"
        ),
        migrations.AddConstraint(
            model_name="expiryreminder",
            constraint=models.UniqueConstraint(
                fields=("term_expires_on", "licence", "threshold"),
                name="expiry_reminder_once_per_term_and_threshold",
            ),
        ),
        # Art. 6.3(g): approved changes still to apply, by the date they take effect.
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(
                    ("changes_applied_at__isnull", True), ("kind", "change"), ("state", "approved")
                ),
                fields=["effective_on", "id"],
                name="application_change_due",
            ),
        ),
        # The chasers of information requests: the open requests, oldest first.
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True)),
                fields=["created_at", "id"],
                name="information_request_open",
            ),
        ),
        # The notification sweeper: the rows still to send.
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("attempts__lt", 10), ("status__in", ["queued", "failed"])),
                fields=["updated_at", "id"],
                name="notification_unsent",
            ),
        ),
        # Resuming stalled print batches: the unfinished ones.
        migrations.AddIndex(
            model_name="printbatch",
            index=models.Index(
                condition=models.Q(
                    ("state__in", ["finished", "finished_with_failures"]), _negated=True
                ),
                fields=["updated_at", "id"],
                name="print_batch_unfinished",
            ),
        ),
    ]
