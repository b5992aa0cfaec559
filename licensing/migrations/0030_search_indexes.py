"""Name search through trigram indexes (pg_trgm) on PostgreSQL: a part of a party's legal or
trade name (``icontains``, i.e. ``UPPER(name) LIKE '%TERM%'``) is found by a bitmap index scan
instead of a scan of every party; a registration number (``iexact``) by its upper-case form.

The extension and the GIN indexes exist on PostgreSQL only; on SQLite the model state has them
and the database does not (the operations below skip it). pg_trgm is a trusted extension: the
owner role that runs migrate may create it (docs/database-roles.md); the runtime role only uses
it."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """AddIndex whose index PostgreSQL alone can build (GIN, an operator class)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0029_job_indexes")]

    operations = [
        TrigramExtension(),
        AddIndexOnPostgreSQL(
            model_name="party",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("legal_name"), name="gin_trgm_ops"
                ),
                name="party_legal_name_trgm",
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="party",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("trade_name"), name="gin_trgm_ops"
                ),
                name="party_trade_name_trgm",
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                django.db.models.functions.text.Upper("registration_number"),
                name="party_registration_upper",
            ),
        ),
    ]
