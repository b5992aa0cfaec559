"""Placeholder: the legacy import's progress and its chunked writes (issue 16, helper A)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("licensing", "0027_audit_chain")]

    operations: list[migrations.operations.base.Operation] = []
