"""The tamper-evident audit trail (docs/audit-chain.md): a keyed digest on every event, the
chain of links over them and the verifier's sealed checkpoints. The new tables are append-only
like the events (0002). The events that exist are sealed and linked here, in id order, in
batches; on PostgreSQL the events' trigger is disabled for that back-fill only, in this
migration's transaction (the migration runs as the tables' owner)."""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from licensing.audit_hashing import GENESIS, chain_key, event_digest, link_hash

BATCH = 2000

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION licensing_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER licensing_auditchainlink_append_only
    BEFORE UPDATE OR DELETE ON licensing_auditchainlink
    FOR EACH ROW EXECUTE FUNCTION licensing_append_only();
CREATE TRIGGER licensing_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON licensing_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION licensing_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS licensing_auditchainlink_append_only ON licensing_auditchainlink;
DROP TRIGGER IF EXISTS licensing_auditcheckpoint_append_only ON licensing_auditcheckpoint;
DROP FUNCTION IF EXISTS licensing_append_only();
"""

EVENT_TRIGGER = "ALTER TABLE licensing_auditevent {} TRIGGER licensing_auditevent_append_only"


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


def seal_existing_events(apps, schema_editor):
    """Digest every existing event, then link them all in id order."""
    AuditEvent = apps.get_model("licensing", "AuditEvent")
    AuditChainLink = apps.get_model("licensing", "AuditChainLink")
    connection = schema_editor.connection
    key = chain_key()
    postgresql = connection.vendor == "postgresql"
    if not AuditEvent.objects.exists():
        return
    if postgresql:
        schema_editor.execute(EVENT_TRIGGER.format("DISABLE"), params=None)
    last = 0
    while True:
        events = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not events:
            break
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE licensing_auditevent SET digest = %s WHERE id = %s",
                [(event_digest(event, key), event.pk) for event in events],
            )
        last = events[-1].pk
    if postgresql:
        schema_editor.execute(EVENT_TRIGGER.format("ENABLE"), params=None)
    position, previous, last = 0, GENESIS, 0
    while True:
        rows = list(
            AuditEvent.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "digest")[:BATCH]
        )
        if not rows:
            break
        links = []
        for pk, digest in rows:
            position += 1
            current = link_hash(
                key, previous_hash=previous, position=position, event_id=pk, digest=digest
            )
            links.append(
                AuditChainLink(
                    position=position,
                    event_id=pk,
                    event_digest=digest,
                    previous_hash=previous,
                    hash=current,
                )
            )
            previous = current
        AuditChainLink.objects.bulk_create(links)
        last = rows[-1][0]


def grant(apps, schema_editor):
    """Auditors read the chain and its checkpoints (admin, read only)."""
    app_config = apps.get_app_config("licensing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="auditor")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="licensing",
            codename__in=["view_auditchainlink", "view_auditcheckpoint"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [("licensing", "0026_state_constraints")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="digest"
            ),
        ),
        migrations.CreateModel(
            name="AuditChainLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveBigIntegerField(unique=True, verbose_name="position")),
                ("event_digest", models.CharField(max_length=64, verbose_name="event digest")),
                ("previous_hash", models.CharField(max_length=64, verbose_name="previous hash")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
                (
                    "linked_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="linked at"
                    ),
                ),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chain_link",
                        to="licensing.auditevent",
                        verbose_name="audit event",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit chain link",
                "verbose_name_plural": "audit chain links",
                "ordering": ("position",),
            },
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveBigIntegerField(verbose_name="position")),
                ("hash", models.CharField(blank=True, max_length=64, verbose_name="hash")),
                (
                    "last_event_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="last event"),
                ),
                ("events_verified", models.PositiveBigIntegerField(verbose_name="events verified")),
                (
                    "verified_at",
                    models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        verbose_name="verified at",
                    ),
                ),
                ("ok", models.BooleanField(verbose_name="chain intact")),
                ("first_broken", models.TextField(blank=True, verbose_name="first broken link")),
                ("mac", models.CharField(max_length=64, verbose_name="seal")),
            ],
            options={
                "verbose_name": "audit chain checkpoint",
                "verbose_name_plural": "audit chain checkpoints",
                "ordering": ("-verified_at", "-pk"),
            },
        ),
        migrations.RunPython(append_only, drop_append_only),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
