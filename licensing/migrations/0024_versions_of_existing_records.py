"""Existing records become version 1 (licensing.models.versions).

A party that holds a licence was approved when its first licence was issued; a party with none
(a first filing not yet decided) stays proposed. Each approved party's regulated rows get their
first ``RecordVersion``, brought by the application of the party's first licence (none for a
legacy import), valid from the row's creation until it was ended. One ``INSERT ... SELECT`` per
table, so that a register of a million licences migrates in the database, not row by row in
Python."""

from django.db import migrations

# The bookkeeping fields of a regulated record: not part of its versioned values.
BOOKKEEPING = {
    "id",
    "created_at",
    "updated_at",
    "version",
    "proposed_in",
    "replaces",
    "base_version",
}

# (model, how the row reaches its party: a column of the row or of its site)
TABLES = [
    ("party", "t.id"),
    ("taxregistration", "t.party_id"),
    ("bankaccount", "t.party_id"),
    ("corporateaffiliation", "t.party_id"),
    ("person", "t.party_id"),
    ("site", "t.party_id"),
    ("product", "t.party_id"),
    ("productioncapacity", "(SELECT s.party_id FROM licensing_site s WHERE s.id = t.site_id)"),
]


def _json(vendor, pairs):
    function = "jsonb_build_object" if vendor == "postgresql" else "json_object"
    return f"{function}({', '.join(pairs)})"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE licensing_party SET approved_at = (SELECT MIN(l.created_at) "
            "FROM licensing_licence l WHERE l.holder_id = licensing_party.id) "
            "WHERE approved_at IS NULL"
        )
        for model_name, party_expr in TABLES:
            model = apps.get_model("licensing", model_name)
            fields = [
                f
                for f in model._meta.concrete_fields
                if f.name not in BOOKKEEPING and f.attname not in BOOKKEEPING
            ]
            pairs = [f"'{f.attname}', t.{connection.ops.quote_name(f.column)}" for f in fields]
            ended = "t.ended_at" if any(f.name == "ended_at" for f in fields) else "NULL"
            # Every name below comes from the models; nothing from input.
            first_application = (
                "(SELECT l.application_id FROM licensing_licence l "  # noqa: S608
                f"WHERE l.holder_id = {party_expr} ORDER BY l.created_at, l.id LIMIT 1)"
            )
            columns = (
                "record_type, record_id, party_id, version, valid_from, valid_to, data, ended, "
                "source, application_id, approved_by_id"
            )
            select = (
                f"SELECT 'licensing.{model_name}', t.id, {party_expr}, 1, t.created_at, "  # noqa: S608
                f"{ended}, {_json(vendor, pairs)}, false, 'migration', {first_application}, NULL "
                f"FROM {model._meta.db_table} t JOIN licensing_party p ON p.id = {party_expr} "
                "WHERE p.approved_at IS NOT NULL"
            )
            cursor.execute(f"INSERT INTO licensing_recordversion ({columns}) {select}")


class Migration(migrations.Migration):
    dependencies = [("licensing", "0023_record_versions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
