"""Placeholder: indexes the periodic jobs read through (issue 16, helper C)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("licensing", "0028_import_progress")]

    operations: list[migrations.operations.base.Operation] = []
