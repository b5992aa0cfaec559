"""The starting fee schedule (Art. 6.3(c)). Officers with the senior role amend it in the admin;
a new amount is a new row with a later valid_from, so old invoices keep their basis."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

BASE = {
    "manufacture_products": Decimal("5000.00"),
    "manufacture_equipment": Decimal("5000.00"),
    "import": Decimal("2000.00"),
    "export": Decimal("2000.00"),
    "wholesale": Decimal("1000.00"),
    "warehousing": Decimal("800.00"),
    "distribution": Decimal("800.00"),
    "brokering": Decimal("800.00"),
    "transport": Decimal("500.00"),
    "growing": Decimal("200.00"),
    "retail": Decimal("150.00"),
}
# Renewal costs half; a transfer or a change of information costs a fifth.
KIND_FACTOR = {
    "new": Decimal("1"),
    "renewal": Decimal("0.5"),
    "transfer": Decimal("0.2"),
    "change": Decimal("0.2"),
}


def create_schedule(apps, schema_editor):
    FeeSchedule = apps.get_model("licensing", "FeeSchedule")
    start = dt.date(2026, 1, 1)
    for activity, amount in BASE.items():
        for kind, factor in KIND_FACTOR.items():
            FeeSchedule.objects.get_or_create(
                activity=activity,
                application_kind=kind,
                valid_from=start,
                defaults={"amount": (amount * factor).quantize(Decimal("0.01")), "currency": "EUR"},
            )


class Migration(migrations.Migration):
    dependencies = [("licensing", "0003_roles")]
    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
