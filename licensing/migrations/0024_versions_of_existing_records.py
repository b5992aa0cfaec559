"""Existing records become version 1 (licensing.models.versions).

A party that holds a licence was approved when its first licence was issued; a party with none
(a first filing not yet decided) stays proposed. Each approved party's regulated rows get their
first ``RecordVersion``, brought by the application of the party's first licence (none for a
legacy import), valid from the row's creation until it was ended. One ``INSERT ... SELECT`` per
table, so that a register of a million licences migrates in the database, not row by row in
Python; each holder's first licence is found once, into a temporary table."""

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

# (model, the join that reaches the row's party, the party's column)
TABLES = [
    ("party", "", "t.id"),
    ("taxregistration", "", "t.party_id"),
    ("bankaccount", "", "t.party_id"),
    ("corporateaffiliation", "", "t.party_id"),
    ("person", "", "t.party_id"),
    ("site", "", "t.party_id"),
    ("product", "", "t.party_id"),
    ("productioncapacity", "JOIN licensing_site s ON s.id = t.site_id", "s.party_id"),
]

# Each licence holder once: when its first licence was made, and the application behind it.
FIRST_LICENCES = """
CREATE TEMPORARY TABLE first_licence AS
SELECT holder_id AS party_id, created_at AS approved_at, application_id FROM (
    SELECT holder_id, created_at, application_id,
           ROW_NUMBER() OVER (PARTITION BY holder_id ORDER BY created_at, id) AS n
    FROM licensing_licence
) ranked WHERE n = 1
"""


def _json(vendor, pairs):
    function = "jsonb_build_object" if vendor == "postgresql" else "json_object"
    return f"{function}({', '.join(pairs)})"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(FIRST_LICENCES)
        cursor.execute("CREATE UNIQUE INDEX first_licence_party ON first_licence (party_id)")
        cursor.execute(
            "UPDATE licensing_party SET approved_at = f.approved_at FROM first_licence f "
            "WHERE f.party_id = licensing_party.id AND licensing_party.approved_at IS NULL"
        )
        columns = (
            "record_type, record_id, party_id, version, valid_from, valid_to, data, ended, "
            "source, application_id, approved_by_id"
        )
        for model_name, join, party in TABLES:
            model = apps.get_model("licensing", model_name)
            fields = [
                f
                for f in model._meta.concrete_fields
                if f.name not in BOOKKEEPING and f.attname not in BOOKKEEPING
            ]
            pairs = [f"'{f.attname}', t.{connection.ops.quote_name(f.column)}" for f in fields]
            ended = "t.ended_at" if any(f.name == "ended_at" for f in fields) else "NULL"
            # Every name below comes from the models; nothing from input.
            select = (
                f"SELECT 'licensing.{model_name}', t.id, {party}, 1, t.created_at, {ended}, "  # noqa: S608
                f"{_json(vendor, pairs)}, false, 'migration', f.application_id, NULL "
                f"FROM {model._meta.db_table} t {join} "
                f"JOIN first_licence f ON f.party_id = {party}"
            )
            cursor.execute(f"INSERT INTO licensing_recordversion ({columns}) {select}")
        cursor.execute("DROP TABLE first_licence")


class Migration(migrations.Migration):
    dependencies = [("licensing", "0023_record_versions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
