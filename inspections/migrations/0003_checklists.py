"""The first version of each activity group's checklist (Art. 6.3(e)), citing the articles of
the Protocol each question checks. Officers add later versions in the admin; an inspection keeps
the version it was started with."""

from django.db import migrations

Y, N, T, P = "yes_no", "number", "text", "photo"

CHECKLISTS = {
    "manufacturing": (
        "Manufacturing site audit",
        [
            ("Is the licence displayed and does it name this site?", "Art. 6.3(b)(iii)", Y, True),
            ("Do all machines on site carry a readable serial plate?", "Art. 6.3(b)(iv)", Y, True),
            ("Is every machine on site in the register?", "Art. 6.3(h)", Y, True),
            ("Are tracking and tracing markings applied to unit packets?", "Art. 8.3", Y, True),
            ("Is the record of raw tobacco received kept and complete?", "Art. 9.1", Y, True),
            (
                "Is the record of production per product kept and complete?",
                "Art. 9.1, 8.4.1(c)",
                Y,
                True,
            ),
            ("Number of production lines in use", "Art. 6.3(b)(iv)", N, True),
            ("Photo of the production hall", "Art. 6.3(e)", P, False),
            ("Notes on the premises and records", "Art. 6.3(e)", T, False),
        ],
    ),
    "import_export": (
        "Import and export audit",
        [
            ("Is the licence displayed at the business location?", "Art. 6.3(b)(iii)", Y, True),
            ("Are customs declarations kept for every shipment?", "Art. 9.1, 9.5", Y, True),
            ("Are export destinations and routes recorded?", "Art. 9.3(c)", Y, True),
            ("Is the due diligence of each customer on file?", "Art. 7.1", Y, True),
            ("Shipments in the last twelve months", "Art. 9.1", N, False),
            ("Notes on the records", "Art. 6.3(e)", T, False),
        ],
    ),
    "wholesale": (
        "Wholesale and warehousing audit",
        [
            ("Is the licence displayed at the business location?", "Art. 6.3(b)(iii)", Y, True),
            ("Is the stock record kept and does it match the stock seen?", "Art. 9.1", Y, True),
            ("Do unit packets carry tracking and tracing markings?", "Art. 8.3", Y, True),
            ("Is the due diligence of each customer on file?", "Art. 7.1", Y, True),
            ("Photo of the storage area", "Art. 6.3(e)", P, False),
            ("Notes on the premises and records", "Art. 6.3(e)", T, False),
        ],
    ),
    "retail": (
        "Retail outlet inspection",
        [
            ("Is the licence displayed at the outlet?", "Art. 6.3(b)(iii)", Y, True),
            ("Are the products bought from licensed suppliers only?", "Art. 6.1, 7.1", Y, True),
            ("Do unit packets carry tracking and tracing markings?", "Art. 8.3", Y, True),
            ("Notes", "Art. 6.3(e)", T, False),
        ],
    ),
}


def seed(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Question = apps.get_model("inspections", "Question")
    for group, (title, questions) in CHECKLISTS.items():
        template, created = Template.objects.get_or_create(
            group=group, version=1, defaults={"title": title}
        )
        if not created:
            continue
        for position, (text, article, answer_type, mandatory) in enumerate(questions, start=1):
            Question.objects.create(
                template=template,
                position=position,
                text=text,
                article=article,
                answer_type=answer_type,
                mandatory=mandatory,
            )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
